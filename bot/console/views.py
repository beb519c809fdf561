"""The console's pages: library at a glance, topic editing, try, publish, history, stats, audit,
accounts. Server-rendered; the only script is the reply counter (static/counter.js).

Nothing a texter sent is ever shown or kept here: the try panel's text lives only in the request
that shows its answer, and the stats are the anonymous daily counts.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError

from bot.console import library_access as la
from bot.console.audit_page import audit_page
from bot.console.editing import (
    EditError,
    TopicFields,
    delete_topic,
    describe_changes,
    languages,
    locator,
    read_topics,
    read_voice,
    set_topic,
    set_voice,
)
from bot.console.security import (
    LOGIN_FAILED,
    LOGIN_LIMITED,
    add_headers,
    app_limiter,
    client_address,
    csrf,
    current_account,
    end_session,
    requires,
    start_session,
)
from bot.console.stats import PERIODS, as_csv, chart
from bot.console.storage import ROLES, AccountError, ConsoleStore, Draft
from bot.core.library import MENU_PLACEHOLDER, STRUCTURAL_TOPICS, LibraryError, voice_path
from bot.runtime import runtime
from bot.store import Revision, StoreError, UnknownRevision

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

#: Topics every library must have (shared/topics.md); the console will not delete them.
REQUIRED_TOPICS = frozenset(
    {
        *STRUCTURAL_TOPICS,
        "labor",
        "housing",
        "youth",
        "disaster",
        "report",
        "immigration",
        "safety",
        "survivors",
        "training",
        "community",
        "story",
        "updates",
        "violence",
        "health",
    }
)
#: Longest text the try panel and the counter take (Twilio never delivers a longer Body).
MAX_TEXT = 1600
MAX_REPLY = 2000


# --- plumbing -----------------------------------------------------------------------------------


def _console() -> ConsoleStore:
    return current_app.extensions["console"].store


def _store():
    return runtime(current_app).store


def _settings():
    return runtime(current_app).settings


@bp.before_request
def _guard() -> None:
    if request.method == "POST":
        csrf.protect()
    if request.endpoint == "console.static":
        g.account = None
        return
    g.account = current_account(_console(), _settings().console_idle_minutes * 60)


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


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"account": g.get("account"), "roles": ROLES}


def _audit(action: str, detail: str = "") -> None:
    account = g.get("account")
    _console().audit(account.name if account else "-", action, detail)


def _went_live(message: str, action: str, detail: str) -> None:
    """After a publish or rollback: audit it, reload this worker now, tell when all others follow."""
    _audit(action, detail)
    runtime(current_app).live.check()
    flash(f"{message} Every worker serves it within {_settings().reload_seconds:g} s.")


@dataclass(frozen=True)
class Working:
    """The bundle being edited (the draft, else the live revision) and the live revision."""

    bundle: dict[str, str]
    draft: Draft | None
    live: Revision | None

    @property
    def base_id(self) -> int | None:
        if self.draft is not None:
            return self.draft.base_revision_id
        return self.live.id if self.live else None

    @property
    def stale(self) -> bool:
        """Someone published after this draft was started."""
        return (
            self.draft is not None
            and self.live is not None
            and (self.draft.base_revision_id != self.live.id)
        )


def _working() -> Working:
    store = _store()
    live = store.live_revision()
    draft = _console().draft()
    if draft is not None:
        return Working(draft.bundle, draft, live)
    if live is None:
        abort(503)
    return Working(dict(live.bundle), None, live)


def _edit(working: Working, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
    """Apply an edit to the draft as it is in the database now (another operator may have saved
    another topic since this page was read), starting one from the live revision if need be."""
    live = working.live
    start = (dict(live.bundle), live.id) if live is not None else (working.bundle, None)
    _console().change_draft(change, start=start, by=g.account.name)


def _problems_by_place(checked: la.Checked) -> dict[str, Any]:
    """Problems grouped by topic, and by "field:lang" within it; the rest under None."""
    where = locator(checked.bundle)
    topics = {t.id for t in read_topics(checked.bundle)}
    by_topic: dict[str | None, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for p in checked.problems:
        w = where(p.file, p.line)
        if w.topic not in topics:  # e.g. the calls' spoken message, responses/<lang>/voice.txt
            by_topic[None][":"].append(p)
            continue
        key = f"{w.field or ''}:{w.lang or ''}"
        by_topic[w.topic][key].append(p)
    return by_topic


def _diff(old: dict[str, str], new: dict[str, str], old_name: str, new_name: str) -> list[dict]:
    """Unified diffs file by file between two bundles (only files that differ)."""
    out = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        lines = list(
            difflib.unified_diff(
                (a or "").splitlines(),
                (b or "").splitlines(),
                f"{old_name}/{name}",
                f"{new_name}/{name}",
                lineterm="",
                n=2,
            )
        )
        status = "added" if a is None else "removed" if b is None else "changed"
        out.append({"file": name, "status": status, "lines": lines})
    return out


def _topic_changes(live: dict[str, str] | None, bundle: dict[str, str]) -> dict[str, str]:
    """For each topic that differs from the live revision: new, changed or deleted."""
    if live is None:
        return {}
    old = {t.id: t for t in read_topics(live)}
    new = {t.id: t for t in read_topics(la.prepare(bundle)[0])}
    changes = {tid: "new" for tid in new if tid not in old}
    changes |= {tid: "deleted" for tid in old if tid not in new}
    changes |= {tid: "changed" for tid in new if tid in old and new[tid] != old[tid]}
    return changes


# --- login ------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The login form; the same answer for an unknown name and a wrong password."""
    console = _console()
    error = None
    if request.method == "POST":
        name = request.form.get("username", "")[:200]
        password = request.form.get("password", "")
        limiter, address = app_limiter(), client_address(_settings())
        # Refusals are counted per day and account, never a row each: anyone may post here.
        if not limiter.allowed(name, address):
            error = LOGIN_LIMITED
            console.count_refusal(name, "limited")
        else:
            account = console.verify(name, password)
            if account is None:
                limiter.failed(name, address)
                error = LOGIN_FAILED
                console.count_refusal(name, "failed")
            else:
                start_session(account)
                console.audit(account.name, "login", account.role)
                return redirect(url_for("console.index"))
    status = 401 if error else 200
    return render_template(
        "console/login.html", error=error, no_accounts=console.account_count() == 0
    ), status


