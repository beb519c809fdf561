"""The store's schema: Alembic migrations (scripts in bot/store/migrations), run in code."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from bot.store.engine import (
    SQLITE_LOCKED_ATTEMPTS,
    SQLITE_LOCKED_RETRY_SECONDS,
    WRITE_OPTION,
    StoreError,
    StoreUnavailable,
    database_errors,
)

#: Key of the PostgreSQL advisory lock taken while migrating, so workers starting together queue.
MIGRATION_LOCK_KEY = 0x5B07_5709
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
log = logging.getLogger(__name__)


def migrate(engine: Engine) -> str | None:
    """Bring the schema to the newest migration (alembic upgrade head); returns that revision."""
    dialect = engine.dialect.name
    for attempt in range(1, SQLITE_LOCKED_ATTEMPTS):
        try:
            return _migrate(engine)
        except StoreUnavailable as exc:
            # Workers migrating a new SQLite file together: SQLite answers the losers
            # "database is locked" at once rather than making them wait, so wait and retry.
            if dialect != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(SQLITE_LOCKED_RETRY_SECONDS * attempt)
    return _migrate(engine)


def _migrate(engine: Engine) -> str | None:
    dialect = engine.dialect.name
    writer = engine.execution_options(**{WRITE_OPTION: True})
    with _quiet_alembic():
        from alembic import command
        from alembic.util import CommandError

        before = schema_revision(engine)
        with database_errors(engine.url), writer.connect() as conn:
            if dialect == "sqlite":
                # Batch migrations rebuild tables, which SQLite refuses while it enforces
                # foreign keys; the PRAGMA only works outside a transaction.
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    if dialect == "postgresql":
                        # Workers starting together queue here instead of racing CREATE TABLE.
                        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
                    try:
                        command.upgrade(alembic_config(conn), "head")
                    except CommandError as exc:
                        raise StoreError(
                            f"cannot migrate the database: {exc} (is it from a newer version "
                            "of the bot?)"
                        ) from None
            finally:
                if dialect == "sqlite":
                    conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
        after = schema_revision(engine)
    if after != before:
        log.info("database schema upgraded from %s to %s", before or "nothing", after)
    return after


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None before the first one."""
    from alembic.runtime.migration import MigrationContext

    with _quiet_alembic(), database_errors(engine.url), engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def alembic_config(connection: Connection | None = None) -> Any:
    """Alembic's Config built in code: scripts in bot/store/migrations, no alembic.ini."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


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
