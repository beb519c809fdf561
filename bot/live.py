"""The library each worker serves: an immutable snapshot, swapped whole when a new one goes live."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING

from flask import Flask, current_app

from bot.channels.sms import twiml_message
from bot.core.library import Library, load_library
from bot.core.matcher import Matcher, build_matcher
from bot.runtime import runtime

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.store import Revision, Store

log = logging.getLogger(__name__)

#: Who and why, on the revision published automatically on first start.
AUTO_PUBLISHER = "auto"
AUTO_COMMENT = "bundled library, first start"
#: How often pending daily counts go to the database, in seconds.
COUNT_FLUSH_SECONDS = 5.0
#: The background thread never polls faster than this, even with RELOAD_SECONDS=0.
MIN_TICK_SECONDS = 0.05


@dataclass(frozen=True)
class Snapshot:
    """A loaded library with its matcher built and every reply rendered as TwiML; never changed
    once built."""

    revision_id: int | None
    digest: str
    library: Library
    matcher: Matcher
    twiml: Mapping[tuple[str, str], bytes]

    def reply(self, topic: str, lang: str) -> bytes:
        """The TwiML for a topic in a language (the library's default language if it has no such)."""
        found = self.twiml.get((topic, lang))
        return found if found is not None else self.twiml[(topic, self.library.default_language)]


def build_snapshot(library: Library, revision_id: int | None) -> Snapshot:
    """Render every (topic, language) reply once and build the matcher, before anyone is served."""
    matcher = build_matcher(library)  # now, not on the first message
    twiml = {
        (topic.id, lang): twiml_message(library.reply(topic.id, lang))
        for topic in library.topics
        for lang in library.languages
    }
    return Snapshot(revision_id, library.digest, library, matcher, MappingProxyType(twiml))


@dataclass(frozen=True)
class Health:
    """How a worker is doing: ok, or degraded with one word saying why."""

    status: str = "ok"
    reason: str | None = None


OK = Health()


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
        from bot.store.repository import check_count_key

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


class LiveLibrary:
    """Holds the snapshot every request reads, and a background thread that keeps it current.

    The snapshot is replaced by one attribute assignment, so a request sees either the old
    library or the new one, never a mix. Database work happens only in start() and in the
    background thread, never while a request waits.
    """

    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.counts = DailyCounts()
        self.health: Health = OK
        self.last_check: float | None = None
        self._snapshot: Snapshot | None = None
        self._failed_revision: int | None = None
        self._start_lock = threading.Lock()
        self._check_lock = threading.Lock()
        self._thread_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._thread_pid: int | None = None
        self._stop = threading.Event()

    # -- what requests read --

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot to answer from; loads it on first use if start() has not run yet."""
        snapshot = self._snapshot
        if snapshot is None:
            self.start()
            snapshot = self._snapshot
            assert snapshot is not None
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
                revision = self._live_or_first_publish()
                snapshot = build_snapshot(load_library(revision.bundle), revision.id)
                health = OK
            except Exception as exc:
                reason = _reason(exc)
                log.warning(
                    "serving the bundled library files from memory: %s (%s)",
                    reason,
                    type(exc).__name__,
                )
                library = load_library(self._bundled_files())
                snapshot = build_snapshot(library, None)
                health = Health("degraded", reason)
            self._snapshot = snapshot
            self.health = health
            self.last_check = time.monotonic()
            log.info(
                "serving library revision %s (digest %s)",
                snapshot.revision_id,
                snapshot.digest[:12],
            )

    def _live_or_first_publish(self) -> Revision:
        """The live revision; on an empty database, migrate it and publish the bundled library."""
        from bot.store import NotMigrated

        store = self.store
        try:
            revision = store.live_revision()
        except NotMigrated:
            store.migrate()  # only then: Alembic is imported to migrate, and stays in memory
            revision = store.live_revision()
        return revision or self._publish_bundled()

    def _publish_bundled(self) -> Revision:
        """Publish the bundled library unless another worker got there first."""
        revision = self.store.publish_if_empty(
            self._bundled_files(),
            published_by=AUTO_PUBLISHER,
            comment=AUTO_COMMENT,
        )
        log.info("first start: library revision %d is live", revision.id)
        return revision

    def _bundled_files(self) -> dict[str, str]:
        """The bundled library files as publish prepares them; raises what publish refuses."""
        # Imported here: the checks are needed on a first start only, not in every worker.
        from bot.prepare import publishable_bundle

        return publishable_bundle(self.settings.library_dir, self.settings)

    # -- reloading --

    def check(self) -> bool:
        """Look once for a newly published revision and swap it in; True if the library changed.

        Skips (returns False) when another check is already running. Never raises.
        """
        if not self._check_lock.acquire(blocking=False):
            return False
        try:
            return self._check()
        except Exception as exc:
            self.health = Health("degraded", _reason(exc))
            log.warning("library reload check failed (%s)", type(exc).__name__)
            return False
        finally:
            self.last_check = time.monotonic()
            self._check_lock.release()

    def _check(self) -> bool:
        if self._snapshot is None:
            self.start()
            return True
        from bot.store import NotMigrated

        store = self.store
        try:
            live_id = store.live_revision_id()
        except NotMigrated:  # a database that was down at first start and is now reachable
            store.migrate()
            live_id = store.live_revision_id()
        if live_id is None:
            revision = self._publish_bundled()
        elif live_id == self._snapshot.revision_id:
            self.health = OK
            return False
        elif live_id == self._failed_revision:
            self.health = Health("degraded", "library_invalid")
            return False
        else:
            revision = store.get_revision(live_id)
        try:
            snapshot = build_snapshot(load_library(revision.bundle), revision.id)
        except Exception as exc:
            # A published revision that does not load here: keep answering from the one we have.
            self._failed_revision = revision.id
            self.health = Health("degraded", "library_invalid")
            log.error(
                "library revision %d does not load (%s); still serving revision %s",
                revision.id,
                type(exc).__name__,
                self._snapshot.revision_id,
            )
            return False
        self._snapshot = snapshot
        self.health = OK
        log.info("now serving library revision %d (digest %s)", revision.id, snapshot.digest[:12])
        return True

    def flush_counts(self) -> int:
        """Write pending daily counts to the store; never raises."""
        try:
            return self.counts.flush(self.store)
        except Exception as exc:  # the flush must never take the background thread down
            log.warning("daily counts flush failed (%s)", type(exc).__name__)
            return 0

    # -- the background thread --

    def ensure_running(self) -> None:
        """Start this process's background thread if it has none (first request, or after fork)."""
        # No pid check here: in a forked child every thread but the forking one reports not
        # alive, so a fork already fails this test, and the check below tells a fork apart.
        thread = self._thread
        if thread is not None and thread.is_alive():
            return
        with self._thread_lock:
            pid = os.getpid()
            if self._thread_pid == pid and self._thread is not None and self._thread.is_alive():
                return
            if self._thread_pid not in (None, pid):
                # Forked: the parent's pooled connections and unflushed counts are not ours.
                self.counts.clear()
                self.store.dispose(close=False)
            self._stop = threading.Event()
            thread = threading.Thread(
                target=self._run, args=(self._stop,), name="bot-live-reload", daemon=True
            )
            thread.start()
            self._thread, self._thread_pid = thread, pid

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the background thread after a last flush of the counts."""
        with self._thread_lock:
            thread, self._thread, self._thread_pid = self._thread, None, None
            self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self.flush_counts()

    def current_health(self) -> Health:
        """The health to report: the last check's, or degraded when checks stopped happening."""
        health = self.health
        last = self.last_check
        if health.status == "ok" and last is not None and self._thread_pid == os.getpid():
            stale_after = max(3 * self.settings.reload_seconds, 60.0)
            if time.monotonic() - last > stale_after:
                return Health("degraded", "reload_stalled")
        return health

    def thread_alive(self) -> bool:
        """True while this process's background thread runs."""
        thread = self._thread
        return thread is not None and thread.is_alive() and self._thread_pid == os.getpid()

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


def _reason(exc: BaseException) -> str:
    """One word for /healthz saying why a worker is degraded; never the error's message."""
    from bot.store import NotMigrated, StoreUnavailable

    if isinstance(exc, StoreUnavailable):
        return "database_unreachable"
    if isinstance(exc, NotMigrated):
        return "database_not_migrated"
    if type(exc).__module__.startswith(("bot.store", "sqlalchemy", "psycopg", "sqlite3")):
        return "database_error"
    if type(exc).__name__ == "LibraryError":
        return "library_invalid"
    return "reload_failed"


def _start_background() -> None:
    """Each worker process starts its reload thread on its first request (so after any fork)."""
    runtime(current_app).live.ensure_running()


def init_app(app: Flask) -> None:
    """Start the worker's background thread on its first Flask request too (the Twilio endpoint
    starts it on the first Twilio request)."""
    app.before_request(_start_background)
