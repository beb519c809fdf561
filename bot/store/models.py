"""The database schema: published library revisions, the live pointer and anonymous daily counts.

Privacy rule: no table holds a sender number, a message body or a message id. The only things
kept are the published library (operator-written text) and per-day counts per topic and language.
tests/store checks the exact set of columns so a new one cannot slip in unnoticed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Constraint names fixed by convention, so migrations (SQLite batch mode included) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Longest topic id and language code a count may carry (ids are short slugs like "shelter").
TOPIC_MAX = 64
LANG_MAX = 16


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LibraryRevision(Base):
    """One published library: the whole bundle (relative path -> file text) and its digest."""

    __tablename__ = "library_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text)
    content: Mapped[dict[str, str]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64), index=True)


class LiveRevision(Base):
    """A single row (id=1) pointing at the revision every worker serves."""

    __tablename__ = "live_revision"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision_id: Mapped[int] = mapped_column(ForeignKey("library_revision.id"))


class DailyCount(Base):
    """How many messages matched a topic in a language on one (UTC) day. Nothing else."""

    __tablename__ = "daily_count"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    topic: Mapped[str] = mapped_column(String(TOPIC_MAX), primary_key=True)
    lang: Mapped[str] = mapped_column(String(LANG_MAX), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
