"""Anonymous daily counts per topic and language, kept in memory and written in batches."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from bot.store.values import check_count_key

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)


class DailyCounts:
    """Anonymous counts per (day, topic, language), kept in memory until the background flush."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[tuple[date, str, str]] = Counter()

    def add(self, day: date, topic: str, lang: str) -> None:
        """Count one reply; costs a dictionary update, never a database write."""
        with self._lock:
            self._pending[(day, topic, lang)] += 1

    def pending(self) -> dict[tuple[date, str, str], int]:
        """The counts not yet written (for tests and health)."""
        with self._lock:
            return dict(self._pending)

    def clear(self) -> None:
        """Forget pending counts (a forked worker must not write its parent's)."""
        with self._lock:
            self._pending.clear()

    def flush(self, store: Store) -> int:
        """Write pending counts to the store in one transaction; if it fails, all stay pending."""
        with self._lock:
            batch, self._pending = self._pending, Counter()
        countable = {}
        for key, n in batch.items():
            try:
                check_count_key(*key)
            except (TypeError, ValueError):
                continue  # not a countable topic or language; nothing to retry
            countable[key] = n
        try:
            store.add_counts(countable)
        except Exception as exc:
            log.warning("daily counts not written yet (%s); will retry", type(exc).__name__)
            with self._lock:
                self._pending.update(countable)
            return 0
        return sum(countable.values())
