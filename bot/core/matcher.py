"""Matching a text message to a topic of the library: opt-outs, menu numbers, keywords, typos."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.core.text import normalize

if TYPE_CHECKING:
    from bot.core.library import Library

#: Keyword words shorter than this match only exactly: "end"/"and", "pay"/"day" are one letter apart.
FUZZY_MIN_LENGTH = 5


def fuzzy_threshold(length: int) -> float | None:
    """The rapidfuzz ratio a word of this length needs to count as a typo of it; None = exact only."""
    if length < FUZZY_MIN_LENGTH:
        return None
    if length <= 6:
        return 85.0  # one missing or extra letter, not a substituted one ("labr" yes, "pagan"/"pagar" no)
    if length <= 8:
        return 84.0  # one substitution ("trabaho" -> "trabajo")
    return 80.0


def keyword_confusion(a: str, b: str) -> float | None:
    """The score at which the matcher could take keyword `a` for `b` (or back), or None if it would not."""
    na, nb = normalize(a), normalize(b)
    threshold = fuzzy_threshold(min(len(na), len(nb)))
    if threshold is None or na == nb:
        return 100.0 if na == nb else None
    score = fuzz.ratio(na, nb)
    return score if score >= threshold else None


@dataclass(frozen=True)
class Match:
    """What a message was matched to: the topic, the reply language, and how sure the matcher is."""

    topic: str
    lang: str
    score: float
    keyword: str | None = None


def build_matcher(library: Library) -> Matcher:
    """Prepare the matching index for a library (implemented below)."""
    return Matcher(library)


class Matcher:
    """Placeholder while the index is written."""

    def __init__(self, library: Library):
        self.library = library
