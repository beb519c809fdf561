"""Trained readers kept where every process finds them (bot.core.examples_reader.SavedReaders).

A worker loads the reader publishing trained (milliseconds) rather than train it again
(seconds): from the database, which every instance reads, and from a folder (the instance
folder's readers/), which commands that check library files before any database find too
(`flask library check`, then `publish`, in two processes). Neither being unreadable ever stops
a library from going live: the reader is then trained here, as before readers were kept.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.store.engine import NotMigrated, StoreError
from bot.store.models import READERS_KEPT

if TYPE_CHECKING:
    from bot.store.repository import Store

log = logging.getLogger(__name__)

#: A kept reader's file: readers/<key>.reader (the key is a hex digest, so a safe name).
SUFFIX = ".reader"


class StoredReaders:
    """Trained readers kept in the store (and in a folder, when given), read and written
    without ever raising."""

    def __init__(self, store: Store | None, folder: Path | None = None) -> None:
        self.store = store
        self.folder = folder
        self._kept: set[str] = set()  # keys known to be kept: no query to keep them again
        self._lock = threading.Lock()

    def saved_reader(self, key: str) -> bytes | None:
        """The reader's bytes kept under a key; None when none are or nothing can say. The
        folder first: a local file, where the database's copy fills SQLite's page cache (2 MB
        that a worker kept) or crosses the network; the same key holds the same bytes in both."""
        data = self._from_folder(key)
        if data is None:
            data = self._from_store(key)
        return data

    def keep_reader(self, key: str, data: Callable[[], bytes]) -> None:
        """Keep data() under a key where it is not kept yet; a failure is only logged."""
        with self._lock:
            if key in self._kept:
                return
        made: list[bytes] = []

        def once() -> bytes:
            if not made:
                made.append(data())
            return made[0]

        stored = self._keep_in_store(key, once)
        filed = self._keep_in_folder(key, once)
        if stored and filed:
            with self._lock:
                self._kept.add(key)

    # -- the database --

    def _from_store(self, key: str) -> bytes | None:
        if self.store is None:
            return None
        try:
            return self.store.saved_reader(key)
        except NotMigrated:
            return None  # a database before its first start or `flask db upgrade`: none kept yet
        except StoreError as exc:
            log.warning("could not read the saved reader (%s)", type(exc).__name__)
            return None

    def _keep_in_store(self, key: str, data: Callable[[], bytes]) -> bool:
        if self.store is None:
            return True
        try:
            if not self.store.has_saved_reader(key):
                self.store.save_reader(key, data())
            return True
        except NotMigrated:
            return False  # no tables yet: the folder keeps it, and the first publish here
        except StoreError as exc:
            log.warning("could not save the trained reader (%s)", type(exc).__name__)
            return False

    # -- the folder --

    def _path(self, key: str) -> Path | None:
        if self.folder is None or not key.isalnum():
            return None
        return self.folder / f"{key}{SUFFIX}"

    def _from_folder(self, key: str) -> bytes | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("could not read the kept reader file (%s)", type(exc).__name__)
            return None

    def _keep_in_folder(self, key: str, data: Callable[[], bytes]) -> bool:
        path = self._path(key)
        if path is None:
            return True
        try:
            if path.is_file():
                return True
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written whole under another name, then renamed: a process reading it at the same
            # moment sees no file or the whole file, never half of one.
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".partial")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data())
                os.replace(temporary, path)
            finally:
                Path(temporary).unlink(missing_ok=True)
            _prune(path.parent)
            return True
        except OSError as exc:
            log.warning("could not keep the trained reader file (%s)", type(exc).__name__)
            return False


def _prune(folder: Path) -> None:
    """Only the READERS_KEPT newest reader files stay (one another process removes meanwhile
    is simply gone)."""
    aged = []
    for path in folder.glob(f"*{SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            aged.append((path.stat().st_mtime, path))
    for _, stale in sorted(aged, reverse=True)[READERS_KEPT:]:
        stale.unlink(missing_ok=True)
