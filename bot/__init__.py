"""The SMS resource bot: create_app wires the core, the library store and the webhook together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.live import LiveLibrary
    from bot.store import Store


@dataclass
class BotRuntime:
    """The runtime objects of one app, kept under app.extensions["bot"] instead of module globals."""

    settings: Settings
    store: Store | None = None
    live: LiveLibrary | None = None
    limiter: Any = None
    #: twilio's RequestValidator for the auth token, built once
    validator: Any = None


def runtime(app: Flask) -> BotRuntime:
    """The bot's runtime objects for an app."""
    return app.extensions["bot"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app; the one place where settings, store, live library and routes are wired."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.extensions["bot"] = BotRuntime(settings=settings)

    from bot import cli, console, live, privacy, ratelimit, store, webhook

    privacy.init_app(app)
    store.init_app(app)
    live.init_app(app)
    ratelimit.init_app(app)
    webhook.init_app(app)
    cli.init_app(app)
    console.init_app(app)
    return app
