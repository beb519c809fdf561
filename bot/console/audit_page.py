"""The audit page's contents: operators' actions a page at a time, filtered, and refused logins."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.console.storage import ConsoleStore

#: Entries per page of the audit trail.
PAGE_SIZE = 100
#: Pages past this are refused: 1,000,000 entries is years of a small team's work.
MAX_PAGE = 10_000
#: Days of refused-login counts shown.
REFUSAL_DAYS = 14


def audit_page_values(console: ConsoleStore, args: Mapping[str, str]) -> dict[str, Any]:
    """Template values of one audit page: entries, filters, paging links' pages, refusal counts,
    and an error for a page number that is no page (then page 1 is shown)."""
    actor = args.get("actor", "").strip()[:64]
    action = args.get("action", "").strip()[:32]
    error = None
    raw = args.get("page", "1").strip() or "1"
    page = int(raw) if raw.isdigit() and len(raw) <= 6 else 0
    if not 1 <= page <= MAX_PAGE:
        error, page = f"There is no page {raw[:20]!r}: pages are numbered from 1.", 1
    found = console.audit_entries(PAGE_SIZE + 1, (page - 1) * PAGE_SIZE, actor, action)
    since = datetime.now(UTC).date() - timedelta(days=REFUSAL_DAYS - 1)
    refusals: dict[Any, dict[str, dict[str, int]]] = {}
    for r in console.login_refusals(since):
        refusals.setdefault(r.day, {}).setdefault(r.account, {})[r.reason] = r.count
    return {
        "entries": found[:PAGE_SIZE],
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if len(found) > PAGE_SIZE else None,
        "actor": actor,
        "action": action,
        "actions": console.audit_actions(),
        "refusals": refusals,
        "refusal_total": sum(
            n
            for accounts in refusals.values()
            for reasons in accounts.values()
            for n in reasons.values()
        ),
        "refusal_days": REFUSAL_DAYS,
        "error": error,
    }
