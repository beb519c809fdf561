"""BotRuntime, the runtime objects of one app kept under app.extensions["bot"], and runtime(app);
BackgroundJobs, the one way a worker's background threads are started."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from flask import Flask
    from twilio.request_validator import RequestValidator

    from bot.live import LiveLibrary
    from bot.purge.purger import Purger
    from bot.settings import Settings
    from bot.store import Store
    from bot.store.readers import StoredReaders


class ReplyLimiter(Protocol):
    """What runtime(app).limiter must offer (bot.ratelimit.SenderLimiter): may this reply go out?"""

    def allow(self, sender: str, topic: str) -> bool:
        """False when the sender has had enough replies for now; the bot then sends nothing."""
        ...

    def first_delivery(self, message_sid: str) -> bool:
        """False for a MessageSid answered lately (a replayed request); the bot sends nothing."""
        ...


class SenderLanguages(Protocol):
    """What runtime(app).menu_language offers (bot.ratelimit.LanguageMemory): the language of
    the last reply to a sender, kept for a while under the limiter's keyed hash."""

    def recall(self, sender: str) -> str | None:
        """The language kept for a sender, or None."""
        ...

    def remember(self, sender: str, lang: str, default: str = "") -> None:
        """Keep a sender's reply language (the default only over another one)."""
        ...


@dataclass
class BotRuntime:
    """The runtime objects of one app, built whole by create_app, instead of module globals."""

    settings: Settings
    store: Store
    #: trained readers kept in the database and the instance folder: loaded, not trained again
    readers: StoredReaders
    live: LiveLibrary
    limiter: ReplyLimiter
    #: twilio's RequestValidator for the auth token, built once (unused while the token is empty)
    validator: RequestValidator
    #: the sweeper of Twilio's message records (bot.purge), when the purge is on
    purge: Purger | None = None
    #: the language of the last reply per sender, under the limiter's keyed hash (bot.ratelimit)
    menu_language: SenderLanguages | None = None

    def ensure_background(self) -> None:
        """Start this process's background threads unless they run: the live library's reload
        thread and, with the purge on, the sweeper. Threads do not survive gunicorn's fork, so
        each worker starts its own; when running, this costs an is_alive() check each."""
        self.live.ensure_running()
        if self.purge is not None:
            self.purge.ensure_running()

    def start_worker(self) -> None:
        """Before a worker's first request (gunicorn's post_worker_init): load the live library,
        then start the background threads."""
        self.live.start()
        self.ensure_background()


class BackgroundJobs:
    """The outermost WSGI layer: makes sure the worker's background threads run, then hands the
    request on. In front of everything, since /sms (bot.channels) bypasses Flask's hooks."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], rt: BotRuntime) -> None:
        self.wsgi_app = wsgi_app
        self.rt = rt

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Start the background threads if need be, then answer."""
        rt = self.rt
        # Inlined for the usual case (reload thread running, purge off): one is_alive() and no
        # call chain, on every request (bench/instructions.py counts it).
        thread = rt.live.background.thread
        if thread is None or not thread.is_alive() or rt.purge is not None:
            rt.ensure_background()
        return self.wsgi_app(environ, start_response)


def runtime(app: Flask) -> BotRuntime:
    """The bot's runtime objects for an app."""
    return app.extensions["bot"]
