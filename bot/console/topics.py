"""Console pages for topics and the draft: the library at a glance, a topic's form, adding and
deleting topics, the spoken message of calls, and throwing the draft away."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from bot.console.blueprint import MAX_REPLY, audit, bp, console_store
from bot.console.editing import (
    EditError,
    TopicFields,
    delete_topic,
    describe_changes,
    read_voice,
    set_topic,
    set_voice,
)
from bot.console.security import requires
from bot.console.working import REQUIRED_TOPICS, edit, working
from bot.core.library import voice_path


@bp.get("/")
@requires("editor")
def index() -> str:
    """Every topic with its keywords, replies' cost and problems; the draft's state."""
    current = working()
    return render_template(
        "console/index.html",
        working=current,
        checked=current.checked,
        topics=current.parsed.topics,
        languages=current.parsed.languages,
        replies=current.replies(),
        problems=current.problems_by_place(),
        changes=current.topic_changes(),
        required=REQUIRED_TOPICS,
    )


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


@bp.route("/topics/<topic_id>", methods=["GET", "POST"])
@requires("editor")
def topic(topic_id: str) -> Any:
    """Edit one topic: keywords, context words, titles, menu, priority and replies."""
    current = working()
    langs = current.parsed.languages
    shown = current.parsed.by_id.get(topic_id)
    if shown is None:
        abort(404)
    error = None
    if request.method == "POST":
        try:
            fields = _fields_from_form(topic_id, langs, shown.silent)
            edit(current, lambda bundle: set_topic(bundle, topic_id, fields))
        except EditError as exc:
            error = str(exc)
            shown = _fields_from_form_lenient(topic_id, langs, shown)
        else:
            flash(f"Saved {topic_id} in the draft.")
            return redirect(url_for("console.topic", topic_id=topic_id))
    changes: list[str] = []
    if current.draft is not None and current.live_parsed is not None:
        changes = describe_changes(
            current.live_parsed.by_id.get(topic_id), current.prepared.by_id.get(topic_id)
        )
    return render_template(
        "console/topic.html",
        working=current,
        changes=changes,
        topic=shown,
        languages=langs,
        problems=current.problems_by_place().get(topic_id, {}),
        replies=current.replies(),
        error=error,
        required=topic_id in REQUIRED_TOPICS,
        is_new=False,
    ), (400 if error else 200)


@bp.route("/topics/new", methods=["GET", "POST"])
@requires("editor")
def new_topic() -> Any:
    """Add a topic to the draft."""
    current = working()
    langs = current.parsed.languages
    error = None
    fields = TopicFields(id="")
    if request.method == "POST":
        topic_id = request.form.get("id", "").strip().lower()[:64]
        try:
            fields = _fields_from_form(topic_id, langs, False)
            edit(current, lambda bundle: set_topic(bundle, None, fields))
        except EditError as exc:
            error = str(exc)
            fields = _fields_from_form_lenient(topic_id, langs, TopicFields(id=topic_id))
        else:
            flash(f"Added {topic_id} to the draft.")
            return redirect(url_for("console.topic", topic_id=topic_id))
    return render_template(
        "console/topic.html",
        working=current,
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
        edit(working(), lambda bundle: delete_topic(bundle, topic_id))
    except EditError:
        abort(404)
    flash(f"Deleted {topic_id} from the draft.")
    return redirect(url_for("console.index"))


@bp.post("/draft/discard")
@requires("editor")
def discard_draft() -> Any:
    """Throw the draft away; the console shows the live revision again."""
    console_store().discard_draft()
    audit("draft_discard")
    flash("The draft was discarded.")
    return redirect(url_for("console.index"))


@bp.route("/calls", methods=["GET", "POST"])
@requires("editor")
def calls() -> Any:
    """Edit the spoken message of calls (responses/<lang>/voice.txt) in the draft, checked as
    publish checks it: only registry numbers, and said within the time limit."""
    current = working()
    langs = current.parsed.languages
    if request.method == "POST":
        spoken = {lang: request.form.get(f"voice_{lang}", "")[:MAX_REPLY] for lang in langs}
        edit(current, lambda bundle: set_voice(bundle, spoken))
        flash("Saved the spoken message of calls in the draft.")
        return redirect(url_for("console.calls"))
    checked = current.checked
    report = {v.lang: v for v in (checked.report.voice if checked.report else ())}
    problems = {lang: [p for p in checked.problems if p.file == voice_path(lang)] for lang in langs}
    live = current.live_parsed
    live_voice = read_voice(live.bundle, live.languages) if live is not None else {}
    return render_template(
        "console/calls.html",
        working=current,
        checked=checked,
        languages=langs,
        spoken=read_voice(current.bundle, langs),
        live_voice=live_voice,
        report=report,
        problems=problems,
    )
