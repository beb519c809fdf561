"""Alembic environment for the bot's store, driven from code (bot.store.Store.migrate).

The caller hands over an open connection in config.attributes["connection"]; there is no
alembic.ini. SQLite runs in batch mode so ALTERs work by rebuilding tables.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import bot.console.models  # noqa: F401 - the console's tables share the store's MetaData
from bot.store.models import metadata

config = context.config
target_metadata = metadata


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit SQL for a URL given in the config (alembic --sql), without connecting."""
    url = config.get_main_option("sqlalchemy.url")
    _configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=bool(url and url.startswith("sqlite")),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    from bot.store.engine import build_engine

    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("run migrations through bot.store.Store.migrate() or `flask db upgrade`")
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            _run_on(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
