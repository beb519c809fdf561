"""Deleting the bot's message records from Twilio: a sweeper thread per worker, one sweep at a time.

init_app(app) puts a Purger (purger.py) on runtime(app).purge when the purge is on (PURGE_MESSAGES,
default: when TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET are set) and registers the
`flask twilio purge` command (cli.py). Each worker process starts its sweeper thread before its
first request, so after gunicorn's fork, as it starts its reload thread
(BotRuntime.ensure_background: gunicorn's post_worker_init, else the first request);
the thread sweeps (sweep.py, through twilio_api.py) every PURGE_EVERY_SECONDS when it gets the
database lock (lock.py) and skips otherwise. Nothing a reply needs ever waits on it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Flask

from bot.purge.cli import twilio_cli
from bot.purge.config import credentials_set, explain_failure, purge_wanted
from bot.runtime import runtime

if TYPE_CHECKING:
    from bot.purge.purger import Purger

__all__ = ["credentials_set", "init_app", "purge_wanted"]

log = logging.getLogger(__name__)


def init_app(app: Flask) -> Purger | None:
    """Register `flask twilio`; when the purge is on, put a Purger on runtime(app).purge."""
    app.cli.add_command(twilio_cli)
    rt = runtime(app)
    settings = rt.settings
    if not purge_wanted(settings):
        rt.purge = None
        return None
    # Imported only when the purge is on: twilio's REST client costs a worker about 10 MB.
    from bot.purge.purger import Purger

    purger = rt.purge = Purger(settings, rt.store)
    if not credentials_set(settings):
        log.error(
            "PURGE_MESSAGES is on but the purge cannot run: %s",
            explain_failure("credentials_missing"),
        )
    return purger
