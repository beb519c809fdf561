"""Store: the repository of published library revisions, the live pointer and daily counts.

It reads and writes through the Database seam (bot/store/database.py), as the console's
repository does. Everything here returns plain frozen values (bot/store/values.py), never ORM
objects; failures come out as StoreErrors (bot/store/engine.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, literal_column, select
from sqlalchemy.engine import URL

from bot.core.library import bundle_digest
from bot.store.database import Database
from bot.store.engine import StoreError, UnknownRevision, safe_url
from bot.store.models import (
    READERS_KEPT,
    daily_count,
    library_revision,
    live_revision,
    reader_weights,
)
from bot.store.values import CountRow, Revision, RevisionSummary, check_count_key


class Store:
    """The bot's database: library revisions with a live pointer, and anonymous daily counts."""

    def __init__(self, database: str | URL | Database):
        self.database = database if isinstance(database, Database) else Database(database)

    def __repr__(self) -> str:
        return f"Store({safe_url(self.url)!r})"

    @property
    def url(self) -> URL:
        """The database's URL (with its password: render it with safe_url for messages)."""
        return self.database.url

    @property
    def engine(self) -> Engine:
        """The database's engine."""
        return self.database.engine

    @property
    def dialect(self) -> str:
        """sqlite or postgresql."""
        return self.database.dialect

    def dispose(self, close: bool = True) -> None:
        """Drop pooled connections: at shutdown, or with close=False in a worker just forked
        (the parent's connections must be forgotten there, not closed)."""
        self.database.dispose(close=close)

    def migrate(self) -> str | None:
        """Bring the schema to the newest migration (alembic upgrade head); returns that revision."""
        return self.database.migrate()

    def schema_revision(self) -> str | None:
        """The migration the database is at, or None before the first one."""
        return self.database.schema_revision()

    # -- revisions --

    def live_revision_id(self) -> int | None:
        """The id of the live revision, or None before the first publish. One indexed lookup."""
        with self.database.read() as conn:
            return conn.scalar(_LIVE_ID)

    def live_revision(self) -> Revision | None:
        """The live revision with its files, or None before the first publish."""
        with self.database.read() as conn:
            row = conn.execute(_LIVE_ROW).one_or_none()
        return _revision(row) if row is not None else None

    def get_revision(self, revision_id: int) -> Revision:
        """A revision by id; UnknownRevision when there is none."""
        with self.database.read() as conn:
            row = _revision_row(conn, revision_id)
        if row is None:
            raise UnknownRevision(revision_id)
        return _revision(row)

    def history(self, limit: int = 20) -> list[RevisionSummary]:
        """The newest revisions first, without their files (the database counts them)."""
        t = library_revision
        with self.database.read() as conn:
            live = conn.scalar(_LIVE_ID)
            rows = conn.execute(
                select(
                    t.c.id,
                    t.c.published_at,
                    t.c.published_by,
                    t.c.comment,
                    t.c.digest,
                    _file_count(self.dialect).label("files"),
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
                files=int(r.files),
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
        with self.database.write() as conn:
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
            with self.database.write() as conn:
                row = self._insert_revision(
                    conn, content, bundle_digest(content), published_by, comment
                )
                claimed = conn.execute(
                    self.database.upsert(live_revision)
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

    def make_live(self, revision_id: int) -> Revision:
        """Make an existing revision the live one (again); UnknownRevision when there is none."""
        with self.database.write() as conn:
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
            self.database.upsert(live_revision)
            .values(id=1, revision_id=revision_id)
            .on_conflict_do_update(index_elements=["id"], set_={"revision_id": revision_id})
        )

    # -- trained readers --

    def saved_reader(self, key: str) -> bytes | None:
        """The trained reader's bytes kept under a key (bot/core/saved_reader.py), or None."""
        t = reader_weights
        with self.database.read() as conn:
            data = conn.scalar(select(t.c.data).where(t.c.key == key))
        return bytes(data) if data is not None else None

    def has_saved_reader(self, key: str) -> bool:
        """True when a trained reader is kept under a key (its bytes are not read)."""
        t = reader_weights
        with self.database.read() as conn:
            return conn.scalar(select(t.c.key).where(t.c.key == key)) is not None

    def save_reader(self, key: str, data: bytes) -> None:
        """Keep a trained reader's bytes under a key, unless some are kept there already (another
        worker trained the same examples first); only the READERS_KEPT newest are kept."""
        t = reader_weights
        with self.database.write() as conn:
            conn.execute(
                self.database.upsert(t)
                .values(key=key, saved_at=datetime.now(UTC), data=data)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            newest = select(t.c.key).order_by(t.c.saved_at.desc(), t.c.key).limit(READERS_KEPT)
            conn.execute(delete(t).where(t.c.key.not_in(newest.scalar_subquery())))

    # -- counts --

    def add_counts(self, counts: Mapping[tuple[date, str, str], int]) -> None:
        """Add each n to its (day, topic, language) count in one transaction; atomic across workers.

        Only a topic id and a language code are accepted, never message text: every key is checked
        before anything is written (a refused key writes none), without echoing it. One
        transaction for a worker's whole flush, not one per key: a flush of 30 keys took 20 ms of
        CPU on SQLite and 100 ms on PostgreSQL written key by key.
        """
        rows = []
        for (day, topic, lang), n in counts.items():
            check_count_key(day, topic, lang)
            rows.append({"day": day, "topic": topic, "lang": lang, "count": n})
        if not rows:
            return
        t = daily_count
        upsert = self.database.upsert(t)
        upsert = upsert.on_conflict_do_update(
            index_elements=["day", "topic", "lang"],
            set_={"count": t.c.count + upsert.excluded["count"]},
        )
        with self.database.write() as conn:
            conn.execute(upsert, rows)

    def counts(self, since_day: date) -> list[CountRow]:
        """Every count from since_day on, by day, topic and language."""
        t = daily_count
        with self.database.read() as conn:
            rows = conn.execute(
                select(t.c.day, t.c.topic, t.c.lang, t.c.count)
                .where(t.c.day >= since_day)
                .order_by(t.c.day, t.c.topic, t.c.lang)
            ).all()
        return [CountRow(r.day, r.topic, r.lang, r.count) for r in rows]


_LIVE_ID = select(live_revision.c.revision_id).where(live_revision.c.id == 1)
_LIVE_ROW = (
    select(library_revision)
    .join(live_revision, live_revision.c.revision_id == library_revision.c.id)
    .where(live_revision.c.id == 1)
)


class _AlreadyLive(Exception):
    """Another process published first (publish_if_empty)."""


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


#: The largest id an integer column holds on PostgreSQL (SQLite's go to 2**63 - 1): an id past
#: it names no revision, and asking the database would raise instead of finding nothing.
MAX_REVISION_ID = 2**31 - 1


def _revision_row(conn: Connection, revision_id: int) -> Any:
    """The library_revision row with this id, or None (also for an id no column can hold)."""
    if not 0 < revision_id <= MAX_REVISION_ID:
        return None
    return conn.execute(
        select(library_revision).where(library_revision.c.id == revision_id)
    ).one_or_none()


def _file_count(dialect: str) -> Any:
    """How many files a revision's content holds, counted by the database: history() lists
    revisions without loading each one's files."""
    keys = "json_object_keys" if dialect == "postgresql" else "json_each"
    return literal_column(f"(SELECT count(*) FROM {keys}(library_revision.content))")
