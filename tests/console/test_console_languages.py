"""The topic page shows every language side by side, each marked "not reviewed by a native
speaker" until an admin marks it reviewed, which goes into the draft's language.yaml, audited."""

from __future__ import annotations

import html

import yaml

from bot import runtime
from bot.console.storage import ConsoleStore
from bot.core.languages import language_file
from tests.console.test_console_outreach_calls import (  # noqa: F401  (fixture shared)
    _library,
    _logged_in,
    outreach_app,
)


def test_the_topic_page_shows_every_language_side_by_side_with_its_review_mark(outreach_app):  # noqa: F811
    editor = _logged_in(outreach_app, "editor")
    library = _library(outreach_app)
    page = html.unescape(editor.get("/console/topics/labor").get_data(as_text=True))
    labor = library.topic("labor")
    for code in library.languages:
        info = library.language(code)
        column = page.split(f'id="side-{code}"', 1)[1].split("</article>", 1)[0]
        assert info.name in column and labor.titles[code] in column
        assert labor.replies[code].splitlines()[0][:30] in column
        mark = "Not reviewed by a native speaker"
        assert (mark in column) is (not info.reviewed), code
    assert "Mark " not in page  # an editor cannot mark a language reviewed


def test_an_admin_marks_a_language_reviewed_in_the_draft_and_it_is_audited(outreach_app):  # noqa: F811
    library = _library(outreach_app)
    lang = next(code for code in library.languages if not library.language(code).reviewed)
    admin = _logged_in(outreach_app, "admin")
    page = admin.get("/console/topics/labor").get_data(as_text=True)
    assert f"Mark {lang} reviewed" in page
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = admin.post(
        f"/console/languages/{lang}/reviewed", data={"csrf_token": token, "topic": "labor"}
    )
    assert response.status_code == 302 and response.location.endswith("/console/topics/labor")
    store = ConsoleStore(runtime(outreach_app).store)
    draft = store.draft()
    data = yaml.safe_load(draft.bundle[language_file(lang)])
    assert data["reviewed"] is True
    live_text = runtime(outreach_app).store.live_revision().bundle[language_file(lang)]
    assert yaml.safe_load(live_text).get("reviewed") is not True  # not live until published
    changed = set(draft.bundle[language_file(lang)].splitlines()) - set(live_text.splitlines())
    assert changed == {"reviewed: true"}  # the rest of the file as the translator wrote it
    entries = store.audit_entries_of("language_reviewed")
    assert [(e.actor, e.detail) for e in entries] == [("admin", lang)]
    column = admin.get("/console/topics/labor").get_data(as_text=True)
    column = column.split(f'id="side-{lang}"', 1)[1].split("</article>", 1)[0]
    assert "Reviewed by a native speaker" in column


def test_an_editor_cannot_mark_a_language_reviewed(outreach_app):  # noqa: F811
    editor = _logged_in(outreach_app, "editor")
    page = editor.get("/console/topics/labor").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = editor.post("/console/languages/vi/reviewed", data={"csrf_token": token})
    assert response.status_code == 403
    assert ConsoleStore(runtime(outreach_app).store).draft() is None
