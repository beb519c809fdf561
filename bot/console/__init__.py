"""The operators' console under /console: edit, try, check, publish and roll back the library.

blueprint.py  the blueprint, its guard and error pages, and what every page shares
working.py    the library a page works on (the draft, else the live revision), read once
signin.py     login, logout, accounts, audit trail
topics.py     the library at a glance, topics, the spoken message of calls, the draft
trying.py     the try panel (the answer, why, and "should be") and the reply counter
publishing.py publish, history, diff, rollback, zip (rules: bot.library.publishing)
stats.py      the daily counts as a chart and CSV
outreach.py   cards, posters and QR codes to download
numbers.py    the number registry: everyone sees it, admins edit it in the draft
editing.py    reading and rewriting keywords.yaml and replies as operators edit them
examples_edit.py  adding a text typed in the try panel to the draft's example texts
storage.py    ConsoleStore: accounts, the draft and the audit trail in the bot's database
security.py   sessions, roles, CSRF, login limits, headers
cli.py        `flask users`

init_app(app) registers the `flask users` commands always, and the console itself unless
CONSOLE=false. The console is ordinary Flask behind the Twilio endpoint (bot.channels), which
answers before Flask is reached, so nothing here runs on a texter's request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask

from bot.runtime import runtime
from bot.settings import SettingsError

if TYPE_CHECKING:
    from bot.console.security import LoginLimiter
    from bot.console.storage import ConsoleStore


@dataclass
class ConsoleRuntime:
    """The console's objects of one app, under app.extensions["console"]."""

    store: ConsoleStore
    limiter: LoginLimiter


def init_app(app: Flask) -> None:
    """Register `flask users`; unless CONSOLE=false, the /console blueprint and its guards."""
    from bot.console.cli import users_cli

    app.cli.add_command(users_cli)
    rt = runtime(app)
    settings = rt.settings
    if not settings.console:
        return
    # Each module registers its pages on bp as it is imported.
    from bot.console import (  # noqa: F401
        numbers,
        outreach,
        publishing,
        reviewing,
        security,
        signin,
        stats,
        topics,
        trying,
    )
    from bot.console.blueprint import bp
    from bot.console.storage import ConsoleStore

    if settings.console_idle_minutes < 1:
        raise SettingsError("CONSOLE_IDLE_MINUTES must be at least 1")
    security.configure(app, settings)
    try:
        limiter = security.LoginLimiter(
            settings.console_login_limit, settings.rate_limit_storage_url, app.secret_key
        )
    except ValueError as exc:
        raise SettingsError(f"CONSOLE_LOGIN_LIMIT: {exc} (e.g. '5 per 15 minutes')") from None
    app.extensions["console"] = ConsoleRuntime(
        store=ConsoleStore(rt.store.database), limiter=limiter
    )
    app.register_blueprint(bp)