@bp.post("/logout")
def logout() -> Any:
    """End the session, and every copy of its cookie: the account's sessions end in every worker."""
    end_session(_console())
    return redirect(url_for("console.login"))


# --- the library at a glance ------------------------------------------------------------------


@bp.get("/")
@requires("editor")
def index() -> str:
    """Every topic with its keywords, replies' cost and problems; the draft's state."""
    working = _working()
    checked = la.check(working.bundle, _settings())
    problems = _problems_by_place(checked)
    replies = {(r.topic, r.lang): r for r in (checked.report.replies if checked.report else ())}
    changes = _topic_changes(working.live.bundle if working.live else None, working.bundle)
    return render_template(
        "console/index.html",
        working=working,
        checked=checked,
        topics=read_topics(working.bundle),
        languages=languages(working.bundle),
        replies=replies,
        problems=problems,
        changes=changes,
        required=REQUIRED_TOPICS,
    )


# --- editing ----------------------------------------------------------------------------------


def _words(value: str) -> list[str]:
    """Keywords typed one per line or separated by commas."""
    words = []
    for line in value.replace("\r", "").split("\n"):
        words += [w.strip() for w in line.split(",") if w.strip()]
    return list(dict.fromkeys(words))


def _int(value: str, name: str, low: int, high: int) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        raise EditError(f"{name} must be a whole number from {low} to {high}")
    return int(value)


def _fields_from_form(topic_id: str, langs: list[str], silent: bool) -> TopicFields:
    form = request.form
    return TopicFields(
        id=topic_id,
        menu=_int(form.get("menu", ""), "The menu number", 1, 99),
        titles={lang: form.get(f"title_{lang}", "").strip()[:200] for lang in langs},
        priority=_int(form.get("priority", ""), "The priority", 0, 9) or 0,
        segment_budget=_int(form.get("segment_budget", ""), "The segment budget", 1, 10),
        silent=silent,
        keywords={lang: _words(form.get(f"keywords_{lang}", "")) for lang in langs},
        context={lang: _words(form.get(f"context_{lang}", "")) for lang in langs},
        replies={
            lang: form.get(f"reply_{lang}", "").replace("\r\n", "\n")[:MAX_REPLY] for lang in langs
        },
    )


