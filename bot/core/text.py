"""Normalisation of message and keyword text: case, accents, punctuation, emoji, stretched letters."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import anyascii as _anyascii
from anyascii import anyascii

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Words are runs of letters, digits and '#'. Blanking every other ASCII character and splitting on
# the blanks finds them in a tenth of the time a regular expression takes on a long text. The table
# is a tuple with an entry for every ASCII character: str.translate indexes it, where a dict of the
# blanked characters alone costs a failed lookup per other character (five times slower in all).
_BLANK_NON_WORD = tuple(
    chr(code) if chr(code) in _LETTERS + "0123456789#" else " " for code in range(128)
)
# Letters people stretch for emphasis ("ayudaaa", "pleeease") collapse to one; doubled letters that
# spelling needs ("llamar", "free", "arroz") are left alone because only runs of three or more fold.
_STRETCHED = re.compile(r"([a-z])\1\1+")
_TRIPLED = tuple(letter * 3 for letter in _LETTERS)
_LONG_TEXT = 150  # characters
_MENU_HASH = re.compile(r"#\d+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: Characters of scripts written without spaces between words: Han (CJK ideographs) and kana.
_UNSPACED = re.compile(
    r"[\u2e80-\u2fdf\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
)


def _fold_char(found: re.Match[str]) -> str:
    """One non-ASCII character as ASCII: accents dropped, emoji and other symbols blanked (anyascii
    would spell them out as words); a Han or kana character as a word of its own."""
    ch = found.group()
    if unicodedata.category(ch)[0] in "SC":
        return " "
    if _UNSPACED.match(ch):
        # Chinese and Japanese put no spaces between words, and anyascii runs their characters
        # together ("我需要帮助" -> "woxuyaobangzhu"), so a keyword "帮助" could never be found in
        # a sentence. Each character is a word of its own, named by its code point: its pinyin
        # ("gun", "you", "de") would read as English or Spanish words, danger words among them; in
        # decimal, so no run of three letters is folded as a stretched one.
        return f" u{ord(ch)} "
    return _ascii_of(ch)


#: anyascii's cache of the 256-character blocks it has read (pinned in requirements.txt).
_ANYASCII_BLOCKS = getattr(_anyascii, "_blocks", None)


def release_transliteration_tables() -> None:
    """Forget the blocks anyascii read (a library's romanised examples and keyword spellings read
    dozens), which no text a worker answers needs: _ascii_of remembers the few characters it
    meets. With nine languages' examples this freed 0.9 MB of a worker."""
    if isinstance(_ANYASCII_BLOCKS, dict):
        _ANYASCII_BLOCKS.clear()


@lru_cache(maxsize=4096)
def _ascii_of(ch: str) -> str:
    """anyascii's spelling of one character, remembered for the characters met. anyascii keeps
    every block it read, all 256 spellings of it, for the life of the process: a library of
    nine languages (Hangul alone spans 44 blocks) left 2.5 MB of them in every worker."""
    folded = anyascii(ch)
    release_transliteration_tables()
    return folded


def normalize(text: str) -> str:
    """Fold text to lower-case ASCII words split by single spaces: 'Inmigración!' -> 'inmigracion'."""
    return " ".join(_fold(text).translate(_BLANK_NON_WORD).split())


def tokenize(text: str) -> list[str]:
    """The normalised words of a text, with '#' kept only where it leads a number ('#2')."""
    folded = _fold(text)
    words = folded.translate(_BLANK_NON_WORD).split()
    if "#" in folded:
        words = [w if _MENU_HASH.fullmatch(w) else w.replace("#", "") for w in words]
        words = [w for w in words if w]
    return words


def _fold(text: str) -> str:
    """Text in lower-case ASCII with stretched letters collapsed, its punctuation still in place
    (stretching never crosses a word's edge, so words can be cut out of it afterwards)."""
    if not text.isascii():  # only non-ASCII characters need folding, one by one
        text = _NON_ASCII.sub(_fold_char, unicodedata.normalize("NFC", text))
    folded = text.lower()
    folded = folded.replace("'", "").replace("`", "")  # "won't" -> "wont", as people type it anyway
    # On a long text, 26 plain searches rule out a stretched letter in half the time the pattern
    # takes; on a short one the pattern is quicker.
    if len(folded) < _LONG_TEXT or any(map(folded.__contains__, _TRIPLED)):
        folded = _STRETCHED.sub(_first_letter, folded)
    return folded


def _first_letter(run: re.Match[str]) -> str:
    """The letter of a stretched run (a function: re expands the template r"\1" in Python code)."""
    return run.group(1)
