"""The scripts of a text's letters (ISO 15924 codes), counted as language detection reads them."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

# Scripts by code point: (first code point, script); a code point belongs to the last range
# starting at or before it. Only letters are counted, so punctuation ranges need no entry.
_RANGES = (
    (0x0000, "Latn"),
    (0x0370, "Grek"),
    (0x0400, "Cyrl"),
    (0x0530, "Armn"),
    (0x0590, "Hebr"),
    (0x0600, "Arab"),
    (0x0700, "Syrc"),
    (0x0780, "Thaa"),
    (0x0900, "Deva"),
    (0x0980, "Beng"),
    (0x0A00, "Guru"),
    (0x0A80, "Gujr"),
    (0x0B00, "Orya"),
    (0x0B80, "Taml"),
    (0x0C00, "Telu"),
    (0x0C80, "Knda"),
    (0x0D00, "Mlym"),
    (0x0D80, "Sinh"),
    (0x0E00, "Thai"),
    (0x0E80, "Laoo"),
    (0x0F00, "Tibt"),
    (0x1000, "Mymr"),
    (0x10A0, "Geor"),
    (0x1100, "Hang"),
    (0x1200, "Ethi"),
    (0x13A0, "Cher"),
    (0x1400, "Cans"),
    (0x1780, "Khmr"),
    (0x1800, "Mong"),
    (0x1E00, "Latn"),
    (0x1F00, "Grek"),
    (0x2000, "Zyyy"),
    (0x2E80, "Hani"),
    (0x3040, "Kana"),
    (0x3100, "Hani"),
    (0x3130, "Hang"),
    (0x3190, "Hani"),
    (0xA000, "Yiii"),
    (0xAC00, "Hang"),
    (0xD7B0, "Zyyy"),
    (0xF900, "Hani"),
    (0xFB00, "Latn"),
    (0xFB1D, "Hebr"),
    (0xFB50, "Arab"),
    (0xFE00, "Zyyy"),
    (0xFF21, "Latn"),
    (0xFF66, "Kana"),
    (0xFFA0, "Hang"),
    (0xFFE0, "Zyyy"),
    (0x20000, "Hani"),
)
_STARTS = tuple(start for start, _ in _RANGES)
_ASCII_LETTER = re.compile("[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NOT_ASCII_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())


def letter_script(ch: str) -> str:
    """The script of one letter, as an ISO 15924 code (Zyyy for none we tell apart)."""
    return _RANGES[bisect_right(_STARTS, ord(ch)) - 1][1]


def script_counts(text: str) -> Counter[str]:
    """How many letters of each script a text has (an ASCII text: 1 Latin letter, whatever its
    length, as no other script is there to weigh it against)."""
    counts: Counter[str] = Counter()
    if text.isascii():
        if _ASCII_LETTER.search(text):
            counts["Latn"] = 1  # the one script: how many letters does not matter
        return counts
    # ASCII letters are counted in C; only the other characters one by one.
    plain = len(text.encode("ascii", "ignore").translate(None, _NOT_ASCII_LETTERS))
    if plain:
        counts["Latn"] = plain
    for ch in _NON_ASCII.findall(text):
        if ch.isalpha():
            counts[letter_script(ch)] += 1
    return counts