@bp.route("/topics/<topic_id>", methods=["GET", "POST"])
@requires("editor")
def topic(topic_id: str) -> Any:
    """Edit one topic: keywords, context words, titles, menu, priority and replies."""
    working = _working()
    langs = languages(working.bundle)
    topics = {t.id: t for t in read_topics(working.bundle)}
    if topic_id not in topics:
        abort(404)
    current = topics[topic_id]
    error = None
    if request.method == "POST":
        try:
            fields = _fields_from_form(topic_id, langs, current.silent)
            _edit(working, lambda bundle: set_topic(bundle, topic_id, fields))
        except EditError as exc:
            error = str(exc)
            current = _fields_from_form_lenient(topic_id, langs, current)
        else:
            flash(f"Saved {topic_id} in the draft.")
            return redirect(url_for("console.topic", topic_id=topic_id))
    checked = la.check(working.bundle, _settings())
    changes: list[str] = []
    if working.draft is not None and working.live is not None:
        live_topic = {t.id: t for t in read_topics(working.live.bundle)}.get(topic_id)
        draft_topic = {t.id: t for t in read_topics(checked.bundle)}.get(topic_id)
        changes = describe_changes(live_topic, draft_topic)
    return render_template(
        "console/topic.html",
        working=working,
        changes=changes,
        topic=current,
        languages=langs,
        problems=_problems_by_place(checked).get(topic_id, {}),
        replies={(r.topic, r.lang): r for r in (checked.report.replies if checked.report else ())},
        error=error,
        required=topic_id in REQUIRED_TOPICS,
        is_new=False,
    ), (400 if error else 200)


def _fields_from_form_lenient(topic_id: str, langs: list[str], current: TopicFields) -> TopicFields:
    """What the operator typed, shown again after a refused save (numbers left as they were)."""
    form = request.form
    return TopicFields(
        id=topic_id,
        menu=current.menu,
        titles={lang: form.get(f"title_{lang}", "") for lang in langs},
        priority=current.priority,
        segment_budget=current.segment_budget,
        silent=current.silent,
        keywords={lang: _words(form.get(f"keywords_{lang}", "")) for lang in langs},
        context={lang: _words(form.get(f"context_{lang}", "")) for lang in langs},
        replies={lang: form.get(f"reply_{lang}", "") for lang in langs},
    )


@bp.route("/topics/new", methods=["GET", "POST"])
@requires("editor")
def new_topic() -> Any:
    """Add a topic to the draft."""
    working = _working()
    langs = languages(working.bundle)
    error = None
    fields = TopicFields(id="")
    if request.method == "POST":
        topic_id = request.form.get("id", "").strip().lower()[:64]
        try:
            fields = _fields_from_form(topic_id, langs, False)
            _edit(working, lambda bundle: set_topic(bundle, None, fields))
        except EditError as exc:
            error = str(exc)
            fields = _fields_from_form_lenient(topic_id, langs, TopicFields(id=topic_id))
        else:
            flash(f"Added {topic_id} to the draft.")
            return redirect(url_for("console.topic", topic_id=topic_id))
    return render_template(
        "console/topic.html",
        working=working,
        changes=[],
        topic=fields,
        languages=langs,
        problems={},
        replies={},
        error=error,
        required=False,
        is_new=True,
    ), (400 if error else 200)


@bp.post("/topics/<topic_id>/delete")
@requires("editor")
def remove_topic(topic_id: str) -> Any:
    """Delete a topic from the draft (never a required one)."""
    if topic_id in REQUIRED_TOPICS:
        flash(f"{topic_id} is a required topic (shared/topics.md) and cannot be deleted.")
        return redirect(url_for("console.topic", topic_id=topic_id))
    try:
        _edit(_working(), lambda bundle: delete_topic(bundle, topic_id))
    except EditError:
        abort(404)
    flash(f"Deleted {topic_id} from the draft.")
    return redirect(url_for("console.index"))


