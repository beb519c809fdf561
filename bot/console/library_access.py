"""The console's one door to the library pipeline: prepare, check, try, publish, roll back, export.

Everything the console does with a library goes through here, the same code paths as the CLI
(`flask library check|publish|rollback|export`, `flask try`): bot.prepare prepares and checks a
bundle exactly as publish does, so the console and the CLI cannot drift apart.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.core.checks import CheckReport
from bot.core.library import Library, Problem, load_library
from bot.core.matcher import Matcher, build_matcher, match
from bot.core.numbers import NumberRegistry, find_numbers, load_registry_file
from bot.core.sms import Change, SmsEncoding, encode_info, transliterate_gsm
from bot.prepare import check_bundle, prepare_bundle, registry_path_for
from bot.settings import Settings
from bot.store import Revision, Store


@dataclass(frozen=True)
class Checked:
    """A bundle prepared as publish prepares it, loaded and checked."""

    bundle: dict[str, str]
    changes: dict[str, tuple[Change, ...]]
    library: Library | None
    report: CheckReport | None
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when nothing stops publishing."""
        return self.library is not None and not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that block publishing."""
        return tuple(p for p in self.problems if p.severity == "error")


@dataclass(frozen=True)
class Tried:
    """What a text would get: its topic, language, the reply as sent and its SMS cost."""

    topic: str
    lang: str
    reply: str | None
    info: SmsEncoding


def registry_path(settings: Settings) -> Path:
    """The number registry publish checks against: LIBRARY_DIR's, else the project's."""
    return registry_path_for(settings.library_dir, settings)


def load_registry(settings: Settings) -> NumberRegistry:
    """The verified numbers a reply may carry."""
    return load_registry_file(registry_path(settings))


def prepare(bundle: dict[str, str]) -> tuple[dict[str, str], dict[str, tuple[Change, ...]]]:
    """The bundle as `flask library publish` would store it: replies transliterated to GSM-7."""
    return prepare_bundle(bundle)


def check(bundle: dict[str, str], settings: Settings, today: date | None = None) -> Checked:
    """Prepare, load and check a bundle exactly as `flask library publish` does (bot.prepare)."""
    prepared = check_bundle(bundle, registry_path(settings), today=today)
    return Checked(
        dict(prepared.bundle),
        dict(prepared.changes),
        prepared.library,
        prepared.report,
        tuple(prepared.problems),
    )


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


def publish(store: Store, checked: Checked, *, by: str, comment: str) -> Revision:
    """Store a checked bundle as the new live revision (the CLI's publish, same history)."""
    if not checked.ok:
        raise ValueError("a library with errors is never published")
    return store.publish(checked.bundle, published_by=by, comment=comment)


def rollback(store: Store, revision_id: int) -> Revision:
    """Make an earlier revision live again, if it loads with this version of the bot."""
    target = store.get_revision(revision_id)
    load_library(target.bundle)  # LibraryError: workers would refuse it, so refuse here
    return store.make_live(target.id)


def export_zip(revision: Revision) -> bytes:
    """A revision as a zip of the files `flask library export` writes, byte for byte."""
    buffer = io.BytesIO()
    stamp = revision.published_at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(revision.bundle.items()):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))  # write_bundle writes UTF-8 too
    return buffer.getvalue()
