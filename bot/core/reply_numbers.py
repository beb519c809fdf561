"""The phone numbers of a reply, as the checks report them: each with its registry entry, and an
error for each one the registry does not hold (bot.core.checks, bot.core.language_checks)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.numbers import FoundNumber, NumberRegistry, format_number
from bot.core.problems import Problem
from bot.core.sms import Encoding


@dataclass(frozen=True)
class ReplyNumber:
    """A number printed in a reply, and the registry entry it is, if any."""

    text: str
    digits: str
    registry_id: str | None


@dataclass(frozen=True)
class ReplyReport:
    """What one reply costs as SMS and which numbers it prints."""

    topic: str
    lang: str
    file: str
    characters: int
    encoding: Encoding
    units: int
    segments: int
    budget: int
    ucs2_chars: tuple[str, ...]
    numbers: tuple[ReplyNumber, ...]


def reply_numbers(
    found: Iterable[FoundNumber], registry: NumberRegistry
) -> tuple[ReplyNumber, ...]:
    """Each number found in a reply, with its registry id (None when unverified or ambiguous)."""
    return tuple(
        ReplyNumber(
            f.text,
            f.digits,
            None if f.conflict else getattr(registry.by_digits.get(f.digits), "id", None),
        )
        for f in found
    )


def number_problems(
    found: Iterable[FoundNumber], registry: NumberRegistry, file: str, line: int | None = None
) -> list[Problem]:
    """Errors for found numbers that are not in the registry; `line` overrides the found line."""
    problems = []
    for f in found:
        where = f.line if line is None else line
        if f.conflict:
            problems.append(Problem(file, where, f.conflict))
        elif f.kind == "local":
            problems.append(
                Problem(
                    file,
                    where,
                    f"{f.text!r} has no area code: write the full number as in {registry.file}",
                )
            )
        elif f.digits not in registry.by_digits:
            problems.append(
                Problem(
                    file,
                    where,
                    f"{f.text!r} ({format_number(f.digits)}) is not in {registry.file}: "
                    f"verify it and add it there, or remove it",
                )
            )
    return problems