@bp.post("/draft/discard")
@requires("editor")
def discard_draft() -> Any:
    """Throw the draft away; the console shows the live revision again."""
    _console().discard_draft()
    _audit("draft_discard")
    flash("The draft was discarded.")
    return redirect(url_for("console.index"))


@bp.post("/api/count")
@requires("editor")
def count() -> Response:
    """The live counter's figures for a reply being typed (the server's encoder is the truth)."""
    data = request.get_json(silent=True) or {}
    text = str(data.get("text", ""))[:MAX_REPLY]
    lang = str(data.get("lang", ""))
    if MENU_PLACEHOLDER in text:
        # The menu reply is sent with the numbered titles in place of {menu}: count those.
        numbered = sorted(
            (t for t in read_topics(_working().bundle) if t.menu is not None),
            key=lambda t: t.menu or 0,
        )
        lines = "\n".join(f"{t.menu} {t.titles.get(lang, '')}" for t in numbered)
        text = text.replace(MENU_PLACEHOLDER, lines)
    return jsonify(la.count(text, la.load_registry(_settings())))


# --- try ------------------------------------------------------------------------------------


@bp.route("/try", methods=["GET", "POST"])
@requires("editor")
def try_text() -> Any:
    """A phone-shaped panel: a text in, the reply out. Nothing typed is stored or logged."""
    source = request.values.get("source", "draft")
    result, text, error = None, "", None
    if request.method == "POST":
        text = request.form.get("text", "")[:MAX_TEXT]
        if source == "live":
            snapshot = runtime(current_app).live.snapshot
            library, matcher = snapshot.library, snapshot.matcher
        else:
            matcher = None
            checked = la.check(_working().bundle, _settings())
            library = checked.library
            if library is None:
                error = "The draft does not load; fix its errors first (see the topic list)."
        if library is not None and text.strip():
            result = la.try_text(text, library, matcher)
    return render_template("console/try.html", source=source, text=text, result=result, error=error)


# --- the spoken message of calls ----------------------------------------------------------------


@bp.route("/calls", methods=["GET", "POST"])
@requires("editor")
def calls() -> Any:
    """Edit the spoken message of calls (responses/<lang>/voice.txt) in the draft, checked as
    publish checks it: only registry numbers, and said within the time limit."""
    working = _working()
    langs = languages(working.bundle)
    if request.method == "POST":
        spoken = {lang: request.form.get(f"voice_{lang}", "")[:MAX_REPLY] for lang in langs}
        _edit(working, lambda bundle: set_voice(bundle, spoken))
        flash("Saved the spoken message of calls in the draft.")
        return redirect(url_for("console.calls"))
    checked = la.check(working.bundle, _settings())
    report = {v.lang: v for v in (checked.report.voice if checked.report else ())}
    problems = {lang: [p for p in checked.problems if p.file == voice_path(lang)] for lang in langs}
    live_voice = read_voice(dict(working.live.bundle)) if working.live else {}
    return render_template(
        "console/calls.html",
        working=working,
        checked=checked,
        languages=langs,
        spoken=read_voice(working.bundle),
        live_voice=live_voice,
        report=report,
        problems=problems,
    )


# --- outreach materials -----------------------------------------------------------------------

OUTREACH_FILES = ("cards", "poster", "qr")


