"""The first start's publish of a large bundled library, in a short-lived child process.

Checking the bundled library (nine languages, 12,000 examples) holds the check's structures, the
files twice and the held-out measurement: a worker that did it in its own process peaked at 128
MB and kept the high-water mark, where a worker that loads the live revision peaks at 119.5 MB
(bench/memory.py; issue 21's budget is 120 MB). The child publishes, keeps the reader it
trained, and exits; the worker then loads the live revision as every other worker does. A small
library (the tests' own) is checked in the worker itself: a child would cost a Python start.
Nothing about any message goes to the child: the settings and the database's URL only.

    python -m bot.live.first_publish < request.json    # what the worker runs
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.store import Store

log = logging.getLogger(__name__)

#: Example files of at least this many bytes in all make the first publish go to a child.
CHILD_MIN_EXAMPLE_BYTES = 200_000
#: The folder that holds the `bot` package, from which the child runs this module.
_CODE_ROOT = Path(__file__).resolve().parents[2]
#: Longer than a first publish takes on a loaded machine (minutes), short of hanging a worker.
CHILD_TIMEOUT_SECONDS = 600


def examples_bytes(library_dir: str | Path) -> int:
    """How many bytes the library's example files hold (their sizes, without reading them)."""
    folder = Path(library_dir) / "examples"
    return sum(p.stat().st_size for p in folder.rglob("*.txt")) if folder.is_dir() else 0


def publish_aside(store: Store, settings: Settings, readers_folder: Path | None) -> bool:
    """For live_or_first_publish: publish a large bundled library from a child process; False
    for a small one, or when the child could not (the worker then publishes it itself)."""
    if examples_bytes(settings.library_dir) < CHILD_MIN_EXAMPLE_BYTES:
        return False
    return publish_in_child(store, settings, readers_folder)


def publish_in_child(store: Store, settings: Settings, readers_folder: Path | None) -> bool:
    """Publish the bundled library from a child process if no revision is live; True when the
    child did (or found one live), False when it could not (the caller publishes itself)."""
    request = json.dumps(
        {
            "settings": asdict(settings),
            "database_url": store.url.render_as_string(hide_password=False),
            "readers": str(readers_folder) if readers_folder is not None else None,
        }
    )
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.live.first_publish"],
            input=request.encode(),
            capture_output=True,
            cwd=_CODE_ROOT,  # where `bot` is, whatever the working directory of the worker
            timeout=CHILD_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("first start: the publishing process failed (%s)", type(exc).__name__)
        return False
    if done.returncode != 0:
        log.warning("first start: the publishing process exited with %d", done.returncode)
        return False
    return True


def main() -> None:
    """Read the request (JSON on stdin), publish the bundled library unless a revision is live,
    and keep its reader."""
    from bot.live.bootstrap import live_or_first_publish
    from bot.settings import Settings
    from bot.store import Store, StoredReaders

    request = json.loads(sys.stdin.buffer.read())
    settings = Settings(**request["settings"])
    store = Store(request["database_url"])
    folder = Path(request["readers"]) if request["readers"] else None
    try:
        live_or_first_publish(store, settings, StoredReaders(store, folder))
    finally:
        store.dispose()


if __name__ == "__main__":
    main()
