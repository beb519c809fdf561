"""The database schema: published library revisions, the live pointer and anonymous daily counts.

Privacy rule: no table holds a sender number, a message body or a message id. The only things
kept are the published library (operator-written text), the reader trained from its example
texts, and per-day counts per topic and language.
tests/store checks the exact set of columns so a new one cannot slip in unnoticed.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

# Core tables, not ORM classes: the store reads and writes with Core statements only, and a worker
# that never imports sqlalchemy.orm holds about 5.6 MB less (bench/memory.py).

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

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: One published library: the whole bundle (relative path -> file text) and its digest.
library_revision = Table(
    "library_revision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_by", String(200), nullable=False),
    Column("comment", Text, nullable=False),
    Column("content", JSON, nullable=False),
    Column("digest", String(64), nullable=False, index=True),
)

#: A single row (id=1) pointing at the revision every worker serves.
live_revision = Table(
    "live_revision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("revision_id", Integer, ForeignKey("library_revision.id"), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

#: How many messages matched a topic in a language on one (UTC) day. Nothing else.
daily_count = Table(
    "daily_count",
    metadata,
    Column("day", Date, primary_key=True),
    Column("topic", String(TOPIC_MAX), primary_key=True),
    Column("lang", String(LANG_MAX), primary_key=True),
    Column("count", Integer, nullable=False),
)

#: How many trained readers are kept: the newest ones (a revision whose reader was dropped trains
#: it again when it goes live, and keeps it again).
READERS_KEPT = 8

#: A reader trained from a library's example texts (bot/core/saved_reader.py: its arrays, about
#: 3 MB), under a key of those examples, the topics and the reader's settings, so that workers
#: load it rather than train it. Library content: it is learned from operator-written examples.
reader_weights = Table(
    "reader_weights",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("data", LargeBinary, nullable=False),
)
