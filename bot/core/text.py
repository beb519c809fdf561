"""Normalisation of message and keyword text: case, accents, punctuation, emoji, stretched letters."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NOT_WORD = re.compile(r"[^a-z0-9#]+")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
# Letters people stretch for emphasis ("ayudaaa", "pleeease") collapse to one; doubled letters that
# spelling needs ("llamar", "free", "arroz") are left alone because only runs of three or more fold.


def _drop_symbols(text: str) -> str:
    """Remove emoji, pictographs and other symbols, which anyascii would spell out as words."""
    return "".join(
        ch if unicodedata.category(ch)[0] not in "SC" or ch in "\t\n\r#" else " " for ch in text
    )


def normalize(text: str) -> str:
    """Fold text to lower-case ASCII words split by single spaces: 'Inmigración!' -> 'inmigracion'."""
    folded = anyascii(_drop_symbols(unicodedata.normalize("NFC", text))).lower()
    folded = folded.replace("'", "").replace("`", "")  # "won't" -> "wont", as people type it anyway
    folded = _NOT_WORD.sub(" ", folded)
    folded = _STRETCHED.sub(r"\1", folded)
    return " ".join(folded.split())


def tokenize(text: str) -> list[str]:
    """The normalised words of a text, with '#' kept only where it leads a number ('#2')."""
    out = []
    for word in normalize(text).split():
        word = word if re.fullmatch(r"#\d+", word) else word.replace("#", "")
        if word:
            out.append(word)
    return out
