"""The Purger: sweeps on demand (run_once) or from a thread per worker; keeps the state /healthz shows."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.background import BackgroundThread
from bot.purge.config import credentials_set, explain_failure
from bot.purge.lock import SweepLock, lock_for
from bot.purge.sweep import (
    BACKOFF_BASE,
    SWEEP_SECONDS,
    Budget,
    SweepAborted,
    SweepReport,
    aborted_by,
    sweep,
    with_retries,
)
from bot.purge.twilio_api import REQUEST_SECONDS, ApiError, TwilioMessages
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

#: After failed sweeps the wait doubles, up to this (seconds): never a tight loop.
MAX_BACKOFF_SECONDS = 6 * 3600.0
#: The first sweep of a worker waits a random part of this (or of PURGE_EVERY_SECONDS if less),
#: so workers starting together do not all reach for the lock at once.
FIRST_SWEEP_WITHIN = 30.0


@dataclass(frozen=True)
class PurgeState:
    """What this worker knows of the purge, for /healthz: counts and reasons, never a SID."""

    #: ok, incomplete (a budget ran out), locked (another sweeper had the lock), or why it failed.
    outcome: str | None = None
    failing: bool = False
    last_attempt: datetime | None = None
    last_report: SweepReport | None = None
    consecutive_failures: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The state as JSON-ready values."""
        return {
            "outcome": self.outcome,
            "failing": self.failing,
            "last_attempt": self.last_attempt.isoformat(timespec="seconds")
            if self.last_attempt
            else None,
            "last_sweep": self.last_report.as_dict() if self.last_report else None,
        }


