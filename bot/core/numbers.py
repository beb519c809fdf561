"""The registry of verified phone numbers, and finding the phone numbers written in a reply."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

# Named in bundle.py, beside the library's other files: a draft may carry the registry too.
from bot.core.bundle import MAX_REGISTRY_BYTES, REGISTRY_FILE, read_file, too_big
from bot.core.invisible import invisible_characters
from bot.core.problems import LibraryError, Problem
from bot.core.schema import load_yaml

#: Three-digit dialling codes a reply may print on their own: N11 services and the 988 lifeline.
SERVICE_CODES = frozenset({"211", "311", "411", "511", "611", "711", "811", "911", "988"})

#: service: 911, 211, 988; short: a 5-6 digit SMS short code; nanp: a 10-digit US number;
#: local: a 7-digit number without its area code, which no registry entry can match.
NumberKind = Literal["service", "short", "nanp", "local"]

_KEYPAD = {
    letter: digit
    for digit, letters in {
        "2": "ABC",
        "3": "DEF",
        "4": "GHI",
        "5": "JKL",
        "6": "MNO",
        "7": "PQRS",
        "8": "TUV",
        "9": "WXYZ",
    }.items()
    for letter in letters
}


class RegistryError(LibraryError):
    """Raised when the number registry cannot be loaded; carries every problem found."""


@dataclass(frozen=True)
class VerifiedNumber:
    """One registry entry: a number a reply may print, what it reaches, and when it was checked."""

    id: str
    number: str
    digits: str
    what: str
    source: str
    verified: dt.date
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class NumberRegistry:
    """The verified numbers, keyed by id and by normalised digits."""

    entries: tuple[VerifiedNumber, ...]
    file: str = REGISTRY_FILE

    @cached_property
    def by_digits(self) -> Mapping[str, VerifiedNumber]:
        """Entries keyed by their normalised digits."""
        return MappingProxyType({e.digits: e for e in self.entries})

    @cached_property
    def by_id(self) -> Mapping[str, VerifiedNumber]:
        """Entries keyed by id."""
        return MappingProxyType({e.id: e for e in self.entries})

    def lookup(self, number: str) -> VerifiedNumber | None:
        """The entry for a number written in any form ('1-800-799-SAFE', '(800) 799-7233'), or None."""
        return self.by_digits.get(normalize_number(number))


@dataclass(frozen=True)
class FoundNumber:
    """A phone number or code found in a text: as written, where, and as normalised digits."""

    text: str
    digits: str
    kind: NumberKind
    start: int
    end: int
    line: int
    #: Set when a vanity number's letters and the digits written after it disagree.
    conflict: str | None = None


def normalize_number(number: str) -> str:
    """Digits of a number, letters read off the keypad and the US country code dropped."""
    digits = "".join(_KEYPAD.get(ch.upper(), ch) for ch in number if ch.isascii() and ch.isalnum())
    if len(digits) == 11 and digits.startswith("1"):
        return digits[1:]
    return digits


def number_kind(digits: str) -> NumberKind | None:
    """What sort of dialable number normalised digits are, or None if they are not phone-like."""
    if digits in SERVICE_CODES:
        return "service"
    if len(digits) in (5, 6):
        return "short"
    if len(digits) == 10:
        return "nanp"
    return None


def format_number(digits: str) -> str:
    """Normalised digits in the form the registry writes them: 1-888-373-7888, 233733, 911."""
    if len(digits) == 10:
        return f"1-{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return digits


# --- Finding numbers in text -----------------------------------------------------------------

# Separators inside a number: space, no-break space, dot, hyphens and dashes; never a newline,
# so a menu's "1 Work" line cannot join the next line into something number-shaped.
_SEP = r"[ \u00a0.\-\u2010\u2011\u2013]"
# A letter or digit a number may not be glued to: any word character but those of scripts written
# without spaces between words (Han, Kana, Hangul, Thai), where "拨打911" and "911에" are numbers.
_GLUED = r"[^\W\u0e00-\u0e7f\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff]"
# Not glued to a word, an amount, a decimal, a list like "24/7", or a longer digit string.
_BEFORE = rf"(?<!{_GLUED})(?<![$€£¥#/+])(?<!\d[.,:/-])"
_AFTER = rf"(?!{_GLUED})(?![%/])(?![.,:/-]\d)"
_AREA = r"(?:\(\d{3}\)|\d{3})"

_NANP = re.compile(rf"{_BEFORE}(?P<cc>\+?1{_SEP}?)?{_AREA}{_SEP}?\d{{3}}{_SEP}?\d{{4}}{_AFTER}")
# A vanity number: a numeric area code, then groups of digits and letters joined by - or .
_VANITY = re.compile(
    rf"{_BEFORE}(?P<cc>\+?1{_SEP}?)?{_AREA}{_SEP}"
    r"(?P<tail>[0-9A-Za-z]+(?:[.\-][0-9A-Za-z]+)*)"
    rf"(?!{_GLUED})"
)
# The digits some write after a vanity number: "1-800-799-SAFE (7233)".
_SPELLED_OUT = re.compile(r"[ \u00a0]?\((?P<digits>\+?\d[\d \u00a0.\-]*\d)\)")
# A seven-digit local number is found so that it is reported, not silently let through.
_LOCAL = re.compile(rf"{_BEFORE}\d{{3}}[.\-\u2010\u2011]\d{{4}}{_AFTER}")
_SHORT = re.compile(rf"{_BEFORE}\d{{5,6}}{_AFTER}")
_SERVICE = re.compile(rf"{_BEFORE}(?:[2-9]11|988|[2-9]-1-1|9-8-8){_AFTER}")
# Five digits after a state abbreviation are a ZIP code, not a short code: "Seattle, WA 98104".
_ZIP_BEFORE = re.compile(r"\b[A-Z]{2} $")


def _vanity(match: re.Match[str], text: str) -> tuple[str, int, str | None] | None:
    """Digits, end and any conflict of a vanity-number match, or None if it is not one."""
    tail = match["tail"]
    letters = [ch for ch in tail if ch.isalpha()]
    if not letters:
        return None
    # Lower-case letters are only taken with a country code: "300-year-old" is prose.
    if any(ch.islower() for ch in letters) and not match["cc"]:
        return None
    if sum(ch.isalnum() for ch in tail) < 7:
        return None  # "401-K", "800-A": too short to be a spelled number
    digits = normalize_number(match.group())
    end, conflict = match.end(), None
    spelled = _SPELLED_OUT.match(text, end)
    if spelled:
        written = normalize_number(spelled["digits"])
        agrees = digits == written if len(written) >= 10 else digits.endswith(written)
        if not agrees:
            conflict = (
                f"{match.group()!r} spells {format_number(digits)} "
                f"but the digits written after it are {spelled['digits']!r}"
            )
        end = spelled.end()
    return digits, end, conflict


def find_numbers(text: str) -> tuple[FoundNumber, ...]:
    """The phone numbers, short codes and service codes written in a text, in order.

    Linear in the text's length: a mask marks the characters numbers already took, and lines
    are found by bisecting the newlines' offsets, not by counting from the start each time.
    """
    found: list[FoundNumber] = []
    taken = bytearray(len(text))
    newlines = [i for i, ch in enumerate(text) if ch == "\n"] if "\n" in text else []

    def free(start: int, end: int) -> bool:
        return taken.find(1, start, end) == -1

    def add(
        start: int, end: int, digits: str, kind: NumberKind, conflict: str | None = None
    ) -> None:
        taken[start:end] = b"\x01" * (end - start)
        line = bisect.bisect_left(newlines, start) + 1
        found.append(FoundNumber(text[start:end], digits, kind, start, end, line, conflict))

    for m in _VANITY.finditer(text):
        result = _vanity(m, text)
        if result and free(m.start(), result[1]):
            digits, end, conflict = result
            add(m.start(), end, digits, number_kind(digits) or "nanp", conflict)
    for m in _NANP.finditer(text):
        if free(*m.span()):
            add(*m.span(), normalize_number(m.group()), "nanp")
    for m in _LOCAL.finditer(text):
        if free(*m.span()):
            add(*m.span(), normalize_number(m.group()), "local")
    for m in _SHORT.finditer(text):
        # Only the few characters before the match can be a state: "WA " (searching from the
        # start of the text each time made a long reply quadratic).
        if free(*m.span()) and not _ZIP_BEFORE.search(text, max(m.start() - 3, 0), m.start()):
            add(*m.span(), m.group(), "short")
    for m in _SERVICE.finditer(text):
        if free(*m.span()):
            add(*m.span(), normalize_number(m.group()), "service")
    return tuple(sorted(found, key=lambda f: f.start))


# --- Loading the registry --------------------------------------------------------------------


def _as_date(value: Any) -> dt.date | None:
    """A YAML date, or an ISO date written as a string; None if it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def load_registry(text: str, file: str = REGISTRY_FILE) -> NumberRegistry:
    """Build the registry from numbers.yaml text, or raise RegistryError listing every problem."""
    problems: list[Problem] = []
    # The same caps and the same safe loader as keywords.yaml: no aliases, no deep nesting.
    problem = too_big(file, len(text.encode("utf-8", "surrogatepass")), MAX_REGISTRY_BYTES)
    if problem is not None:
        raise RegistryError([problem])
    try:
        raw, lines = load_yaml(text, file)
    except LibraryError as exc:
        raise RegistryError(exc.problems) from None
    items = raw.get("numbers") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise RegistryError([Problem(file, 1, "expected a non-empty list under 'numbers:'")])

    entries: list[VerifiedNumber] = []
    seen_ids: dict[str, int] = {}
    seen_digits: dict[str, str] = {}
    for index, item in enumerate(items):
        line = lines.of(("numbers", index))

        def error(message: str, line: int = line) -> None:
            problems.append(Problem(file, line, message))

        if not isinstance(item, dict):
            error("each entry must be a mapping with id, number, what, source and verified")
            continue
        missing = [
            k for k in ("id", "number", "what", "source", "verified") if item.get(k) in (None, "")
        ]
        extra = sorted(set(item) - {"id", "number", "what", "source", "verified"})
        if missing or extra:
            detail = "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"unknown keys {', '.join(map(str, extra))}" if extra else "",
                )
                if part
            )
            error(f"entry {item.get('id', index)!r}: {detail}")
            continue
        entry_id, number = str(item["id"]), str(item["number"])
        verified = _as_date(item["verified"])
        if verified is None:
            error(f"entry {entry_id!r}: verified must be a date like 2026-11-24")
            continue
        hidden = invisible_characters(number)
        if hidden:
            names = ", ".join(h.name for h in hidden)
            error(
                f"entry {entry_id!r}: {number!r} holds invisible characters ({names}): delete them"
            )
            continue
        digits = normalize_number(number)
        if number_kind(digits) is None:
            error(f"entry {entry_id!r}: {number!r} is not a service code, short code or US number")
            continue
        # The checker must recognise the registry's own spelling, or replies using it go unchecked.
        if [f.digits for f in find_numbers(number)] != [digits]:
            error(f"entry {entry_id!r}: write the number as e.g. 1-888-373-7888, not {number!r}")
            continue
        if entry_id in seen_ids:
            error(f"id {entry_id!r} is used twice (first at line {seen_ids[entry_id]})")
            continue
        if digits in seen_digits:
            error(f"number {number!r} is already listed as {seen_digits[digits]!r}")
            continue
        seen_ids[entry_id], seen_digits[digits] = line, entry_id
        entries.append(
            VerifiedNumber(
                entry_id, number, digits, str(item["what"]), str(item["source"]), verified, line
            )
        )
    if problems:
        raise RegistryError(problems)
    return NumberRegistry(tuple(entries), file)


def load_registry_file(path: str | Path) -> NumberRegistry:
    """Load the registry from a numbers.yaml file: a plain file, UTF-8, within its cap."""
    path = Path(path)
    if path.is_symlink():
        # Unlike a library's own files, the registry may be shared, so a link to it is fine.
        path = path.resolve()
    text, problem = read_file(path, path.name, MAX_REGISTRY_BYTES)
    if problem is not None:
        raise RegistryError([problem])
    return load_registry(text or "", path.name)
