"""The database engine the store runs on, and database failures turned into StoreErrors.

Engines use hide_parameters=True and errors carry the driver's first line only, so no SQL
parameter (which could be anything a caller passed) reaches a message or a log.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

#: Seconds to wait for a PostgreSQL connection before giving up (a dead database must fail fast).
CONNECT_TIMEOUT = 2
#: Seconds a request waits for a free pooled connection.
POOL_TIMEOUT = 5
#: Milliseconds an SQLite writer waits for another writer's lock.
SQLITE_BUSY_MS = 5000
#: Tries, and the pause before the next (times the try number), when SQLite says "locked" at once
#: because another worker is creating or migrating the same new file.
SQLITE_LOCKED_ATTEMPTS = 5
SQLITE_LOCKED_RETRY_SECONDS = 0.2
#: The execution option that makes an SQLite transaction start with BEGIN IMMEDIATE.
WRITE_OPTION = "bot_store_write"


# --- Errors -----------------------------------------------------------------------------------


class StoreError(RuntimeError):
    """The store could not do what was asked; the message is fit to show an operator."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or answered with a failure (connection, timeout, lock)."""


class NotMigrated(StoreError):
    """The database has no bot tables yet (run `flask db upgrade`)."""


class UnknownRevision(StoreError, LookupError):
    """No library revision has this id."""

    def __init__(self, revision_id: int):
        self.revision_id = revision_id
        super().__init__(f"there is no library revision {revision_id}")


@contextmanager
def database_errors(url: URL) -> Iterator[None]:
    """Turn SQLAlchemy and driver failures inside the block into StoreErrors fit for an operator."""
    try:
        yield
    except StoreError:
        raise
    except sa_exc.DBAPIError as exc:
        if _missing_table(exc):
            raise NotMigrated(
                "the database has no bot tables yet; run `flask db upgrade`"
            ) from None
        if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) or (
            exc.connection_invalidated
        ):
            raise StoreUnavailable(
                f"database {safe_url(url)} is unavailable: {_describe(exc)}"
            ) from None
        raise StoreError(f"database error: {_describe(exc)}") from None
    except sa_exc.TimeoutError as exc:
        raise StoreUnavailable(f"database {safe_url(url)} is busy: {_describe(exc)}") from None
    except sa_exc.SQLAlchemyError as exc:
        raise StoreError(f"database error: {_describe(exc)}") from None


# --- Engines ----------------------------------------------------------------------------------


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL; plain postgresql:// (or postgres://) means the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError as exc:
        raise StoreError(f"not a database URL: {exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{Path(path).resolve()}"


def _is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def build_engine(url: str | URL) -> Engine:
    """An engine tuned for the bot: fail fast on a dead server, real transactions on SQLite."""
    url = normalize_url(url)
    backend = url.get_backend_name()
    options: dict[str, Any] = {"hide_parameters": True}
    if backend == "sqlite":
        if _is_memory_sqlite(url):
            options.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            Path(url.database or "").expanduser().resolve().parent.mkdir(
                parents=True, exist_ok=True
            )
            options["connect_args"] = {"timeout": SQLITE_BUSY_MS / 1000}
    elif backend == "postgresql":
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT
        options.update(pool_pre_ping=True, pool_timeout=POOL_TIMEOUT, connect_args=connect_args)
    try:
        engine = create_engine(url, **options)
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"cannot use database URL {safe_url(url)}: {exc}") from None
    if backend == "sqlite":
        _make_sqlite_transactional(engine, memory=_is_memory_sqlite(url))
    return engine


def _make_sqlite_transactional(engine: Engine, *, memory: bool) -> None:
    """Let SQLAlchemy emit BEGIN itself (sqlite3's legacy mode skips it for SELECT and DDL).

    Writers begin with BEGIN IMMEDIATE so two workers never deadlock upgrading a read lock, and
    WAL lets readers (the live-reload poll) go on while someone writes.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        if not memory:
            _use_wal(cursor)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(
            "BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN"
        )


def _use_wal(cursor: Any) -> None:
    """Switch a file database to WAL once. The switch needs the file to itself and SQLite answers
    "database is locked" at once instead of waiting, so workers opening a new file together retry.
    """
    for attempt in range(1, SQLITE_LOCKED_ATTEMPTS + 1):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == SQLITE_LOCKED_ATTEMPTS:
                raise
            time.sleep(SQLITE_LOCKED_RETRY_SECONDS * attempt / 4)


def safe_url(url: URL) -> str:
    """The URL without its password, for messages."""
    return url.render_as_string(hide_password=True)


def _describe(exc: BaseException) -> str:
    """The first line of the driver's message, without SQL text or parameters."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def _missing_table(exc: sa_exc.DBAPIError) -> bool:
    """True for "no such table" (SQLite) and undefined_table, SQLSTATE 42P01 (PostgreSQL)."""
    if getattr(exc.orig, "sqlstate", None) == "42P01":
        return True
    return "no such table" in str(exc.orig).lower()
