"""One sweep: delete every final message record older than the threshold, to or from the bot.

The sweep reads Twilio's newest-first list per address (To, then From) and compares the dates
itself. Twilio's DateSent filter takes a day in GMT ("YYYY-MM-DD", see twilio-python's
MessageList.page), far coarser than 70 minutes, and a message that never left (no date_sent)
would not match it; the messages younger than the threshold sit at the head of the list and cost
a page at most, since everything older is deleted.

Errors (Twilio's documentation, cited in bot.purge.twilio_api): 20009 leaves a message for the
next sweep; 404 means it is gone already; 429, 5xx and network failures are retried with
exponential back-off and full jitter; 401/403 end the sweep, and so do an answer too slow, too
large or redirected (bot.purge.twilio_api bounds every request). A sweep is bounded in time and
pages, and no request goes on past the sweep's end.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bot.purge.twilio_api import (
    CHANNEL_PREFIXES,
    NOT_FINAL,
    ApiError,
    MessageRecord,
    TwilioMessages,
)

T = TypeVar("T")

#: At most this long per sweep; what is left waits for the next one.
SWEEP_SECONDS = 120.0
#: At most this many list pages per sweep.
SWEEP_PAGES = 50
#: Tries of one request that Twilio answered 429/5xx or the network failed.
ATTEMPTS = 5
#: Back-off of the first retry, doubled each time, never more than BACKOFF_CAP (full jitter).
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0


@dataclass
class SweepReport:
    """Counts of one sweep (never a SID or a number)."""

    deleted: int = 0
    #: 404 on delete: gone before we got to it.
    gone: int = 0
    #: 20009: not final yet; left for the next sweep.
    not_final: int = 0
    #: Deletes that still failed after the retries.
    failed: int = 0
    #: Messages newer than the threshold, left alone.
    younger: int = 0
    pages: int = 0
    #: False when the time or page budget ran out before the lists did.
    complete: bool = True
    dry_run: bool = False
    #: Why the sweep stopped early: credentials_rejected, twilio_unreachable, twilio_too_slow,
    #: twilio_too_large, twilio_redirected or twilio_error.
    error: str | None = None
    #: What more there is to say about it: where a redirect pointed (scheme and host only).
    detail: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The counts for /healthz and the CLI's --json."""
        return {
            "deleted": self.deleted,
            "already_gone": self.gone,
            "not_final": self.not_final,
            "failed": self.failed,
            "younger": self.younger,
            "pages": self.pages,
            "complete": self.complete,
            "dry_run": self.dry_run,
            "error": self.error,
            "detail": self.detail,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "seconds": round(self.seconds, 3),
        }


