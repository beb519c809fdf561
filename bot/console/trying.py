"""Console pages that answer as the bot would: the try panel (a text in, the reply out, and why)
and the reply counter's figures. Nothing typed is stored or logged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, jsonify, render_template, request

from bot.console.blueprint import MAX_REPLY, MAX_TEXT, bp, settings
from bot.console.security import requires
from bot.console.working import Working, working
from bot.core.examples_reader import ReaderError
from bot.core.explain import Explanation, explain
from bot.core.library import MENU_PLACEHOLDER, Library
from bot.core.matcher import Matcher, build_matcher
from bot.core.numbers import NumberRegistry, find_numbers
from bot.core.sms import SmsEncoding, encode_info, is_gsm, transliterate_gsm
from bot.library.registry import deployment_registry_path, registry_of
from bot.runtime import runtime


@dataclass(frozen=True)
class Tried:
    """What a text would get: its topic, language, the reply as sent, its SMS cost, and why."""

    topic: str
    lang: str
    reply: str | None
    info: SmsEncoding
    why: Explanation


def try_text(text: str, library: Library, matcher: Matcher | None = None) -> Tried:
    """The reply a text gets from a library and what decided it, as `flask try` shows them
    (explain() answers as match() does: the same rules, reader and combination)."""
    why = explain(text, matcher or build_matcher(library))
    found = why.chosen
    reply = library.reply(found.topic, found.lang)
    return Tried(found.topic, found.lang, reply, encode_info(reply or ""), why)


def count(text: str, registry: NumberRegistry) -> dict[str, object]:
    """The live counter's figures for a reply being typed: length, encoding, segments, numbers."""
    info = encode_info(text)
    plain, changes = transliterate_gsm(text)
    sent = encode_info(plain)
    return {
        "text": text,
        "characters": info.characters,
        "encoding": info.encoding,
        "units": info.units,
        "segments": info.segments,
        "ucs2_chars": list(info.ucs2_chars),
        "published_encoding": sent.encoding,
        "published_segments": sent.segments,
        # What publishing does to the accents: the letters it replaces, and those it keeps
        # because plain letters (GSM-7) have them ("é", "ñ"), so the operator is not surprised.
        "replaced": [[c.char, c.replacement] for c in changes],
        "stays": sorted({ch for ch in text if ord(ch) > 127 and is_gsm(ch)}),
        "numbers": [
            {
                "text": f.text,
                "start": f.start,
                "end": f.end,
                "verified": f.conflict is None and f.digits in registry.by_digits,
            }
            for f in find_numbers(text)
        ],
    }


@bp.post("/api/count", endpoint="count")
@requires("editor")
def count_reply() -> Response:
    """The live counter's figures for a reply being typed (the server's encoder is the truth)."""
    data = request.get_json(silent=True) or {}
    text = str(data.get("text", ""))[:MAX_REPLY]
    lang = str(data.get("lang", ""))
    if MENU_PLACEHOLDER in text:
        # The menu reply is sent with the numbered titles in place of {menu}: count those.
        numbered = sorted(
            (t for t in working().parsed.topics if t.menu is not None),
            key=lambda t: t.menu or 0,
        )
        lines = "\n".join(f"{t.menu} {t.titles.get(lang, '')}" for t in numbered)
        text = text.replace(MENU_PLACEHOLDER, lines)
    # The draft's registry when an admin edited it, so a number just added shows as verified.
    registry = registry_of(working().bundle, deployment_registry_path(settings()))
    return jsonify(count(text, registry))


def _answer(text: str, source: str, current: Working) -> tuple[Tried | None, str | None]:
    """The answer to a text from the live revision or the draft, or why there is none."""
    if not text.strip():
        return None, None
    if source == "live":
        snapshot = runtime(current_app).live.snapshot
        return try_text(text, snapshot.library, snapshot.matcher), None
    library = current.checked.library
    if library is None:
        return None, "The draft does not load; fix its errors first (see the topic list)."
    try:
        return try_text(text, library), None
    except ReaderError:
        return (
            None,
            "The draft's reader could not learn from its example texts (see the topic list).",
        )


def _page(text: str, source: str) -> str:
    """The try panel: the text, its answer and why."""
    result, error = _answer(text, source, working())
    return render_template("console/try.html", source=source, text=text, result=result, error=error)


@bp.route("/try", methods=["GET", "POST"], endpoint="try_text")
@requires("editor")
def try_page() -> Any:
    """A phone-shaped panel: a text in, the reply out, and why. Nothing typed is kept or logged."""
    source = "live" if request.values.get("source") == "live" else "draft"
    text = request.form.get("text", "")[:MAX_TEXT] if request.method == "POST" else ""
    return _page(text, source)
