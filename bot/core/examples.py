"""Example texts, library content: examples/<lang>/<topic>.txt teach the reader, one text a line.

examples/heldout/<lang>/<topic>.txt are written the same way by other writers and are never
learned from: the publish check measures a draft's reader on them against the live one's.
"""

from __future__ import annotations

import hashlib
import re
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.core.reader import Example, normalize_for_reader

EXAMPLES_DIR = "examples"
HELDOUT_DIR = "heldout"
#: An examples file's cap: about 4,000 texts of SMS length.
MAX_EXAMPLES_BYTES = 512 * 1024
#: The longest example text: a long SMS (10 segments of GSM-7).
MAX_EXAMPLE_CHARS = 1600
#: Past this many problems in one file the rest are counted, not listed: a file of thousands of
#: repeated lines is refused with a few lines named, at once.
MAX_PROBLEMS_PER_FILE = 5
#: A link in an example text: people in trouble do not text links; a link is pasted spam.
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)|\b[a-z0-9-]+\.(?:com|org|net|ly|io|gov)/")
#: C0 and C1 control characters but the tab.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")

Report = Callable[[str, int, str, str], None]  # file, line, message, severity


@dataclass(frozen=True)
class Examples:
    """A library's example texts: those the reader learns from and those held out to measure it."""

    train: tuple[Example, ...] = ()
    heldout: tuple[Example, ...] = ()
    #: topic -> languages with training examples
    covered: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))


def is_examples_file(name: str) -> bool:
    """Whether a bundle path is under examples/."""
    return name.startswith(f"{EXAMPLES_DIR}/")


def _is_heldout(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 4 and parts[1] == HELDOUT_DIR


def examples_path(topic_id: str, lang: str, *, heldout: bool = False) -> str:
    """The bundle path of a topic's examples in a language."""
    middle = f"{HELDOUT_DIR}/" if heldout else ""
    return f"{EXAMPLES_DIR}/{middle}{lang}/{topic_id}.txt"


class _LastParsed:
    """The examples last parsed, by a digest of their files, languages and topics, with what was
    reported of them. Loading a library again with the same examples (the console's every edit of
    a keyword or a reply, a check and then the publish) shares the Example objects the library
    already holds, instead of normalising 14,000 texts again (0.2 s) and holding two copies: the
    reader cache then finds its examples as they are (examples_reader._holds). Weak: only while a
    library still holds them, so a draft's examples are not kept past the request that read it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key = ""
        self.examples: weakref.ref[Examples] | None = None
        self.reported: tuple[tuple[str, int, str, str], ...] = ()


_LAST = _LastParsed()


def _examples_key(
    bundle: Mapping[str, str], languages: tuple[str, ...], topics: frozenset[str]
) -> str:
    digest = hashlib.sha256(repr((languages, sorted(topics))).encode())
    for name in sorted(n for n in bundle if is_examples_file(n)):
        digest.update(f"\0{name}\0".encode())
        digest.update(bundle[name].encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def parse_examples(
    bundle: Mapping[str, str],
    languages: tuple[str, ...],
    topics: frozenset[str],
    report: Report,
) -> Examples:
    """Read every examples file of a bundle; report what is wrong by file and line (the same
    examples as the last parsed: what was parsed and reported then, again).

    Errors: a file in the wrong place, a text too long, with a link or control characters, a text
    twice in one file, or one text under two topics. Warnings: a file of a language or topic the
    library lacks (left out), a held-out text that is also a training text (it measures nothing)."""
    key = _examples_key(bundle, languages, topics)
    with _LAST.lock:
        examples = _LAST.examples() if _LAST.key == key and _LAST.examples else None
        reported = _LAST.reported
    if examples is None:
        found: list[tuple[str, int, str, str]] = []
        examples = _parse(bundle, languages, topics, lambda *problem: found.append(problem))
        reported = tuple(found)
        with _LAST.lock:
            _LAST.key, _LAST.examples, _LAST.reported = key, weakref.ref(examples), reported
    for problem in reported:
        report(*problem)
    return examples


def _parse(
    bundle: Mapping[str, str],
    languages: tuple[str, ...],
    topics: frozenset[str],
    report: Report,
) -> Examples:
    train: list[Example] = []
    heldout: list[Example] = []
    # (heldout?, normalised text) -> where it was first listed
    first_seen: dict[tuple[bool, str], tuple[str, int, str]] = {}
    # Training files first, so a held-out text that is also learned from is always noticed.
    names = sorted((n for n in bundle if is_examples_file(n)), key=lambda n: (_is_heldout(n), n))
    for name in names:
        parts = name.split("/")
        held = _is_heldout(name)
        lang, file = (parts[2], parts[3]) if held else (parts[1], parts[-1])
        if not (len(parts) == 3 or held) or not file.endswith(".txt"):
            report(
                name,
                0,
                "unexpected file among the examples "
                "(expected examples/<lang>/<topic>.txt or examples/heldout/<lang>/<topic>.txt)",
                "error",
            )
            continue
        topic = file[:-4]
        # Left out, not refused: examples may arrive before their language or topic does.
        if lang not in languages:
            report(
                name,
                0,
                f"examples in language {lang!r}, which keywords.yaml does not list: left out",
                "warning",
            )
            continue
        if topic not in topics:
            report(
                name,
                0,
                f"examples for topic {topic!r}, which keywords.yaml does not have: left out",
                "warning",
            )
            continue
        counted = 0

        def problem(line: int, message: str, severity: str = "error") -> None:
            nonlocal counted
            counted += severity == "error"
            if counted <= MAX_PROBLEMS_PER_FILE:
                report(name, line, message, severity)  # noqa: B023 - called in this iteration only

        for number, raw in enumerate(bundle[name].splitlines(), 1):
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            if len(text) > MAX_EXAMPLE_CHARS:
                problem(number, f"an example may be at most {MAX_EXAMPLE_CHARS} characters")
                continue
            if _LINK.search(text):
                problem(number, "an example may not hold a link: write the text people send")
                continue
            if _CONTROL.search(text):
                problem(number, "an example holds a control character")
                continue
            key = normalize_for_reader(text)
            if not key:
                problem(number, "an example has no words")
                continue
            seen = first_seen.get((held, key))
            if seen is not None:
                where, line, other = seen
                if where == name:
                    problem(number, f"the same text as line {line}")
                elif other != topic:
                    problem(number, f"the same text is listed for {other!r} at {where}:{line}")
                # the same text for the same topic in another language ("ok", "hello"): once
                continue
            first_seen[(held, key)] = (name, number, topic)
            if held and (False, key) in first_seen:
                where, line, _ = first_seen[(False, key)]
                problem(number, f"held out but also learned from ({where}:{line})", "warning")
            (heldout if held else train).append(Example(text, topic, lang, name, number))
        if counted > MAX_PROBLEMS_PER_FILE:
            report(
                name,
                0,
                f"{counted} problems in this file, the first {MAX_PROBLEMS_PER_FILE} named",
                "error",
            )
    covered: dict[str, set[str]] = {}
    for example in train:
        covered.setdefault(example.topic, set()).add(example.lang)
    return Examples(
        train=tuple(train),
        heldout=tuple(heldout),
        covered=MappingProxyType({t: frozenset(ls) for t, ls in covered.items()}),
    )