class Purger:
    """Sweeps the bot's message records off Twilio: on demand (run_once) or in a thread."""

    def __init__(
        self,
        settings: Settings,
        store: Store | None,
        *,
        api_factory: Callable[[Settings], TwilioMessages] = TwilioMessages.from_settings,
        lock: SweepLock | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.api_factory = api_factory
        self._lock = lock
        self._api: TwilioMessages | None = None
        self.state = PurgeState()
        self.background = BackgroundThread("bot-twilio-purge", self._run, self._forked)
        self._stop = threading.Event()  # set by stop(): ends a sweep the CLI or a test started
        self._stopped = False
        self._rng = random.Random()
        self._reported: str | None = None  # the failure last logged as an error
        #: First retry's back-off in seconds (tests shorten it).
        self.backoff_base = BACKOFF_BASE
        #: The time bound of the background thread's sweeps (tests shorten it).
        self.sweep_seconds = SWEEP_SECONDS
        #: A sweep still running this long after its bound is reported stuck on /healthz: every
        #: request ends by the bound, so only a fault (a database lock that hangs, a bug) gets here.
        self.stuck_grace_seconds = REQUEST_SECONDS
        #: While a sweep runs: (when it started, when its bound ends), both time.monotonic().
        self._running: tuple[float, float] | None = None

    # -- one sweep --

    @property
    def lock(self) -> SweepLock:
        """The database lock that makes one sweeper at a time."""
        if self._lock is None:
            if self.store is None:
                raise RuntimeError("the purge needs the database for its lock")
            self._lock = lock_for(self.store)
        return self._lock

    def api(self) -> TwilioMessages:
        """The REST client, built once per process."""
        if self._api is None:
            self._api = self.api_factory(self.settings)
        return self._api

    def run_once(
        self,
        *,
        older_than: timedelta | None = None,
        dry_run: bool = False,
        budget: Budget | None = None,
    ) -> SweepReport | None:
        """Sweep once if this process gets the lock; None if another sweeper holds it.

        Never raises for what Twilio answers; the report's error says why a sweep stopped.
        """
        older_than = older_than or timedelta(minutes=self.settings.purge_after_minutes)
        budget = budget or Budget.of(stop=self._stop, backoff_base=self.backoff_base)
        attempt = datetime.now(UTC)
        if not credentials_set(self.settings):
            report = SweepReport(dry_run=dry_run, complete=False, error="credentials_missing")
            self._record(report, attempt)
            return report
        self._running = (time.monotonic(), budget.deadline)
        try:
            with self.lock.hold() as held:
                if not held:
                    self._record(None, attempt)
                    return None
                report = self._sweep(older_than, dry_run, budget)
        finally:
            self._running = None
        self._record(report, attempt)
        return report

    def _sweep(self, older_than: timedelta, dry_run: bool, budget: Budget) -> SweepReport:
        """The sweep itself, once the lock is held."""
        try:
            api = self.api()
        except ValueError:  # HostRewritingHttpClient: TWILIO_API_BASE_URL is no http(s) URL
            return SweepReport(dry_run=dry_run, complete=False, error="bad_base_url")
        try:
            with api.until(budget.deadline):
                numbers = self.numbers(api, budget)
        except SweepAborted as exc:
            return SweepReport(dry_run=dry_run, complete=False, error=exc.reason, detail=exc.detail)
        if not numbers:
            return SweepReport(dry_run=dry_run, complete=False, error="no_numbers")
        return sweep(api, numbers, older_than, budget, dry_run=dry_run)

    def numbers(self, api: TwilioMessages, budget: Budget) -> list[str]:
        """PURGE_NUMBERS, else BOT_NUMBER, else every phone number of the account."""
        configured = [n.strip() for n in self.settings.purge_numbers.split(",") if n.strip()]
        if configured:
            return configured
        if self.settings.bot_number:
            # An account may also hold a nonprofit's other numbers (a staff line, a second
            # project): with the bot's own number known, only its conversations are deleted.
            return [self.settings.bot_number]
        try:
            return with_retries(api.account_numbers, budget)
        except ApiError as exc:
            raise aborted_by(exc) from None

    def _record(self, report: SweepReport | None, attempt: datetime) -> None:
        """Keep the outcome for /healthz and log it: counts at DEBUG, a new failure once."""
        previous = self.state
        if report is None:
            self.state = PurgeState(
                "locked",
                previous.failing,
                attempt,
                previous.last_report,
                previous.consecutive_failures,
            )
            log.debug("purge: another sweeper holds the lock; skipped")
            return
        failing = report.error is not None
        outcome = report.error or ("ok" if report.complete else "incomplete")
        failures = previous.consecutive_failures + 1 if failing else 0
        self.state = PurgeState(outcome, failing, attempt, report, failures)
        log.debug(
            "purge sweep%s: deleted %d, already gone %d, not final %d, failed %d, younger %d, "
            "%d pages in %.1f s (%s)",
            " (dry run)" if report.dry_run else "",
            report.deleted,
            report.gone,
            report.not_final,
            report.failed,
            report.younger,
            report.pages,
            report.seconds,
            outcome,
        )
        if failing and self._reported != outcome:  # once, not at every retry
            self._reported = outcome
            log.error(
                "purge of Twilio message records failed: %s. Retrying with back-off.",
                explain_failure(outcome, report.detail),
            )
        elif not failing and self._reported is not None:
            self._reported = None
            log.info("purge of Twilio message records works again")
        if report.failed and not failing:
            log.warning(
                "purge: %d message records could not be deleted; next sweep retries", report.failed
            )

    def next_wait(self) -> float:
        """Seconds until the next sweep: PURGE_EVERY_SECONDS with jitter, doubled per failure."""
        every = max(float(self.settings.purge_every_seconds), 0.05)
        failures = self.state.consecutive_failures
        wait = min(every * 2 ** min(failures, 30), max(MAX_BACKOFF_SECONDS, every))
        return wait * self._rng.uniform(0.8, 1.2)

    # -- the background thread --

    def ensure_running(self) -> None:
        """Start this process's sweeper thread if it has none (first request, or after fork)."""
        if not self._stopped:
            self.background.ensure_running()

    def _forked(self) -> None:
        """In a forked worker: the parent's client sockets and pooled connections are not ours."""
        self._api = None
        if self.store is not None:
            self.store.dispose(close=False)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the sweeper thread for good (a sweep in progress stops between two requests)."""
        self._stopped = True
        self._stop.set()
        self.background.stop(timeout)

    def thread_alive(self) -> bool:
        """True while this process's sweeper thread runs."""
        return self.background.alive()

    def _run(self, stop: threading.Event) -> None:
        first = self._rng.uniform(
            0, min(FIRST_SWEEP_WITHIN, float(self.settings.purge_every_seconds))
        )
        wait = first
        while not stop.wait(wait):
            try:
                budget = Budget.of(self.sweep_seconds, stop=stop, backoff_base=self.backoff_base)
                self.run_once(budget=budget)
            except Exception as exc:  # the database lock failed, or a bug: never end the thread
                self.state = PurgeState(
                    "purge_error",
                    True,
                    datetime.now(UTC),
                    self.state.last_report,
                    self.state.consecutive_failures + 1,
                )
                log.warning("purge sweep failed (%s); will retry", type(exc).__name__)
            wait = self.next_wait()

    def status(self) -> dict[str, Any]:
        """The purge's state in this worker, for /healthz: while a sweep runs, outcome says
        sweeping, or stuck (and failing) once it is far past its bound."""
        status = {"thread_alive": self.thread_alive(), **self.state.as_dict()}
        running = self._running
        if running is not None:
            started, deadline = running
            now = time.monotonic()
            stuck = now > deadline + self.stuck_grace_seconds
            status["outcome"] = "stuck" if stuck else "sweeping"
            status["failing"] = stuck or status["failing"]
            status["sweeping_for_seconds"] = round(now - started, 1)
        return status
