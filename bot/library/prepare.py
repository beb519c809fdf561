"""Preparing a library the way `flask library publish` does: read, transliterate, load and check.

The one place this happens: `flask library check|publish`, `flask try --dir`, the first start
(bot.live) and the operators' console all call it, so none of them can drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from bot.core.checks import CheckReport, check_library, ordered_problems
from bot.core.examples_reader import SavedReaders
from bot.core.language_gaps import language_gaps
from bot.core.library import (
    Bundle,
    Library,
    LibraryError,
    Problem,
    bundle_digest,
    kept_as_written,
    load_library_partly,
)
from bot.core.library import read_bundle as read_library_files
from bot.core.reader_checks import with_reader_checks
from bot.core.report import changes_as_json, report_as_json
from bot.core.sms import Change, transliterate_library
from bot.library.registry import (
    REGISTRY_FILE,
    RegistryUnavailable,
    deployment_registry_path,
    registry_of,
    registry_path_for,
)
from bot.settings import Settings

__all__ = [
    "PreparedLibrary",
    "check_bundle",
    "check_for_deployment",
    "prepare_bundle",
    "prepare_library",
    "publishable_bundle",
]


def prepare_bundle(
    bundle: Bundle, *, transliterate: bool = True
) -> tuple[dict[str, str], dict[str, tuple[Change, ...]]]:
    """A bundle as publish stores it (transliterated to GSM-7 look-alikes unless told not to),
    and the replacements made, by file."""
    if not transliterate:
        return dict(bundle), {}
    return transliterate_library(bundle, keep=kept_as_written(bundle))


@dataclass(frozen=True)
class PreparedLibrary:
    """A library prepared as publish prepares it: its files, the library they load to (None when
    they do not) and the check report (None only when keywords.yaml or the registry cannot be
    read). The report lists every problem at once: what keeps the files from loading, and what
    the checks found in the parts that did load, so one error never hides the others."""

    bundle: dict[str, str]
    changes: Mapping[str, tuple[Change, ...]]
    registry_path: Path
    library: Library | None
    report: CheckReport | None
    #: problems that kept the library or the registry from loading
    load_problems: tuple[Problem, ...]
    registry_found: bool

    @property
    def ok(self) -> bool:
        """True when publish would publish it: it loads and the checks find no error."""
        return not self.load_problems and self.report is not None and self.report.ok

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem found, errors first: the console, `flask library check` and publish
        all count these, so they always say the same number."""
        if self.report is not None:
            return self.report.problems
        return ordered_problems(self.load_problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that keep it from being published."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def digest(self) -> str:
        """The digest the published revision would get."""
        return bundle_digest(self.bundle)

    def raise_for_errors(self) -> None:
        """Raise what publish would refuse it for: FileNotFoundError without a registry, else
        LibraryError with the problems that keep it from loading, or the checks' errors."""
        if not self.registry_found and self.library is not None:
            raise FileNotFoundError(f"the number registry is missing: {self.registry_path}")
        if self.errors:
            raise LibraryError(list(self.errors))

    def as_json(self, directory: Path | None = None) -> dict[str, Any]:
        """The check report as JSON (`flask library check --json`), naming the directory read."""
        if self.report is not None:
            data = report_as_json(self.report)
        else:
            problems = self.problems
            data = {
                "ok": False,
                "errors": sum(p.severity == "error" for p in problems),
                "warnings": sum(p.severity == "warning" for p in problems),
                "replies": [],
                "exact_only": [],
                "problems": [
                    {"severity": p.severity, "file": p.file, "line": p.line, "message": p.message}
                    for p in problems
                ],
            }
        if directory is not None:
            data["directory"] = str(directory)
        data["registry"] = str(self.registry_path)
        data["digest"] = self.digest
        data["transliterated"] = changes_as_json(self.changes)
        data["languages"] = [asdict(gaps) for gaps in language_gaps(self.bundle)]
        return data


def check_bundle(
    bundle: Bundle,
    registry_path: Path,
    *,
    transliterate: bool = True,
    today: date | None = None,
    live: Library | None = None,
    saved: SavedReaders | None = None,
) -> PreparedLibrary:
    """Prepare library files (e.g. edited in the console) as publish would, and check them,
    the reader trained from their examples included (measured against `live`'s when given;
    loaded instead of trained when `saved` keeps one for the same examples)."""
    prepared, changes = prepare_bundle(bundle, transliterate=transliterate)
    # What loaded is checked even when something did not, so every error shows at once.
    library, load_problems = load_library_partly(prepared)
    loads = not load_problems
    registry = report = None
    registry_found = registry_path.is_file() or REGISTRY_FILE in prepared
    try:
        registry = registry_of(prepared, registry_path)
    except RegistryUnavailable as exc:
        registry_found = registry_found and not exc.missing
        load_problems += exc.problems
    if library is not None and registry is not None:
        report = check_library(library, registry, today or date.today())
        if load_problems:
            merged = ordered_problems([*load_problems, *report.problems])
            report = replace(report, problems=merged)
        else:  # the reader of a library that loads whole: trained, checked, measured
            report = with_reader_checks(report, library, live, saved)
    return PreparedLibrary(
        bundle=prepared,
        changes=changes,
        registry_path=registry_path,
        library=library if loads else None,
        report=report,
        load_problems=tuple(load_problems),
        registry_found=registry_found,
    )


def check_for_deployment(
    bundle: Bundle,
    settings: Settings,
    *,
    today: date | None = None,
    live: Library | None = None,
    saved: SavedReaders | None = None,
) -> PreparedLibrary:
    """Check library files (e.g. the console's draft) against this deployment's registry, its
    reader against `live`'s when given."""
    return check_bundle(
        bundle, deployment_registry_path(settings), today=today, live=live, saved=saved
    )


def prepare_library(
    directory: str | Path,
    settings: Settings | None = None,
    *,
    numbers: Path | None = None,
    transliterate: bool = True,
    today: date | None = None,
    live: Library | None = None,
    saved: SavedReaders | None = None,
) -> PreparedLibrary:
    """Read the library files under a directory and prepare them as `flask library publish`
    does, against the registry registry_path_for(directory, settings, numbers) picks."""
    return check_bundle(
        read_library_files(directory),
        registry_path_for(directory, settings, numbers),
        transliterate=transliterate,
        today=today,
        live=live,
        saved=saved,
    )


def publishable_bundle(
    directory: str | Path, settings: Settings | None = None, saved: SavedReaders | None = None
) -> dict[str, str]:
    """The files under a directory as publish would publish them; raises what publish would
    refuse them for (see PreparedLibrary.raise_for_errors)."""
    prepared = prepare_library(directory, settings, saved=saved)
    prepared.raise_for_errors()
    return prepared.bundle
