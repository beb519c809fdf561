"""A library's reader: trained from its examples (cached by their digest), and which topics have none."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import wraps
from typing import TYPE_CHECKING, Protocol

from bot.core import reader_training
from bot.core.kept import KeptWhileUsed
from bot.core.language_model import romanize, romanized_languages
from bot.core.problems import Problem
from bot.core.reader import (
    TWIN_SUFFIX,
    Example,
    Reader,
    examples_digest,
    select_examples,
    shown_examples,
)
from bot.core.saved_reader import reader_bytes, reader_from_bytes, saved_reader_key
from bot.core.topics import EMERGENCY_TOPIC, STOP_TOPIC

if TYPE_CHECKING:
    from bot.core.library import Library


class ReaderError(RuntimeError):
    """The reader of a library that has examples could not be trained."""


class SavedReaders(Protocol):
    """Where trained readers are kept between processes (the store, which every instance
    reads): a worker loads the reader publishing trained instead of training it again."""

    def saved_reader(self, key: str) -> bytes | None:
        """The bytes kept under a key, or None (none kept, or the store cannot be read)."""

    def keep_reader(self, key: str, data: Callable[[], bytes]) -> None:
        """Keep data() under a key unless something is kept there already; never raises."""


@dataclass(frozen=True)
class _Training:
    """What a training run depends on; compared and hashed by the examples' digest alone."""

    digest: str
    topics: tuple[str, ...]
    examples: tuple[Example, ...] = field(compare=False, hash=False)


def _reused(
    train: Callable[[_Training], Reader],
) -> Callable[[_Training, SavedReaders | None], Reader]:
    """Readers by the digest of their examples: the last one trained is kept (the check of a
    library and its going live, or a console check and the publish after it, train once), and
    any other while something still holds it (the live snapshot's), never one nothing uses:
    each costs 2**HASH_BITS x topics one-byte weights (2.6 MB with 20 topics)."""
    readers: KeptWhileUsed[tuple[str, tuple[str, ...]], Reader] = KeptWhileUsed()

    @wraps(train)
    def cached(training: _Training, saved: SavedReaders | None = None) -> Reader:
        key = (training.digest, training.topics)
        found = readers.get(key)
        if found is not None and not _holds(training.examples, found):
            # The same examples loaded again (the check's library, then the live one): the
            # weights are shared, the examples are this library's, so one copy stays in memory.
            kept = select_examples(training.examples, training.topics)[0]
            found = replace(found, examples=shown_examples(kept))
        elif found is None:
            found = _load_saved(training, saved) if saved is not None else None
            if found is None:
                found = train(training)
        if saved is not None:
            saved_key = _saved_key(training)
            saved.keep_reader(saved_key, lambda: reader_bytes(found, saved_key))
        readers.keep(key, found)
        return found

    # Forget every reader (as a worker that just started has none), like functools' caches.
    cached.cache_clear = readers.clear  # type: ignore[attr-defined]
    return cached


def _holds(examples: Sequence[Example], reader: Reader) -> bool:
    """True when the reader's examples are these very objects (not equal copies)."""
    first = reader.examples[0] if reader.examples else None
    return first is None or any(e is first for e in examples)


def _saved_key(training: _Training) -> str:
    return saved_reader_key(training.digest, training.topics)


def _load_saved(training: _Training, saved: SavedReaders) -> Reader | None:
    """The reader kept for these examples, or None (none kept, or not usable: train instead)."""
    key = _saved_key(training)
    data = saved.saved_reader(key)
    if data is None:
        return None
    kept, order, _ = select_examples(training.examples, training.topics)
    return reader_from_bytes(data, key, kept, order)


@_reused
def _trained(training: _Training) -> Reader:
    # In a child process: a serving worker never holds training's peak (bot.core.reader_training).
    return reader_training.train(training.examples, training.topics)


def reader_topics(library: Library) -> tuple[str, ...]:
    """The topics a reader may answer: every topic but the silent ones (opt-outs stay exact)."""
    return tuple(t.id for t in library.topics if not t.silent and t.id != STOP_TOPIC)


def library_reader(library: Library, saved: SavedReaders | None = None) -> Reader | None:
    """The reader trained from a library's examples; None when fewer than two topics have any
    (the rules answer alone). With `saved`, the one kept there for the same examples is loaded
    instead of trained, and one trained here is kept there. Raises ReaderError when training
    fails."""
    allowed = set(reader_topics(library))
    examples = tuple(e for e in library.examples.train if e.topic in allowed)
    examples += romanized_twins(examples, romanized_languages(library))
    # Only topics with examples: a topic without any is left to its rules, and costs no weights.
    named = {e.topic for e in examples}
    topics = tuple(t for t in reader_topics(library) if t in named)
    if len(topics) < 2:
        return None
    training = _Training(examples_digest(sorted(examples, key=_order)), topics, examples)
    try:
        return _trained(training, saved)
    except (ValueError, FloatingPointError, MemoryError, RuntimeError) as exc:
        raise ReaderError(f"the reader could not be trained from the examples: {exc}") from exc


def romanized_twins(
    examples: Sequence[Example], romanized: Mapping[str, Mapping[str, str]]
) -> tuple[Example, ...]:
    """Each example of a language people also text in Latin letters (language.yaml
    `romanized:`), romanised: the reader learns "pomogite" from "помогите". A twin's language
    is tagged -Latn (BCP 47's script subtag) and it keeps its source's file and line."""
    return tuple(
        Example(twin, e.topic, f"{e.lang}{TWIN_SUFFIX}", e.file, e.line)
        for e in examples
        if e.lang in romanized and (twin := romanize(e.text, romanized[e.lang])) != e.text
    )


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


def coverage_warnings(library: Library) -> list[Problem]:
    """Warnings for topics with no examples in a language: they work through their rules alone.
    A library with no examples at all is not warned about: the reader is off, by choice."""
    from bot.core.examples import examples_path

    covered = library.examples.covered
    if not covered:
        return []  # no examples at all: a library read by its rules alone, as before the reader
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
