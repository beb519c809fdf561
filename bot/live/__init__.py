"""The library each worker serves: an immutable snapshot, swapped whole when a new one goes live.

library.py   LiveLibrary, the holder every request reads, and its background schedule
snapshot.py  Snapshot and build_snapshot: library, matcher and TwiML, built once
bootstrap.py the first start: migrate an empty database, publish the bundled library
reload.py    Reloader: the next snapshot, or why the current one stays
background.py BackgroundThread: one thread per process, started again after a fork
counts.py    DailyCounts: anonymous counts, flushed in batches
health.py    Health and the one-word reasons /healthz reports
"""

from __future__ import annotations

from flask import Flask, current_app

from bot.live.bootstrap import AUTO_COMMENT, AUTO_PUBLISHER
from bot.live.counts import DailyCounts
from bot.live.health import OK, Health
from bot.live.library import LiveLibrary
from bot.live.snapshot import Snapshot, build_snapshot
from bot.runtime import runtime

__all__ = [
    "AUTO_COMMENT",
    "AUTO_PUBLISHER",
    "OK",
    "DailyCounts",
    "Health",
    "LiveLibrary",
    "Snapshot",
    "build_snapshot",
    "init_app",
]


def _start_background() -> None:
    """Each worker process starts its reload thread on its first request (so after any fork)."""
    runtime(current_app).live.ensure_running()


def init_app(app: Flask) -> None:
    """Start the worker's background thread on its first Flask request too (the Twilio endpoint
    starts it on the first Twilio request)."""
    app.before_request(_start_background)
