"""The checks' errors for what a phone would not show as written: invisible characters in any
file of a library, and phone numbers that a phone lays out in another order."""

from __future__ import annotations

from collections import defaultdict

from bot.core.bundle import Bundle
from bot.core.invisible import BYTE_ORDER_MARK, as_displayed, invisible_characters
from bot.core.numbers import find_numbers
from bot.core.problems import Problem


def _error(file: str, line: int, message: str) -> Problem:
    return Problem(file, line, message, "error")


def display_problems(text: str, file: str, line: int | None = None) -> list[Problem]:
    """Errors for numbers a phone shows otherwise than written: reversed by a direction control,
    or with their groups reordered in a right-to-left line; `line` overrides the line found."""
    problems = []
    for number, written in enumerate(text.split("\n"), 1):
        found = find_numbers(written)
        if not found or (written.isascii() and written.isprintable()):
            continue  # printable ASCII has no direction of its own: it shows as written
        shown = as_displayed(written)
        shown_digits = [f.digits for f in find_numbers(shown)]
        for f in found:
            if f.digits in shown_digits:
                shown_digits.remove(f.digits)
                continue
            problems.append(
                _error(
                    file,
                    number if line is None else line,
                    f"{f.text!r} shows on a phone as part of {shown.strip()!r}, not as written: "
                    "remove direction marks, and write the number as in "
                    "numbers.yaml (1-888-373-7888 shows the same in any language)",
                )
            )
    return problems


def invisible_problems(bundle: Bundle) -> list[Problem]:
    """Errors for characters a phone does not show, in every reply, title and keyword: one per
    line, naming each character and where it is."""
    problems = []
    for file, text in bundle.items():
        by_line: dict[int, list[str]] = defaultdict(list)
        for found in invisible_characters(text):
            if found.char == BYTE_ORDER_MARK and found.line == 1 and found.column == 1:
                problems.append(
                    _error(
                        file,
                        1,
                        "the file starts with a byte-order mark (U+FEFF), which phones show as "
                        "nothing and which costs the reply its GSM-7 encoding: save it as UTF-8 "
                        "without BOM",
                    )
                )
                continue
            by_line[found.line].append(f"{found.name} at character {found.column}")
        for line, chars in sorted(by_line.items()):
            shown = ", ".join(chars[:5]) + (f" and {len(chars) - 5} more" if len(chars) > 5 else "")
            problems.append(
                _error(
                    file,
                    line,
                    f"invisible character{'s' if len(chars) > 1 else ''} {shown}: phones show "
                    "nothing for it, and it can change how the text around it reads (a number "
                    "can show reversed): delete it",
                )
            )
    return problems
