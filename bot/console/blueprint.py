"""The console's blueprint and what every page shares: the guard, error pages, and the app's
stores and settings.

The pages register on this one blueprint from a module per job: signin.py (sign-in, accounts,
audit), topics.py (topics and the draft), trying.py (the try panel and the reply counter),
publishing.py (publish, history, rollback), stats.py and outreach.py. Server-rendered; the only
script is the reply counter (static/counter.js).

Nothing a texter sent is ever shown or kept here: the try panel's text lives only in the request
that shows its answer (unless the operator who typed it adds it to the draft's example texts), and
the stats are the anonymous daily counts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Blueprint, current_app, flash, g, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from bot.console.security import add_headers, csrf, current_account
from bot.console.storage import ROLES
from bot.runtime import runtime
from bot.store import StoreError

if TYPE_CHECKING:
    from bot.console.storage import ConsoleStore
    from bot.core.library import Library
    from bot.settings import Settings
    from bot.store import Store, StoredReaders

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

#: Longest text the try panel and the counter take (Twilio never delivers a longer Body).
MAX_TEXT = 1600
MAX_REPLY = 2000


def console_store() -> ConsoleStore:
    """The console's repository: accounts, the draft, the audit trail."""
    return current_app.extensions["console"].store


def library_store() -> Store:
    """The library's repository: revisions and counts."""
    return runtime(current_app).store


def settings() -> Settings:
    """The app's settings."""
    return runtime(current_app).settings


def kept_readers() -> StoredReaders:
    """Where trained readers are kept: a draft's check loads its reader rather than train it."""
    return runtime(current_app).readers


def served_library() -> Library | None:
    """The library this worker answers from (a draft's reader is measured against its), or None."""
    live = runtime(current_app).live
    return live.snapshot.library if live.started else None


def audit(action: str, detail: str = "") -> None:
    """Put what the signed-in operator did in the audit trail."""
    account = g.get("account")
    console_store().audit(account.name if account else "-", action, detail)


def publisher_names() -> list[str]:
    """The active accounts that may publish (publishers and admins), by name."""
    return [a.name for a in console_store().accounts() if a.active and a.can("publisher")]


def went_live(message: str, action: str, detail: str) -> None:
    """After a publish or rollback: audit it, reload this worker now, tell when all others follow."""
    audit(action, detail)
    runtime(current_app).live.check()
    flash(f"{message} Every worker serves it within {settings().reload_seconds:g} s.")


@bp.before_request
def _guard() -> None:
    if request.method == "POST":
        csrf.protect()
    if request.endpoint == "console.static":
        g.account = None
        return
    g.account = current_account(console_store(), settings().console_idle_minutes * 60)


bp.after_request(add_headers)


@bp.errorhandler(CSRFError)
def _csrf_error(_exc: CSRFError) -> tuple[str, int]:
    return render_template(
        "console/error.html",
        title="Form expired",
        message="This form has expired. Go back, reload the page and try again.",
    ), 400


@bp.errorhandler(403)
def _forbidden(_exc: Any) -> tuple[str, int]:
    return render_template(
        "console/error.html",
        title="Not allowed",
        message="Your account's role does not allow this.",
    ), 403


@bp.errorhandler(StoreError)
def _store_error(exc: StoreError) -> tuple[str, int]:
    return render_template(
        "console/error.html",
        title="Database unavailable",
        message=f"The database did not answer ({exc}). Try again in a minute.",
    ), 503


#: SMS encodings in operators' words: how many characters one message part holds.
ENCODING_WORDS = {
    "GSM-7": "plain letters (each message part holds 160)",
    "UCS-2": "special characters (each message part holds 70)",
}


@bp.app_template_filter("encoding")
def encoding_words(encoding: str, short: bool = False) -> str:
    """An SMS encoding as operators say it ("plain letters", "special characters")."""
    words = ENCODING_WORDS.get(encoding, encoding)
    return words.split(" (")[0] if short else words


@bp.app_template_filter("when")
def when(moment: datetime, seconds: bool = False) -> Markup:
    """A moment as a <time> the page shows in the reader's local time with its zone
    (static/localtime.js); UTC, said so, where scripts do not run."""
    utc = moment.astimezone(UTC)
    shown = utc.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return Markup('<time datetime="{}"{}>{} UTC</time>').format(
        utc.isoformat(), Markup(" data-seconds") if seconds else "", shown
    )


@bp.app_template_test("header_line")
def header_line(line: str) -> bool:
    """A unified diff's header or hunk line (---, +++, @@), shown only behind "details"."""
    return line.startswith(("---", "+++", "@@"))


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"account": g.get("account"), "roles": ROLES}
