"""How a worker's live library is doing, in the words /healthz reports: ok, or degraded and why."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.core.library import LibraryError
from bot.store.engine import NotMigrated, StoreError, StoreUnavailable


@dataclass(frozen=True)
class Health:
    """How a worker is doing: ok, or degraded with one word saying why."""

    status: str = "ok"
    reason: str | None = None


OK = Health()
LIBRARY_INVALID = Health("degraded", "library_invalid")
RELOAD_STALLED = Health("degraded", "reload_stalled")
#: Modules whose errors mean the database failed, even when the store did not wrap them.
_DATABASE_MODULES = ("sqlalchemy", "psycopg", "sqlite3")


def reason_for(exc: BaseException) -> str:
    """One word for /healthz saying why a worker is degraded; never the error's message."""
    if isinstance(exc, StoreUnavailable):
        return "database_unreachable"
    if isinstance(exc, NotMigrated):
        return "database_not_migrated"
    if isinstance(exc, StoreError) or type(exc).__module__.startswith(_DATABASE_MODULES):
        return "database_error"
    if type(exc) is LibraryError:  # not its RegistryError: a bad numbers.yaml is reload_failed
        return "library_invalid"
    return "reload_failed"


def degraded_by(exc: BaseException) -> Health:
    """The health after a failure."""
    return Health("degraded", reason_for(exc))


def current_health(
    health: Health, last_check: float | None, reload_seconds: float, checking_here: bool
) -> Health:
    """The health to report: the last check's, or degraded when checks stopped happening in this
    process (checking_here: its background thread is this process's)."""
    if health.status == "ok" and last_check is not None and checking_here:
        stale_after = max(3 * reload_seconds, 60.0)
        if time.monotonic() - last_check > stale_after:
            return RELOAD_STALLED
    return health
