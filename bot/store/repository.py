"""Store: the database behind the bot, holding published library revisions and daily counts.

Everything here returns plain frozen values, never ORM objects, and turns database failures into
StoreError subclasses whose messages carry no SQL parameters (engines use hide_parameters=True).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, inspect, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

from bot.core.library import bundle_digest
from bot.store.models import (
    LANG_MAX,
    PSEUDO_TOPICS,
    TOPIC_MAX,
    daily_count,
    library_revision,
    live_revision,
)

#: Seconds to wait for a PostgreSQL connection before giving up (a dead database must fail fast).
CONNECT_TIMEOUT = 2
#: Seconds a request waits for a free pooled connection.
POOL_TIMEOUT = 5
#: Milliseconds an SQLite writer waits for another writer's lock.
SQLITE_BUSY_MS = 5000
#: Key of the PostgreSQL advisory lock taken while migrating, so workers starting together queue.
MIGRATION_LOCK_KEY = 0x5B07_5709

_TOPIC_RE = re.compile(rf"^[a-z][a-z0-9_-]{{0,{TOPIC_MAX - 1}}}$")
_LANG_RE = re.compile(rf"^[A-Za-z0-9_-]{{1,{LANG_MAX}}}$")
_WRITE = "bot_store_write"
log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# --- Errors and values ------------------------------------------------------------------------


def check_count_key(day: date, topic: str, lang: str) -> None:
    """Raise ValueError or TypeError unless this is a date, a topic id and a language code; the
    error never echoes the value, which could be message text passed by mistake."""
    if not isinstance(topic, str) or not (topic in PSEUDO_TOPICS or _TOPIC_RE.match(topic)):
        raise ValueError("add_count: topic must be a topic id (lowercase slug) or a pseudo-topic")
    if not isinstance(lang, str) or not _LANG_RE.match(lang):
        raise ValueError("add_count: lang must be a language code")
    if not isinstance(day, date) or isinstance(day, datetime):
        raise TypeError("add_count: day must be a date")


class StoreError(RuntimeError):
    """The store could not do what was asked; the message is fit to show an operator."""


#: Tries, and the pause before the next (times the try number), when SQLite says "locked" at once
#: because another worker is creating or migrating the same new file.
SQLITE_LOCKED_ATTEMPTS = 5
SQLITE_LOCKED_RETRY_SECONDS = 0.2


class StoreUnavailable(StoreError):
    """The database cannot be reached or answered with a failure (connection, timeout, lock)."""


class NotMigrated(StoreError):
    """The database has no bot tables yet (run `flask db upgrade`)."""


class UnknownRevision(StoreError, LookupError):
    """No library revision has this id."""

    def __init__(self, revision_id: int):
        self.revision_id = revision_id
        super().__init__(f"there is no library revision {revision_id}")


@dataclass(frozen=True)
class Revision:
    """A published library revision as plain values."""

    id: int
    published_at: datetime
    published_by: str
    comment: str
    bundle: dict[str, str]
    digest: str


@dataclass(frozen=True)
class RevisionSummary:
    """A revision without its files, as history lists it."""

    id: int
    published_at: datetime
    published_by: str
    comment: str
    digest: str
    files: int
    live: bool


@dataclass(frozen=True)
class CountRow:
    """One anonymous daily count."""

    day: date
    topic: str
    lang: str
    count: int


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
        raise StoreError(f"cannot use database URL {_safe(url)}: {exc}") from None
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
            "BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN"
        )


def _revision_row(conn: Connection, revision_id: int) -> Any:
    """The library_revision row with this id, or None."""
    return conn.execute(
        select(library_revision).where(library_revision.c.id == revision_id)
    ).one_or_none()


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


def _safe(url: URL) -> str:
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


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic logs its plugin set-up at INFO on every run; keep only its warnings."""
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


# --- The store --------------------------------------------------------------------------------


