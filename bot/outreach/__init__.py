"""Outreach materials made from a published library: wallet cards, posters and QR codes.

init_app(app) registers `flask outreach cards|poster|qr`. The PDF and QR libraries are imported
only when a command runs, never by a serving worker.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the outreach commands."""
    from bot.outreach.cli import outreach_cli

    app.cli.add_command(outreach_cli)
