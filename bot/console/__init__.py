"""The operators' console under /console: edit, try, check, publish and roll back the library.

init_app(app) registers the `flask users` commands always, and the console itself unless
CONSOLE=false. The console is ordinary Flask behind the /sms endpoint (bot.webhook), which
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
    from bot.console import security
    from bot.console.storage import ConsoleStore
    from bot.console.views import bp

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
