"""The check of a library's reader: its warnings and errors, and a draft measured against the live library."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.examples_reader import (
    ReaderError,
    ReaderScore,
    SavedReaders,
    coverage_warnings,
    library_reader,
    reader_topics,
    score_on,
)
from bot.core.matcher import build_matcher, match
from bot.core.problems import Problem

if TYPE_CHECKING:
    from bot.core.checks import CheckReport
    from bot.core.library import Library
    from bot.core.reader import Example

#: How many (library, held-out set) scores are remembered. The console checks the draft at
#: every page it shows; the live library's score, and an unchanged draft's, are the same each
#: time, and measuring one (a matcher built, every held-out text matched) takes a second or more.
#: The figures are a few integers; the texts are the library's own examples, never traffic.
SCORES_KEPT = 8
_scores: OrderedDict[tuple[str, str], ReaderScore] = OrderedDict()
_scores_lock = threading.Lock()


def heldout_key(heldout: Sequence[Example]) -> str:
    """What identifies a set of held-out examples: their topics and texts, in order."""
    digest = hashlib.sha256()
    for example in heldout:
        digest.update(f"{example.topic}\t{example.text}\n".encode())
    return digest.hexdigest()


def scored(
    library: Library, heldout: Sequence[Example], saved: SavedReaders | None = None
) -> ReaderScore:
    """How the bot on `library` (rules and reader) does on held-out examples; the same library
    files and examples give the same figures, so the last SCORES_KEPT are remembered.
    Raises ReaderError when the library's reader cannot be built."""
    key = (library.digest, heldout_key(heldout))
    with _scores_lock:
        if key in _scores:
            _scores.move_to_end(key)
            return _scores[key]
    matcher = build_matcher(library, saved=saved)
    score = score_on(heldout, lambda text: match(text, matcher).topic)
    with _scores_lock:
        _scores[key] = score
        while len(_scores) > SCORES_KEPT:
            _scores.popitem(last=False)
    return score


def compare_libraries(
    draft: Library, live: Library | None, saved: SavedReaders | None = None
) -> list[Problem]:
    """The check of a draft's reader against the live library's, on the draft's held-out
    examples: a warning when it places fewer right, an error when it catches fewer emergencies.
    Readers `saved` keeps are loaded, not trained."""

    problems: list[Problem] = []
    heldout = [e for e in draft.examples.heldout if e.topic in reader_topics(draft)]
    if not heldout:
        return problems
    if live is None:  # nothing to compare with (a first start): no matcher to build and score
        try:
            library_reader(draft, saved)
        except ReaderError as exc:
            return [Problem("examples", 0, str(exc))]
        return problems
    try:
        mine = scored(draft, heldout, saved)
    except ReaderError as exc:
        return [Problem("examples", 0, str(exc))]
    try:
        theirs = scored(live, heldout, saved)
    except ReaderError:
        return problems  # nothing good to compare with
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


def reader_problems(
    library: Library, live: Library | None = None, saved: SavedReaders | None = None
) -> list[Problem]:
    """What the check says about a library's examples and reader: warnings found loading them,
    topics without examples, a reader that cannot be trained, and the comparison with `live`."""

    problems = [*library.load_warnings, *coverage_warnings(library)]
    try:
        library_reader(library, saved)
    except ReaderError as exc:
        return [*problems, Problem("examples", 0, str(exc))]
    return problems + compare_libraries(library, live, saved)


def with_reader_checks(
    report: CheckReport,
    library: Library,
    live: Library | None,
    saved: SavedReaders | None = None,
) -> CheckReport:
    """A check report with reader_problems added, errors first as check_library orders them."""
    extra = reader_problems(library, live, saved)
    if not extra:
        return report
    problems = sorted(
        dict.fromkeys((*report.problems, *extra)),
        key=lambda p: (p.severity != "error", p.file, p.line, p.message),
    )
    return replace(report, problems=tuple(problems))
