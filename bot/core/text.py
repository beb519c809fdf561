"""Normalisation of message and keyword text: case, accents, punctuation, emoji, stretched letters."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NOT_WORD = re.compile(r"[^a-z0-9#]+")
# Letters people stretch for emphasis ("ayudaaa", "pleeease") collapse to one; doubled letters that
# spelling needs ("llamar", "free", "arroz") are left alone because only runs of three or more fold.
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_MENU_HASH = re.compile(r"#\d+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_char(found: re.Match[str]) -> str:
    """One non-ASCII character as ASCII: accents dropped, emoji and other symbols blanked (anyascii
    would spell them out as words)."""
    ch = found.group()
    return " " if unicodedata.category(ch)[0] in "SC" else anyascii(ch)


def normalize(text: str) -> str:
    """Fold text to lower-case ASCII words split by single spaces: 'Inmigración!' -> 'inmigracion'."""
    if not text.isascii():  # only non-ASCII characters need folding, one by one
        text = _NON_ASCII.sub(_fold_char, unicodedata.normalize("NFC", text))
    folded = text.lower()
    folded = folded.replace("'", "").replace("`", "")  # "won't" -> "wont", as people type it anyway
    folded = _NOT_WORD.sub(" ", folded)
    folded = _STRETCHED.sub(r"\1", folded)
    return " ".join(folded.split())


def tokenize(text: str) -> list[str]:
    """The normalised words of a text, with '#' kept only where it leads a number ('#2')."""
    words = normalize(text).split()
    if any("#" in word for word in words):
        words = [w if _MENU_HASH.fullmatch(w) else w.replace("#", "") for w in words]
        words = [w for w in words if w]
    return words
