"""Console pages that answer as the bot would: the try panel (a text in, the reply out, and why)
and the reply counter's figures. Nothing typed is logged, and nothing typed is stored unless the
operator adds it to the draft's example texts ("should be")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, jsonify, render_template, request

from bot.console.blueprint import MAX_REPLY, MAX_TEXT, audit, bp, settings
from bot.console.editing import EditError
from bot.console.examples_edit import Added, AlreadyListed, add_example, added_at, teachable_topics
from bot.console.reviewing import language_statuses
from bot.console.security import requires
from bot.console.working import Working, edit, working
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


def _page(
    text: str,
    source: str,
    *,
    refused: str | None = None,
    notice: str | None = None,
    added: Added | None = None,
    chosen: tuple[str, str] = ("", ""),
    status: int = 200,
) -> tuple[str, int]:
    """The try panel: the text, its answer and why, and the "should be" control."""
    current = working()
    result, error = _answer(text, source, current)
    langs = current.parsed.languages
    topic, lang = chosen
    if result is not None and not lang:
        lang = result.lang
    titles = {t.id: t.titles.get(langs[0], "") if langs else "" for t in current.parsed.topics}
    return render_template(
        "console/try.html",
        source=source,
        text=text,
        result=result,
        error=error,
        refused=refused,
        notice=notice,
        added=added,
        topics=[(tid, titles.get(tid, "")) for tid in teachable_topics(current.parsed.data)],
        languages=language_statuses(current.bundle, langs),
        chosen_topic=topic,
        chosen_lang=lang,
    ), status


@bp.route("/try", methods=["GET", "POST"], endpoint="try_text")
@requires("editor")
def try_page() -> Any:
    """A phone-shaped panel: a text in, the reply out, and why. Nothing typed is kept or logged."""
    source = "live" if request.values.get("source") == "live" else "draft"
    text = request.form.get("text", "")[:MAX_TEXT] if request.method == "POST" else ""
    return _page(text, source)


@bp.post("/try/should-be", endpoint="should_be")
@requires("editor")
def should_be() -> Any:
    """Add the typed text to the draft's example texts of the topic it should get, in the
    language chosen, checked as the library check reads examples; then try it on the draft."""
    # One character over the limit, so that the check says the text is too long: cut, it would
    # be stored as a text nobody sent.
    text = request.form.get("text", "")[: MAX_TEXT + 1]
    source = "live" if request.form.get("source") == "live" else "draft"
    topic = request.form.get("topic", "")[:64]
    lang = request.form.get("lang", "")[:32]
    where: list[Added] = []

    def change(bundle: dict[str, str]) -> dict[str, str]:
        changed = add_example(bundle, topic, lang, text)
        where.append(added_at(changed, topic, lang))
        return changed

    try:
        edit(working(), change)
    except AlreadyListed as exc:
        return _page(text, source, notice=str(exc), chosen=(topic, lang))
    except EditError as exc:
        return _page(text, source, refused=str(exc), chosen=(topic, lang), status=400)
    added = where[-1]
    # The audit trail names the file and line, never the text (it is in the draft's diff).
    audit("draft_save", f"example text added to {added.file}:{added.line}")
    notice = (
        f"Added to the draft's examples of {topic}: {added.file}, line {added.line}. "
        "Below, the draft's answer now, with the reader trained again on its examples."
    )
    return _page(text, "draft", notice=notice, added=added, chosen=(topic, lang))
