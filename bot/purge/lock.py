"""The lock that lets one sweeper at a time work, across workers and instances, in the database.

- PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a connection held for the
  sweep. PostgreSQL releases it when that session ends, so a killed sweeper leaves none behind.
  https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
- SQLite: an exclusive transaction (BEGIN EXCLUSIVE) held on a lock file beside the database
  file. SQLite's locks are the operating system's file locks, which die with the process, so a
  killed sweeper leaves none behind either, and no lease has to expire. The database itself is
  not locked: replies, counts and publishing go on while a sweep runs. The lock file holds no data.
  https://www.sqlite.org/lockingv3.html , https://www.sqlite.org/lang_transaction.html
- An in-memory SQLite database belongs to one process: a thread lock is enough there.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import text

#: The advisory lock's key: a fixed 64-bit number derived from a name, so it cannot collide with a
#: lock some other code of ours takes by accident.
ADVISORY_KEY = int.from_bytes(
    hashlib.blake2b(b"bot.purge.twilio-messages", digest_size=8).digest(), "big", signed=True
)
#: Suffix of the SQLite lock file's name, after the database file's.
LOCK_FILE_SUFFIX = ".purge-lock"


class SweepLock(Protocol):
    """Taken without waiting: a sweeper that does not get it skips this round."""

    def hold(self) -> Any:
        """A context manager giving True while this process holds the lock, else False."""
        ...


class AdvisoryLock:
    """PostgreSQL's session-level advisory lock on a connection of the store's engine."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    @contextmanager
    def hold(self) -> Iterator[bool]:
        """Hold the lock for the block if nobody else does (True), else yield False."""
        conn = self.engine.connect()
        try:
            got = bool(
                conn.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
                ).scalar()
            )
            conn.commit()  # the lock is the session's, not the transaction's
        except Exception:
            conn.invalidate()
            conn.close()
            raise
        try:
            yield got
        finally:
            try:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                    conn.commit()
            except Exception:
                # The unlock did not get through: close the session itself, which releases it.
                conn.invalidate()
            finally:
                conn.close()


class SqliteFileLock:
    """An exclusive SQLite transaction on a lock file beside the database file."""

    def __init__(self, database_path: str | Path) -> None:
        self.path = Path(str(database_path) + LOCK_FILE_SUFFIX)

    @contextmanager
    def hold(self) -> Iterator[bool]:
        """Hold the lock for the block if nobody else does (True), else yield False."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # timeout=0: a held lock answers "database is locked" at once instead of waiting.
        conn = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
        try:
            try:
                conn.execute("BEGIN EXCLUSIVE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                yield False
                return
            try:
                yield True
            finally:
                conn.execute("ROLLBACK")
        finally:
            conn.close()


class ThreadLock:
    """For an in-memory database, which only this process can see."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @contextmanager
    def hold(self) -> Iterator[bool]:
        """Hold the lock for the block if no other thread does (True), else yield False."""
        got = self._lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                self._lock.release()


def lock_for(store: Any) -> SweepLock:
    """The sweep lock for a bot.store.Store's database."""
    url = store.url
    if store.dialect == "postgresql":
        return AdvisoryLock(store.engine)
    if store.dialect == "sqlite":
        if url.database in (None, "", ":memory:"):
            return ThreadLock()
        return SqliteFileLock(Path(url.database).expanduser().resolve())
    raise ValueError(f"no sweep lock for a {store.dialect} database")
