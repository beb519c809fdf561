"""Database: the store's public seam, on which the repositories (Store; the console's
ConsoleStore) read and write.

read() and write() are connections in a transaction whose failures come out as StoreErrors;
upsert(table) is an INSERT that can say ON CONFLICT on either database. A repository builds its
statements with SQLAlchemy Core on its own tables and never reaches into another's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL

from bot.store import schema
from bot.store.engine import (
    WRITE_OPTION,
    StoreError,
    build_engine,
    database_errors,
    normalize_url,
    safe_url,
)


class Database:
    """One database (SQLite or PostgreSQL) and its engine, shared by the repositories on it."""

    def __init__(self, url: str | URL):
        self.url = normalize_url(url)
        self.engine = build_engine(self.url)
        self._writer = self.engine.execution_options(**{WRITE_OPTION: True})

    def __repr__(self) -> str:
        return f"Database({safe_url(self.url)!r})"

    @property
    def dialect(self) -> str:
        """sqlite or postgresql."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection to read with; database failures come out as StoreErrors."""
        with database_errors(self.url), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite), committed when the block ends and
        rolled back when it raises; database failures come out as StoreErrors."""
        with database_errors(self.url), self._writer.begin() as conn:
            yield conn

    def upsert(self, table: Any) -> Any:
        """An INSERT into table that supports on_conflict_do_update/nothing on this database."""
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        if self.dialect == "sqlite":
            return sqlite.insert(table)
        raise StoreError(f"unsupported database {self.dialect!r} (use SQLite or PostgreSQL)")

    def migrate(self) -> str | None:
        """Bring the schema to the newest migration (alembic upgrade head); returns that revision."""
        return schema.migrate(self.engine)

    def schema_revision(self) -> str | None:
        """The migration the database is at, or None before the first one."""
        return schema.schema_revision(self.engine)

    def dispose(self, close: bool = True) -> None:
        """Drop pooled connections: at shutdown, or with close=False in a worker just forked
        (the parent's connections must be forgotten there, not closed)."""
        self.engine.dispose(close=close)
