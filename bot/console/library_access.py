"""The console's one door to the library pipeline: prepare, check, try, publish, roll back, export.

Everything the console does with a library goes through here, the same code paths as the CLI
(`flask library check|publish|rollback|export`, `flask try`): bot.prepare prepares and checks a
bundle exactly as publish does, so the console and the CLI cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.library import Library, load_library
from bot.core.matcher import Matcher, build_matcher, match
from bot.core.numbers import NumberRegistry, find_numbers
from bot.core.sms import Change, SmsEncoding, encode_info, transliterate_gsm
from bot.library.prepare import PreparedLibrary, check_for_deployment, prepare_bundle
from bot.library.registry import deployment_registry
from bot.settings import Settings
from bot.store import Revision, Store

Checked = PreparedLibrary


@dataclass(frozen=True)
class Tried:
    """What a text would get: its topic, language, the reply as sent and its SMS cost."""

    topic: str
    lang: str
    reply: str | None
    info: SmsEncoding


def load_registry(settings: Settings) -> NumberRegistry:
    """The verified numbers a reply may carry."""
    return deployment_registry(settings)


def prepare(bundle: dict[str, str]) -> tuple[dict[str, str], dict[str, tuple[Change, ...]]]:
    """The bundle as `flask library publish` would store it: replies transliterated to GSM-7."""
    return prepare_bundle(bundle)


def check(bundle: dict[str, str], settings: Settings, today: date | None = None) -> Checked:
    """Prepare, load and check a bundle exactly as `flask library publish` does (bot.library)."""
    return check_for_deployment(bundle, settings, today=today)


def count(text: str, registry: NumberRegistry) -> dict[str, object]:
    """The live counter's figures for a reply being typed: length, encoding, segments, numbers."""
    info = encode_info(text)
    sent = encode_info(transliterate_gsm(text)[0])
    return {
        "text": text,
        "characters": info.characters,
        "encoding": info.encoding,
        "units": info.units,
        "segments": info.segments,
        "ucs2_chars": list(info.ucs2_chars),
        "published_encoding": sent.encoding,
        "published_segments": sent.segments,
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


def try_text(text: str, library: Library, matcher: Matcher | None = None) -> Tried:
    """The reply a text gets from a library, as `flask try` shows it."""
    found = match(text, matcher or build_matcher(library))
    reply = library.reply(found.topic, found.lang)
    return Tried(found.topic, found.lang, reply, encode_info(reply or ""))


def live_library(store: Store) -> tuple[Revision | None, Library | None]:
    """The live revision and its library (None before the first publish)."""
    revision = store.live_revision()
    return revision, (load_library(revision.bundle) if revision is not None else None)
