"""The check of a library's reader: its warnings and errors, and a draft measured against the live library."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.examples_reader import (
    ReaderError,
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
        draft_matcher = build_matcher(draft, saved=saved)
    except ReaderError as exc:
        return [Problem("examples", 0, str(exc))]
    mine = score_on(heldout, lambda text: match(text, draft_matcher).topic)
    try:
        live_matcher = build_matcher(live, saved=saved)
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
