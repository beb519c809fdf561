"""The deployment's number registry (numbers.yaml): located and loaded here, and nowhere else.

One place decides which numbers.yaml counts, one error type says it cannot be used, and one rule
says when an edit is seen: every call reads the file as it is then (it is a few KB; there is no
cache to go stale). The console reads it per page, `flask outreach` per file, publish per check;
the voice channel reads it once at start because VOICE_CONNECT_NUMBER is a setting checked there.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.library import Problem
from bot.core.numbers import REGISTRY_FILE, NumberRegistry, RegistryError, load_registry_file
from bot.settings import PROJECT_ROOT, Settings

__all__ = [
    "REGISTRY_FILE",
    "RegistryUnavailable",
    "deployment_registry",
    "deployment_registry_path",
    "read_registry",
    "registry_path_for",
]

MISSING = "the number registry is missing"


class RegistryUnavailable(RegistryError):
    """The number registry cannot be used: missing, unreadable or invalid; carries its problems."""

    def __init__(self, path: Path, problems: list[Problem], *, missing: bool = False):
        self.path = path
        #: True when there is no file at all (publish then refuses with FileNotFoundError)
        self.missing = missing
        super().__init__(problems)


def registry_path_for(
    directory: str | Path, settings: Settings | None = None, numbers: Path | None = None
) -> Path:
    """The number registry: `numbers` if given, else DIR/numbers.yaml, else the one in
    LIBRARY_DIR, else the project's; the first of these candidates when none exists."""
    if numbers is not None:
        return numbers
    candidates = [Path(directory) / REGISTRY_FILE]
    if settings is not None and settings.library_dir:
        candidates.append(Path(settings.library_dir) / REGISTRY_FILE)
    candidates.append(PROJECT_ROOT / REGISTRY_FILE)
    return next((p for p in candidates if p.is_file()), candidates[0])


def deployment_registry_path(settings: Settings) -> Path:
    """The registry this deployment publishes against: LIBRARY_DIR's, else the project's."""
    return registry_path_for(settings.library_dir, settings)


def read_registry(path: Path) -> NumberRegistry:
    """The registry in a numbers.yaml file, read now; RegistryUnavailable when it cannot be used."""
    try:
        return load_registry_file(path)
    except FileNotFoundError:
        raise RegistryUnavailable(path, [Problem(str(path), 0, MISSING)], missing=True) from None
    except RegistryError as exc:
        raise RegistryUnavailable(path, exc.problems) from None
    except OSError as exc:
        problem = Problem(str(path), 0, f"cannot be read: {exc.strerror or exc}")
        raise RegistryUnavailable(path, [problem]) from None


def deployment_registry(settings: Settings) -> NumberRegistry:
    """The verified numbers a reply may carry in this deployment, read now from
    deployment_registry_path(settings); RegistryUnavailable when it cannot be used."""
    return read_registry(deployment_registry_path(settings))
