"""The library store: published revisions, the live pointer and anonymous daily counts.

init_app(app) builds the app's Store from settings.database_url (empty: an SQLite file in the
instance folder), puts it on runtime(app).store and registers the `flask library`, `flask db`
and `flask stats` commands.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from bot.store.repository import (
    CountRow,
    NotMigrated,
    Revision,
    RevisionSummary,
    Store,
    StoreError,
    StoreUnavailable,
    UnknownRevision,
    normalize_url,
    sqlite_url,
)

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


def database_url_for(app: Flask) -> str:
    """The app's database URL: DATABASE_URL, or an SQLite file in the instance folder."""
    from bot import runtime

    url = runtime(app).settings.database_url.strip()
    return url or sqlite_url(Path(app.instance_path) / SQLITE_FILE)


def init_app(app: Flask) -> Store:
    """Build the app's Store, keep it on runtime(app).store and register the CLI commands."""
    from bot import runtime
    from bot.store.cli import register_commands

    store = Store(database_url_for(app))
    runtime(app).store = store
    register_commands(app)
    return store