def _outreach_page(error: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    live = _store().live_revision()
    return render_template(
        "console/outreach.html",
        bot_number=_settings().bot_number,
        live=live,
        revisions=_store().history(limit=200),
        languages=("both", "en", "es"),
        error=error,
        form=request.args,
    ), status


@bp.get("/outreach")
@requires("editor")
def outreach() -> Any:
    """Wallet cards, posters and QR codes of the live (or a chosen) revision, to download."""
    return _outreach_page()


@bp.get("/outreach/download")
@requires("editor")
def outreach_download() -> Any:
    """One outreach file, made by bot.outreach.files as `flask outreach` makes it; a refusal is
    shown on the page with every reason, and no file is sent."""
    from bot.outreach.content import OutreachError
    from bot.outreach.files import make_cards, make_poster, make_qr

    args = request.args
    what = args.get("file", "")
    if what not in OUTREACH_FILES:
        return _outreach_page([f"Choose a file to make: {', '.join(OUTREACH_FILES)}."], 400)
    revision_id: int | None = None
    if args.get("revision", "live") not in ("", "live"):
        try:
            revision_id = int(args["revision"])
        except ValueError:
            return _outreach_page(["Choose a revision from the list."], 400)
    settings, store = _settings(), _store()
    lang = args.get("lang", "both")
    try:
        if what == "qr":
            kind = args.get("kind", "png")
            qr = make_qr(
                settings,
                store,
                kind=kind,
                body=args.get("body", "")[:100],
                revision_id=revision_id,
            )
            data, name = qr.data, f"qr-rev{qr.revision}.{kind}"
            mimetype = "image/svg+xml" if kind == "svg" else "image/png"
        else:
            maker = make_cards if what == "cards" else make_poster
            made = maker(settings, store, lang=lang, revision_id=revision_id)
            label = "wallet-cards" if what == "cards" else "poster"
            data, name = made.pdf, f"{label}-rev{made.revision}-{lang}.pdf"
            mimetype = "application/pdf"
    except OutreachError as exc:
        return _outreach_page(list(exc.problems), 422)
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- publish, history, roll back --------------------------------------------------------------


@bp.route("/publish", methods=["GET", "POST"])
@requires("publisher")
def publish() -> Any:
    """Review the draft against the live revision and publish it with a comment."""
    working = _working()
    if working.draft is None:
        flash("There is no draft: edit a topic first.")
        return redirect(url_for("console.index"))
    checked = la.check(working.bundle, _settings())
    live_bundle = dict(working.live.bundle) if working.live else {}
    error = None
    if request.method == "POST":
        comment = request.form.get("comment", "").strip()[:1000]
        if not checked.ok:
            error = "The draft has errors; nothing was published."
        elif not comment:
            error = "Say in the comment what changed and why."
        elif working.stale and request.form.get("overwrite") != "yes":
            error = (
                "Someone published after this draft was started. Look at what they changed "
                "below; tick the box to publish the draft over it anyway."
            )
        else:
            before = working.live.id if working.live else None
            revision = la.publish(_store(), checked, by=g.account.name, comment=comment)
            _console().discard_draft()
            if revision.id == before:
                flash(
                    f"Revision {revision.id} is already live with this content; nothing published."
                )
            else:
                _went_live(
                    f"Published revision {revision.id}.",
                    "publish",
                    f"revision {revision.id} ({revision.digest[:12]}): {comment}",
                )
            return redirect(url_for("console.history"))
    since_base = []
    if working.stale and working.draft.base_revision_id is not None:
        try:
            base = _store().get_revision(working.draft.base_revision_id)
            since_base = _diff(base.bundle, live_bundle, f"rev{base.id}", f"rev{working.live.id}")
        except UnknownRevision:
            since_base = []
    return render_template(
        "console/publish.html",
        working=working,
        checked=checked,
        diff=_diff(live_bundle, checked.bundle, "live", "draft"),
        since_base=since_base,
        changes=_topic_changes(live_bundle or None, working.bundle),
        error=error,
    ), (400 if error else 200)


@bp.get("/history")
@requires("editor")
def history() -> str:
    """Every revision: who, when, comment and digest; diff any two, roll back, download."""
    revisions = _store().history(limit=200)
    return render_template("console/history.html", revisions=revisions)


@bp.get("/history/diff")
@requires("editor")
def diff() -> Any:
    """The differences between two revisions."""
    store = _store()
    try:
        a = store.get_revision(int(request.args.get("a", "")))
        b = store.get_revision(int(request.args.get("b", "")))
    except (ValueError, UnknownRevision):
        flash("Pick two revisions that exist.")
        return redirect(url_for("console.history"))
    return render_template(
        "console/diff.html", a=a, b=b, diff=_diff(a.bundle, b.bundle, f"rev{a.id}", f"rev{b.id}")
    )


@bp.post("/history/<int:revision_id>/rollback")
@requires("publisher")
def rollback(revision_id: int) -> Any:
    """Make an earlier revision live again."""
    store = _store()
    before = store.live_revision_id()
    try:
        revision = la.rollback(store, revision_id)
    except UnknownRevision:
        abort(404)
    except LibraryError:
        flash(
            f"Revision {revision_id} does not load with this version of the bot; not rolled back."
        )
        return redirect(url_for("console.history"))
    _went_live(
        f"Revision {revision.id} is live again.",
        "rollback",
        f"revision {revision.id} (was {before})",
    )
    return redirect(url_for("console.history"))


@bp.get("/history/<int:revision_id>.zip")
@requires("editor")
def download(revision_id: int) -> Response:
    """A revision's files as a zip, the same files `flask library export` writes."""
    try:
        revision = _store().get_revision(revision_id)
    except UnknownRevision:
        abort(404)
    return Response(
        la.export_zip(revision),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="library-rev{revision.id}.zip"'},
    )


# --- stats ------------------------------------------------------------------------------------


def _days() -> int:
    try:
        days = int(request.args.get("days", "30"))
    except ValueError:
        days = 30
    return days if days in PERIODS else 30


@bp.get("/stats")
@requires("editor")
def stats() -> str:
    """Replies per day, topic and language: a chart drawn here, and a CSV download."""
    days = _days()
    lang = request.args.get("lang") or None
    today = datetime.now(UTC).date()
    rows = _store().counts(today - timedelta(days=days - 1))
    return render_template(
        "console/stats.html",
        days=days,
        periods=PERIODS,
        lang=lang,
        chart=chart(rows, today, days, lang),
        counting=_settings().daily_counts,
    )


@bp.get("/stats.csv")
@requires("editor")
def stats_csv() -> Response:
    """The daily counts of the period as CSV."""
    days = _days()
    rows = _store().counts(datetime.now(UTC).date() - timedelta(days=days - 1))
    return Response(
        as_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="counts-{days}d.csv"'},
    )


# --- audit and accounts (admin) ---------------------------------------------------------------


@bp.get("/audit")
@requires("admin")
def audit() -> Any:
    """What operators did, newest first, a page at a time, filtered by operator or action; and
    the refused logins of the last days, as counts."""
    page = audit_page(_console(), request.args)
    return render_template("console/audit.html", **page), (400 if page["error"] else 200)


@bp.route("/accounts", methods=["GET", "POST"])
@requires("admin")
def accounts() -> Any:
    """List accounts; add one."""
    console = _console()
    error = None
    if request.method == "POST":
        try:
            account = console.add_account(
                request.form.get("username", ""),
                request.form.get("password", ""),
                request.form.get("role", ""),
            )
        except AccountError as exc:
            error = str(exc)
        else:
            _audit("account_add", f"{account.name} ({account.role})")
            flash(f"Created {account.role} account {account.name}.")
            return redirect(url_for("console.accounts"))
    return render_template("console/accounts.html", accounts=console.accounts(), error=error), (
        400 if error else 200
    )


@bp.post("/accounts/<name>/<action>")
@requires("admin")
def account_action(name: str, action: str) -> Any:
    """Disable, enable, change the role of, or set a new password for an account."""
    console = _console()
    try:
        if action == "disable":
            if name == g.account.name:
                raise AccountError("you cannot disable your own account")
            account = console.set_active(name, False)
            detail = account.name
        elif action == "enable":
            account = console.set_active(name, True)
            detail = account.name
        elif action == "role":
            account = console.set_role(name, request.form.get("role", ""))
            detail = f"{account.name} -> {account.role}"
        elif action == "password":
            account = console.reset_password(name, request.form.get("password", ""))
            detail = account.name
        else:
            abort(404)
    except AccountError as exc:
        flash(str(exc))
        return redirect(url_for("console.accounts"))
    _audit(f"account_{action}", detail)
    flash(f"Done: {action} for {account.name}.")
    return redirect(url_for("console.accounts"))
