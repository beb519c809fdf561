"""BotRuntime, the runtime objects of one app kept under app.extensions["bot"], and runtime(app)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from flask import Flask
    from twilio.request_validator import RequestValidator

    from bot.live import LiveLibrary
    from bot.purge.purger import Purger
    from bot.settings import Settings
    from bot.store import Store


class ReplyLimiter(Protocol):
    """What runtime(app).limiter must offer (bot.ratelimit.SenderLimiter): may this reply go out?"""

    def allow(self, sender: str, topic: str) -> bool:
        """False when the sender has had enough replies for now; the bot then sends nothing."""
        ...

    def first_delivery(self, message_sid: str) -> bool:
        """False for a MessageSid answered lately (a replayed request); the bot sends nothing."""
        ...


@dataclass
class BotRuntime:
    """The runtime objects of one app, built whole by create_app, instead of module globals."""

    settings: Settings
    store: Store
    live: LiveLibrary
    limiter: ReplyLimiter
    #: twilio's RequestValidator for the auth token, built once (unused while the token is empty)
    validator: RequestValidator
    #: the sweeper of Twilio's message records (bot.purge), when the purge is on
    purge: Purger | None = None


def runtime(app: Flask) -> BotRuntime:
    """The bot's runtime objects for an app."""
    return app.extensions["bot"]
