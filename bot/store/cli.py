"""`flask db upgrade|current`, and store_errors: a StoreError as a one-line `Error: ...` in a command.

The commands are made for a function that gives the app's Store (create_app's wiring passes it),
so the store never reaches up for the app's runtime objects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask.cli import AppGroup

from bot.store.engine import StoreError
from bot.store.repository import Store

F = TypeVar("F", bound=Callable[..., Any])


def store_errors(func: F) -> F:
    """Turn a StoreError (a database it cannot reach, a revision or account it lacks) into a clean
    `Error: ...` and exit code 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def db_commands(app_store: Callable[[], Store]) -> AppGroup:
    """The `flask db` commands, on the store app_store() returns when a command runs."""
    db_cli = AppGroup("db", help="The bot's database schema.")

    @db_cli.command("upgrade")
    @store_errors
    def db_upgrade_command() -> None:
        """Create or update the bot's tables (alembic upgrade head)."""
        store = app_store()
        revision = store.migrate()
        click.echo(f"Database {store!r} is at migration {revision}.")

    @db_cli.command("current")
    @store_errors
    def db_current_command() -> None:
        """Show the migration the database is at."""
        revision = app_store().schema_revision()
        click.echo(revision or "none (run `flask db upgrade`)")

    return db_cli
