"""SMS encoding of a reply: GSM-7 or UCS-2, its length in units and segments, and GSM look-alikes."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from bot.core.bundle import RESPONSES_DIR, max_bytes
from bot.core.topics import VOICE_REPLY

# Written by hand: no maintained package counts GSM 03.38 segments with the extension table
# correctly (an extension character costs two septets and cannot be split across parts), and
# a wrong count here means a reply that quietly costs, or splits, more than the checks said.

#: GSM 03.38 default alphabet: each costs one septet. 0x09 is the capital C cedilla in the
#: Unicode mapping, though many handsets draw it as the small one.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: GSM 03.38 extension table: each costs two septets (the escape, then the character).
GSM_EXTENSION = frozenset("^{}\\[]~|€\f")

GSM_SINGLE_LIMIT, GSM_PART_LIMIT = 160, 153
UCS2_SINGLE_LIMIT, UCS2_PART_LIMIT = 70, 67

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SmsEncoding:
    """How a text travels as SMS: its encoding, its length in encoding units and in segments."""

    characters: int
    encoding: Encoding
    #: Septets for GSM-7, UTF-16 code units for UCS-2.
    units: int
    segments: int
    #: The distinct characters, in order of first use, that forced UCS-2 (empty for GSM-7).
    ucs2_chars: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    """One kind of substitution made by transliterate_gsm, and how many times it was made."""

    char: str
    replacement: str
    count: int

    def __str__(self) -> str:
        times = f" x{self.count}" if self.count > 1 else ""
        return f"{self.char!r} -> {self.replacement!r}{times}"


GSM_ALL = GSM_BASIC | GSM_EXTENSION


def is_gsm(text: str) -> bool:
    """Whether every character of the text is in the GSM 03.38 basic or extension table."""
    return GSM_ALL.issuperset(text)


def _pack(costs: list[int], single: int, part: int) -> int:
    """Parts needed for characters of these unit costs, never splitting one character's units."""
    if not costs:
        return 0
    if sum(costs) <= single:
        return 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part:
            parts, used = parts + 1, 0
        used += cost
    return parts


def encode_info(text: str) -> SmsEncoding:
    """Count the characters, encoding units and segments of a text sent as one SMS message."""
    ucs2 = tuple(
        dict.fromkeys(ch for ch in text if ch not in GSM_BASIC and ch not in GSM_EXTENSION)
    )
    if not ucs2:
        costs = [2 if ch in GSM_EXTENSION else 1 for ch in text]
        segments = _pack(costs, GSM_SINGLE_LIMIT, GSM_PART_LIMIT)
        return SmsEncoding(len(text), "GSM-7", sum(costs), segments)
    # Characters outside the BMP take a surrogate pair; handsets garble a pair split across parts.
    costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    segments = _pack(costs, UCS2_SINGLE_LIMIT, UCS2_PART_LIMIT)
    return SmsEncoding(len(text), "UCS-2", sum(costs), segments, ucs2)


#: Characters with a GSM-7 look-alike that accent stripping alone would not find.
_LOOKALIKES = {
    "\u2018": "'",  # left single quote
    "\u2019": "'",  # right single quote / apostrophe
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",  # prime
    "\u00b4": "'",  # acute accent on its own
    "`": "'",
    "\u201c": '"',  # left double quote
    "\u201d": '"',  # right double quote
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',  # double prime
    "\u00ab": '"',  # guillemets
    "\u00bb": '"',
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2022": "-",  # bullet
    "\u2026": "...",  # ellipsis
    "\u00a0": " ",  # non-breaking space
    "\u2002": " ",
    "\u2003": " ",
    "\u2007": " ",
    "\u2009": " ",  # thin space
    "\u202f": " ",  # narrow non-breaking space
    "\t": " ",
    "\u2028": "\n",  # line separator
    "\u200b": "",  # zero-width space
    "\u00ad": "",  # soft hyphen
    "\ufeff": "",  # byte order mark
    # The small c cedilla is not in the table; its capital is, and handsets often draw it small.
    "\u00e7": "\u00c7",
}


def _clusters(text: str) -> list[str]:
    """Split a text into base characters, each with the combining marks that follow it."""
    # Cut by offsets: adding each mark to the cluster's string copied it every time, quadratic
    # in a run of marks (a 500 KB reply of them took seconds).
    out: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if i and not unicodedata.combining(ch):
            out.append(text[start:i])
            start = i
    if text:
        out.append(text[start:])
    return out


def _lookalike(cluster: str) -> str | None:
    """The GSM-7 text to send instead of a non-GSM cluster, or None when there is none."""
    if cluster in _LOOKALIKES:
        return _LOOKALIKES[cluster]
    composed = unicodedata.normalize("NFC", cluster)
    if is_gsm(composed):  # a decomposed é, written as e + combining accent
        return composed
    if composed in _LOOKALIKES:
        return _LOOKALIKES[composed]
    decomposed = unicodedata.normalize("NFD", composed)
    base, marks = decomposed[0], decomposed[1:]
    if base in GSM_BASIC and base.isalpha() and all(unicodedata.combining(m) for m in marks):
        return base  # á -> a, Ó -> O, ê -> e: the accent is dropped, the letter kept
    return None


def transliterate_gsm(text: str) -> tuple[str, tuple[Change, ...]]:
    """Replace characters that have a GSM-7 look-alike, keeping GSM ones (é ñ ü ¿ ¡) as they are."""
    if is_gsm(text):
        return text, ()
    out: list[str] = []
    counts: Counter[tuple[str, str]] = Counter()
    for cluster in _clusters(text):
        replacement = None if is_gsm(cluster) else _lookalike(cluster)
        if replacement is None:
            out.append(cluster)
            continue
        out.append(replacement)
        counts[(cluster, replacement)] += 1
    changes = tuple(Change(char, replacement, n) for (char, replacement), n in counts.items())
    return "".join(out), changes


def transliterate_library(
    bundle: Mapping[str, str], keep: Collection[str] = ()
) -> tuple[dict[str, str], dict[str, tuple[Change, ...]]]:
    """Transliterate every reply file of a bundle to GSM-7 look-alikes but those in `keep` (their
    topic keeps its accents); report changes per file."""
    new_bundle = dict(bundle)
    changes: dict[str, tuple[Change, ...]] = {}
    for name, text in bundle.items():
        if not (name.startswith(f"{RESPONSES_DIR}/") and name.endswith(".txt")):
            continue
        if len(text) > max_bytes(name):  # left as it is, for load_library to refuse
            continue
        if name.endswith(f"/{VOICE_REPLY}.txt"):
            continue  # spoken, never sent as SMS: its accents help the voice
        if name in keep:
            continue
        new_text, made = transliterate_gsm(text)
        if made:
            new_bundle[name] = new_text
            changes[name] = made
    return new_bundle, changes
