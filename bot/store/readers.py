"""The store as the place trained readers are kept (bot.core.examples_reader.SavedReaders).

A worker loads the reader publishing trained (a few milliseconds) rather than train it again
(seconds). The database being down or behind on its migrations never stops a library from
going live: the reader is then trained here, as before readers were kept.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.store.engine import StoreError

if TYPE_CHECKING:
    from bot.store.repository import Store

log = logging.getLogger(__name__)


class StoredReaders:
    """Trained readers kept in the store, read and written without ever raising."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._kept: set[str] = set()  # keys known to be kept: no query to keep them again
        self._lock = threading.Lock()

    def saved_reader(self, key: str) -> bytes | None:
        """The reader's bytes kept under a key; None when none are or the store cannot say."""
        try:
            data = self.store.saved_reader(key)
        except StoreError as exc:
            log.warning("could not read the saved reader (%s); training it", type(exc).__name__)
            return None
        if data is not None:
            with self._lock:
                self._kept.add(key)
        return data

    def keep_reader(self, key: str, data: Callable[[], bytes]) -> None:
        """Keep data() under a key unless the store has it already; a failure is only logged."""
        with self._lock:
            if key in self._kept:
                return
        try:
            if not self.store.has_saved_reader(key):
                self.store.save_reader(key, data())
        except StoreError as exc:
            log.warning("could not save the trained reader (%s)", type(exc).__name__)
            return
        with self._lock:
            self._kept.add(key)
