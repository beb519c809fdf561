"""Console pages for topics and the draft: the library at a glance, a topic's form, adding and
deleting topics, the spoken message of calls, and throwing the draft away."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from bot.console.blueprint import MAX_REPLY, audit, bp, console_store, publisher_names
from bot.console.editing import (
    EditError,
    TopicFields,
    delete_topic,
    describe_changes,
    read_voice,
    set_topic,
    set_voice,
)
from bot.console.reviewing import language_statuses
from bot.console.security import requires
from bot.console.working import REQUIRED_TOPICS, edit, working
from bot.core.library import MENU_PLACEHOLDER, voice_path
from bot.core.numbers import REGISTRY_FILE


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
        publishers=publisher_names(),
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
        keep_accents=[lang for lang in langs if form.get(f"keep_accents_{lang}") == "yes"],
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
        keep_accents=[lang for lang in langs if form.get(f"keep_accents_{lang}") == "yes"],
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
            audit("draft_save", topic_id)
            # The page itself says "saved", and whether the save left errors (at the top).
            return redirect(url_for("console.topic", topic_id=topic_id, saved=1))
    changes: list[str] = []
    if current.draft is not None and current.live_parsed is not None:
        changes = describe_changes(
            current.live_parsed.by_id.get(topic_id), current.prepared.by_id.get(topic_id)
        )
    problems = current.problems_by_place().get(topic_id, {})
    order = _shown_order(langs)
    errors = [p for key in order for p in problems.get(key, []) if p.severity == "error"]
    errors += [
        p for key, ps in problems.items() if key not in order for p in ps if p.severity == "error"
    ]
    return render_template(
        "console/topic.html",
        working=current,
        changes=changes,
        topic=shown,
        languages=langs,
        problems=problems,
        other_keys=[key for key in problems if key not in order],
        first_error=next(
            (key for key in [*order, *problems] if _has_error(problems.get(key, []))), None
        ),
        errors=errors,
        unverified=any(REGISTRY_FILE in p.message for p in errors),
        saved=request.method == "GET" and request.args.get("saved") == "1",
        replies=current.replies(),
        error=error,
        required=topic_id in REQUIRED_TOPICS,
        is_new=False,
        menu_placeholder=MENU_PLACEHOLDER,
        statuses={s.code: s for s in language_statuses(current.bundle, langs)},
    ), (400 if error else 200)


def _shown_order(langs: list[str]) -> list[str]:
    """The places the topic page shows problems at ("field:lang"), top to bottom."""
    per_lang = [f"{name}:{lang}" for lang in langs for name in ("reply", "keywords", "context")]
    return [":", "menu:", "title:", *per_lang, "keywords:", "context:"]


def _has_error(problems: list[Any]) -> bool:
    return any(p.severity == "error" for p in problems)


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
            audit("draft_save", f"{topic_id} (new)")
            return redirect(url_for("console.topic", topic_id=topic_id, saved=1))
    return render_template(
        "console/topic.html",
        working=current,
        changes=[],
        topic=fields,
        languages=langs,
        problems={},
        other_keys=[],
        first_error=None,
        errors=[],
        unverified=False,
        saved=False,
        replies={},
        error=error,
        required=False,
        is_new=True,
        menu_placeholder=MENU_PLACEHOLDER,
    ), (400 if error else 200)


@bp.post("/topics/<topic_id>/delete")
@requires("editor")
def remove_topic(topic_id: str) -> Any:
    """Delete a topic from the draft (never a required one)."""
    if topic_id in REQUIRED_TOPICS:
        flash(f"{topic_id} is a required topic and cannot be deleted.")
        return redirect(url_for("console.topic", topic_id=topic_id))
    try:
        edit(working(), lambda bundle: delete_topic(bundle, topic_id))
    except EditError:
        abort(404)
    audit("draft_save", f"{topic_id} (deleted)")
    flash(f"Deleted {topic_id} from the draft.")
    return redirect(url_for("console.index"))


@bp.route("/draft/discard", methods=["GET", "POST"])
@requires("editor")
def discard_draft() -> Any:
    """Throw the one shared draft away, once asked to confirm: the page names whose edits go."""
    store = console_store()
    draft = store.draft()
    if draft is None:
        flash("There is no draft to discard.")
        return redirect(url_for("console.index"))
    editors = store.draft_editors()
    if request.method == "POST" and request.form.get("confirm") == "yes":
        store.discard_draft()
        audit("draft_discard", f"edits of {', '.join(editors)}")
        flash("The draft was discarded; the console shows the live revision.")
        return redirect(url_for("console.index"))
    return render_template(
        "console/confirm_discard.html",
        working=working(),
        editors=editors,
        changes=working().topic_changes(),
    )


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
        audit("draft_save", "spoken message of calls")
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
