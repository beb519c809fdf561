"""Console pages for publishing: review and publish the draft, the history of revisions, the
differences between two, rolling back, and a revision's files as a zip.

The rules are bot.library.publishing's, as for `flask library publish|rollback|export`; these
pages only ask, word the outcome and put it in the audit trail.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for

from bot.console.blueprint import audit, bp, console_store, library_store, settings, went_live
from bot.console.security import requires
from bot.console.working import working
from bot.core.library import LibraryError
from bot.core.numbers import REGISTRY_FILE
from bot.core.recordings import decode, is_recording_path
from bot.library.publishing import export_zip, publish, rollback
from bot.library.registry import write_deployment_registry
from bot.store import UnknownRevision


def _diff(old: dict[str, str], new: dict[str, str], old_name: str, new_name: str) -> list[dict]:
    """Unified diffs file by file between two bundles (only files that differ)."""
    out = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if is_recording_path(name):  # its base64 is one line of megabytes: say what changed
            sizes = [len(decode(t) or b"") if t is not None else None for t in (a, b)]
            lines = [f"recording: {' -> '.join(f'{n:,} bytes' for n in sizes if n is not None)}"]
            status = "added" if a is None else "removed" if b is None else "changed"
            out.append({"file": name, "status": status, "lines": lines})
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


@bp.route("/publish", methods=["GET", "POST"], endpoint="publish")
@requires("publisher")
def publish_page() -> Any:
    """Review the draft against the live revision and publish it with a comment."""
    current = working()
    if current.draft is None:
        flash("There is no draft: edit a topic first.")
        return redirect(url_for("console.index"))
    checked = current.checked
    live_bundle = dict(current.live.bundle) if current.live else {}
    error = None
    if request.method == "POST":
        comment = request.form.get("comment", "").strip()[:1000]
        if not checked.ok:
            error = "The draft has errors; nothing was published."
        elif not comment:
            error = "Say in the comment what changed and why."
        elif current.stale and request.form.get("overwrite") != "yes":
            error = (
                "Someone published after this draft was started. Look at what they changed "
                "below; tick the box to publish the draft over it anyway."
            )
        else:
            # The draft's registry (edited on the Numbers page) becomes the deployment's
            # numbers.yaml, which stays the one registry: revisions never carry a copy, so a
            # draft started later cannot bring back an old one over a hand edit of the file.
            registry = checked.bundle.get(REGISTRY_FILE)
            replies = replace(
                checked, bundle={k: v for k, v in checked.bundle.items() if k != REGISTRY_FILE}
            )
            numbers_changed = registry is not None and write_deployment_registry(
                settings(), registry
            )
            if numbers_changed:
                audit("numbers_publish", f"numbers.yaml: {comment}")
            done = publish(library_store(), replies, by=g.account.name, comment=comment)
            revision = done.revision
            console_store().discard_draft()
            if not done.changed and numbers_changed:
                flash("Published the number registry; the replies were live already.")
            elif not done.changed:
                flash(
                    f"Revision {revision.id} is already live with this content; nothing published."
                )
            else:
                went_live(
                    f"Published revision {revision.id}.",
                    "publish",
                    f"revision {revision.id} ({revision.digest[:12]}): {comment}",
                )
            return redirect(url_for("console.history"))
    since_base = []
    if current.stale and current.draft.base_revision_id is not None:
        try:
            base = library_store().get_revision(current.draft.base_revision_id)
            since_base = _diff(base.bundle, live_bundle, f"rev{base.id}", f"rev{current.live.id}")
        except UnknownRevision:
            since_base = []
    return render_template(
        "console/publish.html",
        working=current,
        checked=checked,
        diff=_diff(live_bundle, checked.bundle, "live", "draft"),
        since_base=since_base,
        changes=current.topic_changes(),
        error=error,
    ), (400 if error else 200)


@bp.get("/history")
@requires("editor")
def history() -> str:
    """Every revision: who, when, comment and digest; diff any two, roll back, download."""
    revisions = library_store().history(limit=200)
    live = next((r.id for r in revisions if r.live), None)
    return render_template(
        "console/history.html",
        revisions=revisions,
        live_id=live,
        made_live=console_store().audit_entries_of("rollback", limit=50),
    )


@bp.get("/history/diff")
@requires("editor")
def diff() -> Any:
    """The differences between two revisions."""
    store = library_store()
    try:
        a = store.get_revision(int(request.args.get("a", "")))
        b = store.get_revision(int(request.args.get("b", "")))
    except (ValueError, UnknownRevision):
        flash("Pick two revisions that exist.")
        return redirect(url_for("console.history"))
    return render_template(
        "console/diff.html", a=a, b=b, diff=_diff(a.bundle, b.bundle, f"rev{a.id}", f"rev{b.id}")
    )


@bp.route("/history/<int:revision_id>/rollback", methods=["GET", "POST"], endpoint="rollback")
@requires("publisher")
def rollback_page(revision_id: int) -> Any:
    """Make an earlier revision live again, once confirmed with a reason (kept in History)."""
    store = library_store()
    try:
        target = store.get_revision(revision_id)
    except UnknownRevision:
        abort(404)
    live_id = store.live_revision_id()
    if live_id == revision_id:
        flash(f"Revision {revision_id} is already live.")
        return redirect(url_for("console.history"))
    reason = request.form.get("reason", "").strip()[:300]
    if request.method == "GET" or not reason:
        error = (
            "Say why, in a few words: it is kept in History." if request.method == "POST" else None
        )
        return render_template(
            "console/confirm_rollback.html",
            revision=target,
            live_id=live_id,
            back=live_id is not None and revision_id < live_id,
            error=error,
        ), (400 if error else 200)
    try:
        done = rollback(store, revision_id)
    except UnknownRevision:
        abort(404)
    except LibraryError:
        flash(
            f"Revision {revision_id} does not load with this version of the bot; not rolled back."
        )
        return redirect(url_for("console.history"))
    revision = done.revision
    if not done.changed:
        flash(f"Revision {revision.id} is already live.")
        return redirect(url_for("console.history"))
    went_live(
        f"Revision {revision.id} is live again.",
        "rollback",
        f"revision {revision.id} made live again (was {done.before}): {reason}",
    )
    return redirect(url_for("console.history"))


@bp.get("/history/<int:revision_id>.zip")
@requires("editor")
def download(revision_id: int) -> Response:
    """A revision's files as a zip, the same files `flask library export` writes."""
    try:
        revision = library_store().get_revision(revision_id)
    except UnknownRevision:
        abort(404)
    return Response(
        export_zip(revision),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="library-rev{revision.id}.zip"'},
    )
