"""The SMS resource bot: create_app wires the core, the library store, the live library and the
Twilio channels together."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from bot.runtime import BackgroundJobs, BotRuntime, runtime
from bot.settings import Settings

__all__ = ["BotRuntime", "create_app", "runtime"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app; the one place where settings, store, live library and routes are wired."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    # Imported here rather than at the top so that `import bot.core...` (the checks, benchmarks,
    # the core's tests) does not load SQLAlchemy, twilio and limits; nothing imports bot back.
    from twilio.request_validator import RequestValidator

    from bot import (
        channels,
        cli,
        console,
        health,
        library,
        live,
        outreach,
        privacy,
        purge,
        ratelimit,
        store,
    )

    privacy.init_app(app, settings)  # first: every later step may log
    app_store = store.Store(store.database_url_for(app, settings))
    # Trained readers, kept in the database and in the instance folder (bot/store/readers.py).
    readers = store.StoredReaders(app_store, Path(app.instance_path) / "readers")
    app.extensions["bot"] = BotRuntime(
        settings=settings,
        store=app_store,
        readers=readers,
        live=live.LiveLibrary(settings, app_store, readers),
        limiter=ratelimit.limiter_for(settings),
        validator=RequestValidator(settings.twilio_auth_token),
    )
    bot = app.extensions["bot"]
    bot.menu_language = ratelimit.language_memory_for(settings, bot.limiter)
    health.init_app(app)
    channels.init_app(app)
    purge.init_app(app)
    cli.init_app(app)
    library.init_app(app)
    console.init_app(app)
    outreach.init_app(app)
    # Outermost, so that every request (the Twilio paths included) makes sure the worker's
    # background threads run; gunicorn's post_worker_init starts them before the first one.
    app.wsgi_app = BackgroundJobs(app.wsgi_app, runtime(app))  # type: ignore[method-assign]
    return app
