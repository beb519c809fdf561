"""LiveLibrary: holds the snapshot every request reads, swapped whole when a new one goes live."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from bot.background import BackgroundThread
from bot.core.examples_reader import ReaderError
from bot.core.library import load_library
from bot.core.reader import release_freed_memory
from bot.live.bootstrap import bundled_files, live_or_first_publish
from bot.live.counts import DailyCounts
from bot.live.first_publish import publish_aside
from bot.live.health import OK, Health, current_health, degraded_by, reason_for
from bot.live.reload import Reloader
from bot.live.snapshot import Snapshot, build_snapshot, revision_snapshot
from bot.store.readers import StoredReaders

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.store import Store

log = logging.getLogger(__name__)

#: How often pending daily counts go to the database, in seconds.
COUNT_FLUSH_SECONDS = 5.0
#: The background thread never polls faster than this, even with RELOAD_SECONDS=0.
MIN_TICK_SECONDS = 0.05


class LiveLibrary:
    """Holds the snapshot every request reads, and a background thread that keeps it current.

    The snapshot is replaced by one attribute assignment, so a request sees either the old
    library or the new one, never a mix. Database work happens only in start() and in the
    background thread, never while a request waits. The work itself is done elsewhere in
    bot/live: the first start (bootstrap), the reload (reload), the thread (background), the
    counts (counts) and the health words (health).
    """

    def __init__(self, settings: Settings, store: Store, readers: StoredReaders | None = None):
        self.settings = settings
        self.store = store
        self.counts = DailyCounts()
        self.health: Health = OK
        self.last_check: float | None = None
        self.background = BackgroundThread("bot-live-reload", self._run, self._forget_parent)
        self._snapshot: Snapshot | None = None
        self.readers = readers if readers is not None else StoredReaders(store)
        self._reloader = Reloader(settings, store, self.readers)
        self._start_lock = threading.Lock()
        self._check_lock = threading.Lock()

    # -- what requests read --

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot to answer from; loads it on first use if start() has not run yet."""
        snapshot = self._snapshot
        if snapshot is None:
            self.start()
            snapshot = self._snapshot
            assert snapshot is not None  # start() sets it or raises
        return snapshot

    @property
    def started(self) -> bool:
        """True once a library is loaded."""
        return self._snapshot is not None

    # -- loading --

    def start(self) -> None:
        """Load the live library, publishing the bundled one on first start; files if no database.

        Raises only when neither the database nor the bundled files give a usable library.
        """
        with self._start_lock:
            if self._snapshot is not None:
                return
            try:
                revision, library = live_or_first_publish(
                    self.store, self.settings, self.readers, aside=self._publish_aside
                )
                snapshot = revision_snapshot(revision, library, self.readers)
                health = OK
            except Exception as exc:
                reason = reason_for(exc)
                log.warning(
                    "serving the bundled library files from memory: %s (%s)",
                    reason,
                    type(exc).__name__,
                )
                bundled = load_library(bundled_files(self.settings, self.readers))
                try:
                    snapshot = build_snapshot(bundled, None, saved=self.readers)
                except ReaderError:  # answer by the rules alone rather than not at all
                    snapshot = build_snapshot(bundled, None, reader=False)
                health = Health("degraded", reason)
            self._snapshot = snapshot
            self.health = health
            self.last_check = time.monotonic()
            log.info(
                "serving library revision %s (digest %s)",
                snapshot.revision_id,
                snapshot.digest[:12],
            )

    def _publish_aside(self) -> bool:
        """The first start's publish of a large library, in a child process (first_publish)."""
        return publish_aside(self.store, self.settings, self.readers.folder)

    def check(self) -> bool:
        """Look once for a newly published revision and swap it in; True if the library changed.

        Skips (returns False) when another check is already running. Never raises.
        """
        if not self._check_lock.acquire(blocking=False):
            return False
        try:
            if self._snapshot is None:
                self.start()
                return True
            snapshot, self.health = self._reloader.poll(self._snapshot)
            if snapshot is None:
                return False
            self._snapshot = snapshot
            del snapshot
            release_freed_memory()  # the old snapshot's heap (3 MB with the bundled library)
            return True
        except Exception as exc:
            self.health = degraded_by(exc)
            log.warning("library reload check failed (%s)", type(exc).__name__)
            return False
        finally:
            self.last_check = time.monotonic()
            self._check_lock.release()

    def flush_counts(self) -> int:
        """Write pending daily counts to the store; never raises."""
        try:
            return self.counts.flush(self.store)
        except Exception as exc:  # the flush must never take the background thread down
            log.warning("daily counts flush failed (%s)", type(exc).__name__)
            return 0

    def current_health(self) -> Health:
        """The health to report: the last check's, or degraded when checks stopped happening."""
        return current_health(
            self.health,
            self.last_check,
            self.settings.reload_seconds,
            self.background.started_here(),
        )

    # -- the background thread --

    def ensure_running(self) -> None:
        """Start this process's background thread if it has none (first request, or after fork)."""
        self.background.ensure_running()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the background thread after a last flush of the counts."""
        self.background.stop(timeout)
        self.flush_counts()

    def _forget_parent(self) -> None:
        """In a forked worker: the parent's pooled connections and unflushed counts are not ours."""
        self.counts.clear()
        self.store.dispose(close=False)

    def _run(self, stop: threading.Event) -> None:
        interval = max(self.settings.reload_seconds, MIN_TICK_SECONDS)
        tick = min(interval, COUNT_FLUSH_SECONDS)
        last_flush = time.monotonic()
        while not stop.wait(tick):
            now = time.monotonic()
            if self.last_check is None or now - self.last_check >= interval:
                self.check()
            if now - last_flush >= COUNT_FLUSH_SECONDS:
                self.flush_counts()
                last_flush = now
