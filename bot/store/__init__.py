"""The library store: published revisions, the live pointer and anonymous daily counts.

engine.py     the engine, and database failures as StoreErrors
schema.py     Alembic migrations (scripts in migrations/), run in code
repository.py Store: revisions, the live pointer, daily counts
values.py     the plain values Store returns
models.py     the tables
cli.py        `flask library|db|stats`

create_app builds the app's Store on database_url_for(app, settings) (DATABASE_URL, or an SQLite
file in the instance folder); init_app(app) registers the `flask library`, `flask db` and
`flask stats` commands.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from bot.settings import Settings
from bot.store.engine import (
    NotMigrated,
    StoreError,
    StoreUnavailable,
    UnknownRevision,
    normalize_url,
    sqlite_url,
)
from bot.store.repository import Store
from bot.store.values import CountRow, Revision, RevisionSummary

__all__ = [
    "CountRow",
    "NotMigrated",
    "Revision",
    "RevisionSummary",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "UnknownRevision",
    "database_url_for",
    "init_app",
    "normalize_url",
    "sqlite_url",
]

SQLITE_FILE = "bot.sqlite3"


def database_url_for(app: Flask, settings: Settings) -> str:
    """The app's database URL: DATABASE_URL, or an SQLite file in the instance folder."""
    url = settings.database_url.strip()
    return url or sqlite_url(Path(app.instance_path) / SQLITE_FILE)


def init_app(app: Flask) -> None:
    """Register the `flask library`, `flask db` and `flask stats` commands."""
    from bot.store.cli import register_commands

    register_commands(app)
