"""The library's lifecycle, from files to the live revision, in one place.

prepare.py    read, transliterate, load and check files as publish does (PreparedLibrary)
registry.py   the deployment's number registry: located, read, and its one error type
publishing.py publish(), rollback() (each says what happened) and export
cli.py        `flask library check|publish|history|rollback|export`

The console and the commands both call these; neither keeps publishing rules of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the `flask library` commands."""
    from bot.library.cli import init_app as register_commands

    register_commands(app)
