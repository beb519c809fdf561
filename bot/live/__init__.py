"""The library each worker serves: an immutable snapshot, swapped whole when a new one goes live.

library.py   LiveLibrary, the holder every request reads, and its background schedule
snapshot.py  Snapshot and build_snapshot: library, matcher and TwiML, built once
bootstrap.py the first start: migrate an empty database, publish the bundled library
reload.py    Reloader: the next snapshot, or why the current one stays
counts.py    DailyCounts: anonymous counts, flushed in batches
health.py    Health and the one-word reasons /healthz reports
"""

from __future__ import annotations

from bot.live.bootstrap import AUTO_COMMENT, AUTO_PUBLISHER
from bot.live.counts import DailyCounts
from bot.live.health import OK, Health
from bot.live.library import LiveLibrary
from bot.live.snapshot import Snapshot, build_snapshot

__all__ = [
    "AUTO_COMMENT",
    "AUTO_PUBLISHER",
    "OK",
    "DailyCounts",
    "Health",
    "LiveLibrary",
    "Snapshot",
    "build_snapshot",
]
