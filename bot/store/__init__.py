"""The bot's database: the Database seam, and the library store on it (published revisions, the
live pointer and anonymous daily counts).

engine.py     the engine, and database failures as StoreErrors
database.py   Database: public read/write transactions and upserts, for every repository
schema.py     Alembic migrations (scripts in migrations/), run in code
repository.py Store: revisions, the live pointer, trained readers, daily counts
readers.py    StoredReaders: the Store as the place workers load trained readers from
values.py     the plain values Store returns
models.py     the tables
cli.py        `flask db`, and store_errors for commands

create_app builds the app's Store on database_url_for(app, settings) (DATABASE_URL, or an SQLite
file in the instance folder). The console's repository (bot.console.storage) is on the same
Database. Nothing outside bot/store calls a private method of these classes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings
from bot.store.database import Database
from bot.store.engine import (
    NotMigrated,
    StoreError,
    StoreUnavailable,
    UnknownRevision,
    normalize_url,
    sqlite_url,
)
from bot.store.readers import StoredReaders
from bot.store.repository import Store
from bot.store.values import CountRow, Revision, RevisionSummary

if TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "CountRow",
    "Database",
    "NotMigrated",
    "Revision",
    "RevisionSummary",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "StoredReaders",
    "UnknownRevision",
    "database_url_for",
    "normalize_url",
    "sqlite_url",
]

SQLITE_FILE = "bot.sqlite3"


def database_url_for(app: Flask, settings: Settings) -> str:
    """The app's database URL: DATABASE_URL, or an SQLite file in the instance folder."""
    url = settings.database_url.strip()
    return url or sqlite_url(Path(app.instance_path) / SQLITE_FILE)