class SweepAborted(Exception):
    """The sweep cannot go on: credentials rejected, or Twilio unreachable after the retries."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


#: The outcome of a sweep that a request ended, by the kind of the request's ApiError.
_ABORT_REASONS = {
    "network": "twilio_unreachable",
    "too_slow": "twilio_too_slow",
    "too_large": "twilio_too_large",
    "redirect": "twilio_redirected",
}


def aborted_by(exc: ApiError) -> SweepAborted:
    """Why a failed request ends the sweep, as the outcome /healthz and the CLI report."""
    if exc.credentials_rejected:
        return SweepAborted("credentials_rejected")
    return SweepAborted(_ABORT_REASONS.get(exc.kind, "twilio_error"), exc.detail)


@dataclass
class Budget:
    """The time and pages one sweep may use, and how it waits between retries."""

    deadline: float
    pages_left: int
    stop: threading.Event = field(default_factory=threading.Event)
    rng: random.Random = field(default_factory=random.Random)
    backoff_base: float = BACKOFF_BASE

    @classmethod
    def of(cls, seconds: float = SWEEP_SECONDS, pages: int = SWEEP_PAGES, **kwargs: Any) -> Budget:
        """A budget starting now."""
        return cls(deadline=time.monotonic() + seconds, pages_left=pages, **kwargs)

    def expired(self) -> bool:
        """True when the sweep must stop: out of time, or asked to stop."""
        return self.stop.is_set() or time.monotonic() >= self.deadline

    def pause(self, attempt: int) -> bool:
        """Wait before retry number `attempt` (full jitter); False if the budget ends first."""
        delay = self.rng.uniform(0, min(BACKOFF_CAP, self.backoff_base * 2**attempt))
        if time.monotonic() + delay >= self.deadline:
            return False
        return not self.stop.wait(delay)


def with_retries(call: Callable[[], T], budget: Budget) -> T:
    """Run a request, retrying 429, 5xx and network failures with back-off; raises ApiError."""
    attempt = 0
    while True:
        try:
            return call()
        except ApiError as exc:
            attempt += 1
            if not exc.retryable or attempt >= ATTEMPTS or not budget.pause(attempt):
                raise


def addresses(numbers: Iterable[str]) -> list[str]:
    """Each number in every channel form Twilio records it in (plain, whatsapp:), once."""
    found: list[str] = []
    for number in numbers:
        number = number.strip()
        if not number:
            continue
        forms = [number] if ":" in number else [p + number for p in CHANNEL_PREFIXES]
        found += [f for f in forms if f not in found]
    return found


def is_old(record: MessageRecord, cutoff: datetime) -> bool:
    """True when the message was created and (if it was) sent before the cutoff."""
    created, sent = record.date_created, record.date_sent
    if created is None:
        return False  # Twilio always sets it; without it, age is unknown, so leave it
    return created < cutoff and (sent is None or sent < cutoff)


def sweep(
    api: TwilioMessages,
    numbers: Iterable[str],
    older_than: timedelta,
    budget: Budget,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> SweepReport:
    """Delete the final messages older than `older_than` to or from the numbers; count the rest.

    Never raises for what Twilio answers: the report's `error` says why a sweep stopped early.
    """
    started = time.monotonic()
    report = SweepReport(dry_run=dry_run)
    cutoff = (now or datetime.now(UTC)) - older_than
    seen: set[str] = set()  # SIDs of this sweep, in memory only: a message to and from the bot
    try:
        with api.until(budget.deadline):
            for address in addresses(numbers):
                for direction in ("to", "sender"):
                    if not _sweep_list(api, {direction: address}, cutoff, budget, report, seen):
                        report.complete = False
                        return report
    except SweepAborted as exc:
        report.error, report.detail = exc.reason, exc.detail
        report.complete = False
    finally:
        report.seconds = time.monotonic() - started
    return report


def _sweep_list(
    api: TwilioMessages,
    where: dict[str, str],
    cutoff: datetime,
    budget: Budget,
    report: SweepReport,
    seen: set[str],
) -> bool:
    """Sweep one list (messages to, or from, one address); False when the budget ran out."""
    if budget.expired() or budget.pages_left <= 0:
        return False
    budget.pages_left -= 1
    page = _request(lambda: api.first_page(**where), budget)
    while True:
        report.pages += 1
        for record in api.records(page):
            if record.sid in seen:
                continue
            seen.add(record.sid)
            if not is_old(record, cutoff):
                report.younger += 1
            elif report.dry_run:
                report.deleted += 1  # would be deleted
            elif not _delete(api, record.sid, budget, report):
                return False
        if not page.next_page_url:
            return True
        if budget.expired() or budget.pages_left <= 0:
            return False
        budget.pages_left -= 1
        page = _request(functools.partial(api.next_page, page), budget)
        if page is None:
            return True


def _delete(api: TwilioMessages, sid: str, budget: Budget, report: SweepReport) -> bool:
    """Delete one record and count the outcome; False when the budget ran out."""
    if budget.expired():
        return False
    try:
        with_retries(lambda: api.delete(sid), budget)
    except ApiError as exc:
        if exc.code == NOT_FINAL:
            report.not_final += 1
        elif exc.status == 404:
            report.gone += 1
        elif exc.credentials_rejected:
            raise aborted_by(exc) from None
        elif exc.kind in _ABORT_REASONS:
            report.failed += 1
            raise aborted_by(exc) from None
        else:
            report.failed += 1
        return True
    report.deleted += 1
    return True


def _request(call: Callable[[], T], budget: Budget) -> T:
    """A list request; a failure that retries did not cure ends the sweep."""
    try:
        return with_retries(call, budget)
    except ApiError as exc:
        raise aborted_by(exc) from None
