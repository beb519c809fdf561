"""Characters a phone does not show, and a line of text in the order a phone shows it.

An operator's text can carry characters that print as nothing: direction controls (U+202E makes
"1-888-373-7888" show as "8887-373-888-1"), zero-width spaces and joiners, tag characters,
variation selectors, control codes. The checks refuse them by name and place, and compare each
phone number with the line as a phone lays it out (the Unicode bidirectional algorithm, which
phones apply per paragraph with the direction of its first strong letter), so a number that a
right-to-left line would show with its groups in another order is refused as well.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Categories that never show as a glyph: format characters (direction marks and controls,
#: zero-width joiners, the soft hyphen, tags), line and paragraph separators, surrogates,
#: private-use characters (a box, nothing, or a vendor's logo, depending on the phone).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zl", "Zp", "Cs", "Co"})
#: Default-ignorable characters outside those categories (Unicode's DerivedCoreProperties:
#: Default_Ignorable_Code_Point), and the braille blank, which shows as an empty space.
_OTHER_INVISIBLE = frozenset(
    {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x2800}
    | {0x3164, 0xFFA0}
    | set(range(0xFE00, 0xFE10))  # variation selectors
    | set(range(0xE0100, 0xE01F0))  # variation selectors supplement
)
#: Control codes a text file may hold: tab, line feed, carriage return.
_ALLOWED_CONTROLS = frozenset("\t\n\r")
#: Every character that may be invisible: ASCII controls and everything outside ASCII (ASCII
#: letters, digits and punctuation are skipped without a look-up, so a long file checks fast).
_CANDIDATE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\U0010ffff]")
BYTE_ORDER_MARK = "\ufeff"


@dataclass(frozen=True)
class InvisibleChar:
    """One invisible character of a text: which, and where (1-based line and character)."""

    char: str
    line: int
    column: int

    @property
    def name(self) -> str:
        """U+202E RIGHT-TO-LEFT OVERRIDE (a control code has no name: U+0007 control character)."""
        name = unicodedata.name(self.char, "") or (
            "control character" if unicodedata.category(self.char) == "Cc" else "unnamed"
        )
        return f"U+{ord(self.char):04X} {name}"


def is_invisible(char: str) -> bool:
    """True for a character a phone shows as nothing, or that changes how others show."""
    category = unicodedata.category(char)
    if category == "Cc":
        return char not in _ALLOWED_CONTROLS
    return category in _INVISIBLE_CATEGORIES or ord(char) in _OTHER_INVISIBLE


def invisible_characters(text: str) -> list[InvisibleChar]:
    """Every invisible character of a text, in order, with its line and character number."""
    found = []
    for match in _CANDIDATE.finditer(text):
        char = match.group()
        if is_invisible(char):
            start = match.start()
            line_start = text.rfind("\n", 0, start) + 1
            found.append(
                InvisibleChar(char, text.count("\n", 0, start) + 1, start - line_start + 1)
            )
    return found


def without_invisible(text: str) -> str:
    """The text without its invisible characters: what a phone prints of it."""
    if text.isascii() and not _CANDIDATE.search(text):
        return text
    return "".join(ch for ch in text if not is_invisible(ch))


def as_displayed(text: str) -> str:
    """The text as a phone shows it, line by line: in bidirectional display order, left to
    right, without invisible characters. A line of ASCII without controls shows as written."""
    from bidi import get_display  # python-bidi (the Rust unicode-bidi crate); checks only

    lines = []
    for line in text.split("\n"):
        if not (line.isascii() and not _CANDIDATE.search(line)):
            line = without_invisible(get_display(line))
        lines.append(line)
    return "\n".join(lines)