class Store:
    """The bot's database: library revisions with a live pointer, and anonymous daily counts."""

    def __init__(self, url: str | URL):
        self.url = normalize_url(url)
        self.engine = build_engine(self.url)
        self._writer = self.engine.execution_options(**{_WRITE: True})

    def __repr__(self) -> str:
        return f"Store({_safe(self.url)!r})"

    @property
    def dialect(self) -> str:
        """sqlite or postgresql."""
        return self.engine.dialect.name

    def dispose(self, close: bool = True) -> None:
        """Drop pooled connections: at shutdown, or with close=False in a worker just forked
        (the parent's connections must be forgotten there, not closed)."""
        self.engine.dispose(close=close)

    # -- plumbing --

    @contextmanager
    def _errors(self) -> Iterator[None]:
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
                    f"database {_safe(self.url)} is unavailable: {_describe(exc)}"
                ) from None
            raise StoreError(f"database error: {_describe(exc)}") from None
        except sa_exc.TimeoutError as exc:
            raise StoreUnavailable(
                f"database {_safe(self.url)} is busy: {_describe(exc)}"
            ) from None
        except sa_exc.SQLAlchemyError as exc:
            raise StoreError(f"database error: {_describe(exc)}") from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._errors(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._errors(), self._writer.begin() as conn:
            yield conn

    def _insert(self, table: Any) -> Any:
        """INSERT with ON CONFLICT support for this dialect."""
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        if self.dialect == "sqlite":
            return sqlite.insert(table)
        raise StoreError(f"unsupported database {self.dialect!r} (use SQLite or PostgreSQL)")

    # -- schema --

    def migrate(self) -> str | None:
        """Bring the schema to the newest migration (alembic upgrade head); returns that revision."""
        for attempt in range(1, SQLITE_LOCKED_ATTEMPTS):
            try:
                return self._migrate()
            except StoreUnavailable as exc:
                # Workers migrating a new SQLite file together: SQLite answers the losers
                # "database is locked" at once rather than making them wait, so wait and retry.
                if self.dialect != "sqlite" or "locked" not in str(exc):
                    raise
                time.sleep(SQLITE_LOCKED_RETRY_SECONDS * attempt)
        return self._migrate()

    def _migrate(self) -> str | None:
        with _quiet_alembic():
            from alembic import command
            from alembic.util import CommandError

            before = self.schema_revision()
            with self._errors(), self._writer.connect() as conn:
                if self.dialect == "sqlite":
                    # Batch migrations rebuild tables, which SQLite refuses while it enforces
                    # foreign keys; the PRAGMA only works outside a transaction.
                    conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
                try:
                    with conn.begin():
                        if self.dialect == "postgresql":
                            # Workers starting together queue here instead of racing CREATE TABLE.
                            conn.exec_driver_sql(
                                f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"
                            )
                        try:
                            command.upgrade(alembic_config(conn), "head")
                        except CommandError as exc:
                            raise StoreError(
                                f"cannot migrate the database: {exc} (is it from a newer version "
                                "of the bot?)"
                            ) from None
                finally:
                    if self.dialect == "sqlite":
                        conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
            after = self.schema_revision()
        if after != before:
            log.info("database schema upgraded from %s to %s", before or "nothing", after)
        return after

    def schema_revision(self) -> str | None:
        """The migration the database is at, or None before the first one."""
        from alembic.runtime.migration import MigrationContext

        with _quiet_alembic(), self._read() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def table_names(self) -> list[str]:
        """The tables in the database (for checks and tests)."""
        with self._read() as conn:
            return sorted(inspect(conn).get_table_names())

    def ping(self) -> bool:
        """True when the database answers; raises StoreUnavailable otherwise."""
        with self._read() as conn:
            conn.exec_driver_sql("SELECT 1")
        return True

    # -- revisions --

    def live_revision_id(self) -> int | None:
        """The id of the live revision, or None before the first publish. One indexed lookup."""
        with self._read() as conn:
            return conn.scalar(_LIVE_ID)

    def live_revision(self) -> Revision | None:
        """The live revision with its files, or None before the first publish."""
        with self._read() as conn:
            row = conn.execute(_LIVE_ROW).one_or_none()
        return _revision(row) if row is not None else None

    def get_revision(self, revision_id: int) -> Revision:
        """A revision by id; UnknownRevision when there is none."""
        with self._read() as conn:
            row = _revision_row(conn, revision_id)
        if row is None:
            raise UnknownRevision(revision_id)
        return _revision(row)

    def history(self, limit: int = 20) -> list[RevisionSummary]:
        """The newest revisions first, without their files."""
        t = library_revision
        with self._read() as conn:
            live = conn.scalar(_LIVE_ID)
            rows = conn.execute(
                select(
                    t.c.id, t.c.published_at, t.c.published_by, t.c.comment, t.c.digest, t.c.content
                )
                .order_by(t.c.id.desc())
                .limit(limit)
            ).all()
        return [
            RevisionSummary(
                id=r.id,
                published_at=_utc(r.published_at),
                published_by=r.published_by,
                comment=r.comment,
                digest=r.digest,
                files=len(_content(r.content)),
                live=r.id == live,
            )
            for r in rows
        ]

    def publish(self, bundle: Mapping[str, str], *, published_by: str, comment: str) -> Revision:
        """Store a bundle as a new revision and make it live, in one transaction.

        A bundle identical (same digest) to the live revision creates nothing: the live revision
        is returned as it is (compare its id with live_revision_id() beforehand to tell).
        On any failure the transaction is rolled back and the previous revision stays live.
        """
        content = _check_bundle(bundle)
        digest = bundle_digest(content)
        with self._write() as conn:
            live = conn.execute(_LIVE_ROW).one_or_none()
            if live is not None and live.digest == digest:
                return _revision(live)
            row = self._insert_revision(conn, content, digest, published_by, comment)
            self._point_live(conn, row.id)
        return _revision(row)

    def publish_if_empty(
        self, bundle: Mapping[str, str], *, published_by: str, comment: str
    ) -> Revision:
        """Publish only when no revision is live yet; safe when several workers start at once.

        Returns the live revision: the new one, or whichever another process made live first.
        """
        content = _check_bundle(bundle)
        try:
            with self._write() as conn:
                row = self._insert_revision(
                    conn, content, bundle_digest(content), published_by, comment
                )
                claimed = conn.execute(
                    self._insert(live_revision)
                    .values(id=1, revision_id=row.id)
                    .on_conflict_do_nothing(index_elements=["id"])
                    .returning(live_revision.c.id)
                ).first()
                if claimed is None:
                    raise _AlreadyLive  # roll back the revision just inserted
            return _revision(row)
        except _AlreadyLive:
            pass
        live = self.live_revision()
        if live is None:  # pragma: no cover - the pointer row is never deleted
            raise StoreError("no live revision after a concurrent publish")
        return live

    def rollback(self, revision_id: int) -> Revision:
        """Make an existing revision live again; UnknownRevision when there is none."""
        with self._write() as conn:
            row = _revision_row(conn, revision_id)
            if row is None:
                raise UnknownRevision(revision_id)
            self._point_live(conn, revision_id)
        return _revision(row)

    def _insert_revision(
        self, conn: Connection, content: dict[str, str], digest: str, by: str, comment: str
    ) -> Any:
        return conn.execute(
            insert(library_revision)
            .values(
                published_at=datetime.now(UTC),
                published_by=by.strip()[:200],
                comment=comment.strip(),
                content=content,
                digest=digest,
            )
            .returning(*library_revision.c)
        ).one()

    def _point_live(self, conn: Connection, revision_id: int) -> None:
        conn.execute(
            self._insert(live_revision)
            .values(id=1, revision_id=revision_id)
            .on_conflict_do_update(index_elements=["id"], set_={"revision_id": revision_id})
        )

    # -- counts --

    def add_count(self, day: date, topic: str, lang: str, n: int = 1) -> None:
        """Add n (default 1) to the day's count for a topic and language; atomic across workers.

        Only a topic id and a language code are accepted, never message text: anything that does
        not look like one is refused, without echoing it.
        """
        self.add_counts({(day, topic, lang): n})

    def add_counts(self, counts: Mapping[tuple[date, str, str], int]) -> None:
        """Add each n to its (day, topic, language) count in one transaction; atomic across workers.

        Every key is checked as add_count checks it before anything is written, so a refused key
        writes none. One transaction for a worker's whole flush, not one per key: a flush of 30
        keys took 20 ms of CPU on SQLite and 100 ms on PostgreSQL written key by key.
        """
        rows = []
        for (day, topic, lang), n in counts.items():
            check_count_key(day, topic, lang)
            rows.append({"day": day, "topic": topic, "lang": lang, "count": n})
        if not rows:
            return
        t = daily_count
        upsert = self._insert(t)
        upsert = upsert.on_conflict_do_update(
            index_elements=["day", "topic", "lang"],
            set_={"count": t.c.count + upsert.excluded["count"]},
        )
        with self._write() as conn:
            conn.execute(upsert, rows)

    def counts(self, since_day: date) -> list[CountRow]:
        """Every count from since_day on, by day, topic and language."""
        t = daily_count
        with self._read() as conn:
            rows = conn.execute(
                select(t.c.day, t.c.topic, t.c.lang, t.c.count)
                .where(t.c.day >= since_day)
                .order_by(t.c.day, t.c.topic, t.c.lang)
            ).all()
        return [CountRow(r.day, r.topic, r.lang, r.count) for r in rows]

    def count_total(self, since_day: date) -> int:
        """The sum of all counts from since_day on."""
        t = daily_count
        with self._read() as conn:
            return int(
                conn.scalar(
                    select(func.coalesce(func.sum(t.c.count), 0)).where(t.c.day >= since_day)
                )
            )


_LIVE_ID = select(live_revision.c.revision_id).where(live_revision.c.id == 1)
_LIVE_ROW = (
    select(library_revision)
    .join(live_revision, live_revision.c.revision_id == library_revision.c.id)
    .where(live_revision.c.id == 1)
)


class _AlreadyLive(Exception):
    """Another process published first (publish_if_empty)."""


def alembic_config(connection: Connection | None = None) -> Any:
    """Alembic's Config built in code: scripts in bot/store/migrations, no alembic.ini."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _check_bundle(bundle: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(bundle, Mapping) or not bundle:
        raise ValueError("a bundle is a non-empty mapping of relative path -> file text")
    for name, text in bundle.items():
        if not isinstance(name, str) or not isinstance(text, str):
            raise ValueError("a bundle maps file paths (str) to file texts (str)")
    return dict(sorted(bundle.items()))


def _utc(value: datetime) -> datetime:
    """Timestamps come back naive from SQLite (stored as UTC) and zoned from PostgreSQL."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _content(value: Any) -> dict[str, str]:
    if isinstance(value, str):  # some drivers hand JSON back as text
        value = json.loads(value)
    return {str(k): str(v) for k, v in value.items()}


def _revision(row: Any) -> Revision:
    bundle = _content(row.content)
    if bundle_digest(bundle) != row.digest:
        raise StoreError(f"library revision {row.id} is damaged: its files do not match its digest")
    return Revision(
        id=row.id,
        published_at=_utc(row.published_at),
        published_by=row.published_by,
        comment=row.comment,
        bundle=bundle,
        digest=row.digest,
    )
