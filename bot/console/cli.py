"""`flask users add|list|disable|reset-password`: console accounts, created from the server's shell."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import AppGroup

from bot.console.models import ROLES
from bot.runtime import runtime
from bot.store.cli import store_errors

if TYPE_CHECKING:
    from bot.console.storage import Account, ConsoleStore

users_cli = AppGroup("users", help="Accounts of the operators' console.")

#: Who the audit trail names for changes made from the shell.
CLI_ACTOR = "cli"

# The commands need no except clause of their own: AccountError is a StoreError, which
# store_errors reports, and so argon2 loads only when an account is used.


def _console_store() -> ConsoleStore:
    from bot.console.storage import ConsoleStore

    store = runtime(current_app).store
    if store is None:
        raise click.ClickException("this app has no database")
    store.migrate()
    return ConsoleStore(store.database)


def _change_account(action: str, change: Callable[[ConsoleStore], Account]) -> Account:
    """Make a change to one account and put it in the audit trail under the account's name."""
    console = _console_store()
    account = change(console)
    console.audit(CLI_ACTOR, action, account.name)
    return account


def _read_password() -> str:
    """The password: the first line of stdin when it is not a terminal, else typed twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@store_errors
def add_command(name: str, role: str) -> None:
    """Create an account NAME; the password is read from stdin, or prompted for."""
    console = _console_store()
    account = console.add_account(name, _read_password(), role)
    console.audit(CLI_ACTOR, "account_add", f"{account.name} ({account.role})")
    click.echo(f"Created {account.role} account {account.name!r}.")


@users_cli.command("list")
@store_errors
def list_command() -> None:
    """List the accounts with their roles."""
    accounts = _console_store().accounts()
    if not accounts:
        click.echo("No accounts yet: flask --app wsgi users add NAME --role admin")
        return
    for a in accounts:
        state = "" if a.active else "  (disabled)"
        click.echo(f"{a.name:<24} {a.role:<10} created {a.created_at:%Y-%m-%d}{state}")


@users_cli.command("disable")
@click.argument("name")
@store_errors
def disable_command(name: str) -> None:
    """Disable account NAME; its open sessions end at their next request."""
    account = _change_account("account_disable", lambda console: console.set_active(name, False))
    click.echo(f"Disabled {account.name!r}.")


@users_cli.command("reset-password")
@click.argument("name")
@store_errors
def reset_password_command(name: str) -> None:
    """Give account NAME a new password (stdin, or prompted for); its open sessions end."""
    account = _change_account(
        "password_reset", lambda console: console.reset_password(name, _read_password())
    )
    click.echo(f"New password set for {account.name!r}.")
