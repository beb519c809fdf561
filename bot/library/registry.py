"""The deployment's number registry (numbers.yaml): located and loaded here, and nowhere else.

One place decides which numbers.yaml counts, one error type says it cannot be used, and one rule
says when an edit is seen: every call reads the file as it is then (it is a few KB; there is no
cache to go stale). The console reads it per page, `flask outreach` per file, publish per check;
the voice channel reads it once at start because VOICE_CONNECT_NUMBER is a setting checked there.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bot.core.library import Bundle, Problem
from bot.core.numbers import (
    REGISTRY_FILE,
    NumberRegistry,
    RegistryError,
    load_registry,
    load_registry_file,
)
from bot.settings import PROJECT_ROOT, Settings

__all__ = [
    "REGISTRY_FILE",
    "RegistryUnavailable",
    "deployment_registry",
    "deployment_registry_path",
    "read_registry",
    "registry_of",
    "registry_path_for",
    "registry_text",
    "write_deployment_registry",
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


def registry_of(bundle: Bundle, registry_path: Path) -> NumberRegistry:
    """The registry a bundle is checked against: the one it carries (a console draft where an
    admin edited the numbers), else the file at registry_path; RegistryUnavailable if unusable."""
    text = bundle.get(REGISTRY_FILE)
    if text is None:
        return read_registry(registry_path)
    try:
        return load_registry(text, REGISTRY_FILE)
    except RegistryError as exc:
        raise RegistryUnavailable(registry_path, exc.problems) from None


def registry_text(bundle: Bundle, settings: Settings) -> str:
    """The numbers.yaml text a bundle carries, else the deployment's file ("" when none)."""
    if REGISTRY_FILE in bundle:
        return bundle[REGISTRY_FILE]
    try:
        return deployment_registry_path(settings).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def write_deployment_registry(settings: Settings, text: str) -> bool:
    """Make a published registry the deployment's numbers.yaml (replaced atomically, so a
    reader sees the old file or the new one); False when it holds this text already."""
    path = deployment_registry_path(settings)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    target = path.resolve() if path.is_symlink() else path
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=target.parent, prefix=".numbers-", delete=False
    ) as handle:
        handle.write(text)
    os.replace(handle.name, target)
    return True


def deployment_registry(settings: Settings) -> NumberRegistry:
    """The verified numbers a reply may carry in this deployment, read now from
    deployment_registry_path(settings); RegistryUnavailable when it cannot be used."""
    return read_registry(deployment_registry_path(settings))
