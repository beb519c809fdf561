"""A library's reader: trained from its examples, checked, and measured against another's on held-out texts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core.problems import Problem
from bot.core.reader import Example, Reader, examples_digest, train_reader
from bot.core.topics import EMERGENCY_TOPIC, STOP_TOPIC

if TYPE_CHECKING:
    from bot.core.checks import CheckReport
    from bot.core.library import Library


class ReaderError(RuntimeError):
    """The reader of a library that has examples could not be trained."""


@dataclass(frozen=True)
class _Training:
    """What a training run depends on; compared and hashed by the examples' digest alone."""

    digest: str
    topics: tuple[str, ...]
    examples: tuple[Example, ...] = field(compare=False, hash=False)


@lru_cache(maxsize=4)  # the live library's and a draft's: a console check does not train twice
def _trained(training: _Training) -> Reader:
    return train_reader(training.examples, training.topics)


def reader_topics(library: Library) -> tuple[str, ...]:
    """The topics a reader may answer: every topic but the silent ones (opt-outs stay exact)."""
    return tuple(t.id for t in library.topics if not t.silent and t.id != STOP_TOPIC)


def library_reader(library: Library) -> Reader | None:
    """The reader trained from a library's examples; None when fewer than two topics have any
    (the rules answer alone). Raises ReaderError when training fails."""
    allowed = set(reader_topics(library))
    examples = tuple(e for e in library.examples.train if e.topic in allowed)
    # Only topics with examples: a topic without any is left to its rules, and costs no weights.
    named = {e.topic for e in examples}
    topics = tuple(t for t in reader_topics(library) if t in named)
    if len(topics) < 2:
        return None
    training = _Training(examples_digest(sorted(examples, key=_order)), topics, examples)
    try:
        return _trained(training)
    except (ValueError, FloatingPointError, MemoryError) as exc:
        raise ReaderError(f"the reader could not be trained from the examples: {exc}") from exc


def _order(example: Example) -> tuple[str, str]:
    return (example.topic, example.text)


@dataclass(frozen=True)
class ReaderScore:
    """How a reader (with the rules) does on held-out examples."""

    total: int
    right: int
    emergencies: int
    emergencies_caught: int
    false_emergencies: int

    @property
    def top1(self) -> float:
        """Share of held-out texts given their topic."""
        return self.right / self.total if self.total else 0.0

    @property
    def emergency_recall(self) -> float:
        """Share of held-out emergencies given the emergency reply."""
        return self.emergencies_caught / self.emergencies if self.emergencies else 1.0


def score_on(heldout: Sequence[Example], answer) -> ReaderScore:
    """Measure `answer` (text -> topic) on held-out examples."""
    right = emergencies = caught = false = 0
    for example in heldout:
        topic = answer(example.text)
        right += topic == example.topic
        if example.topic == EMERGENCY_TOPIC:
            emergencies += 1
            caught += topic == EMERGENCY_TOPIC
        elif topic == EMERGENCY_TOPIC:
            false += 1
    return ReaderScore(len(heldout), right, emergencies, caught, false)


def compare_libraries(draft: Library, live: Library | None) -> list[Problem]:
    """The check of a draft's reader against the live library's, on the draft's held-out
    examples: a warning when it places fewer right, an error when it catches fewer emergencies."""
    from bot.core.matcher import build_matcher, match

    problems: list[Problem] = []
    heldout = [e for e in draft.examples.heldout if e.topic in reader_topics(draft)]
    if not heldout:
        return problems
    try:
        draft_matcher = build_matcher(draft)
    except ReaderError as exc:
        return [Problem("examples", 0, str(exc))]
    mine = score_on(heldout, lambda text: match(text, draft_matcher).topic)
    if live is None:
        return problems
    try:
        live_matcher = build_matcher(live)
    except ReaderError:
        return problems  # nothing good to compare with
    theirs = score_on(heldout, lambda text: match(text, live_matcher).topic)
    if mine.emergencies_caught < theirs.emergencies_caught:
        problems.append(
            Problem(
                "examples",
                0,
                f"with these examples the bot catches {mine.emergencies_caught} of "
                f"{mine.emergencies} held-out emergencies, the live library {theirs.emergencies_caught}: "
                "an example that teaches the reader to miss emergencies cannot be published",
            )
        )
    if mine.right < theirs.right:
        problems.append(
            Problem(
                "examples",
                0,
                f"with these examples the bot places {mine.right} of {mine.total} held-out texts "
                f"right, the live library {theirs.right}: look at the examples you changed",
                "warning",
            )
        )
    return problems


def coverage_warnings(library: Library) -> list[Problem]:
    """Warnings for topics with no examples in a language: they work through their rules alone."""
    from bot.core.examples import examples_path

    covered = library.examples.covered
    return [
        Problem(
            examples_path(topic, lang),
            0,
            f"no {lang} examples for {topic!r}: its texts are read by the keywords alone",
            "warning",
        )
        for topic in reader_topics(library)
        for lang in library.languages
        if lang not in covered.get(topic, frozenset())
    ]


def reader_problems(library: Library, live: Library | None = None) -> list[Problem]:
    """What the check says about a library's examples and reader: warnings found loading them,
    topics without examples, a reader that cannot be trained, and the comparison with `live`."""

    problems = [*library.load_warnings, *coverage_warnings(library)]
    try:
        library_reader(library)
    except ReaderError as exc:
        return [*problems, Problem("examples", 0, str(exc))]
    return problems + compare_libraries(library, live)


def with_reader_checks(report: CheckReport, library: Library, live: Library | None) -> CheckReport:
    """A check report with reader_problems added, errors first as check_library orders them."""
    extra = reader_problems(library, live)
    if not extra:
        return report
    problems = sorted(
        dict.fromkeys((*report.problems, *extra)),
        key=lambda p: (p.severity != "error", p.file, p.line, p.message),
    )
    return replace(report, problems=tuple(problems))
