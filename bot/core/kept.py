"""Built values kept by key while something uses them: the last one kept always, any other only
while something else still holds it (weakly), so a process holds no more than it serves."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class KeptWhileUsed(Generic[K, V]):
    """A thread-safe cache of values by key: the last kept, and any other still referenced."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._alive: weakref.WeakValueDictionary[K, V] = weakref.WeakValueDictionary()
        self._last: list[V] = []

    def get(self, key: K) -> V | None:
        """The value kept under a key, or None (never kept, or nothing holds it any more)."""
        with self._lock:
            return self._alive.get(key)

    def keep(self, key: K, value: V) -> None:
        """Keep a value under a key, as the last one kept."""
        with self._lock:
            self._alive[key] = value
            self._last[:] = [value]

    def clear(self) -> None:
        """Forget every value (as a process that just started has none)."""
        with self._lock:
            self._alive.clear()
            self._last.clear()
