"""Issue 21, parts 3 and 4: the console's try panel says why a text got its answer (the same
facts as `flask try`, from bot.core.explain), and "Should be this topic" adds the typed text to
the draft's example texts, checked as the library check reads them."""

from __future__ import annotations

import html
import logging
import re

import pytest
from sqlalchemy import inspect

from bot import runtime
from bot.console.trying import try_text
from bot.core.explain import explain
from bot.core.matcher import match
from tests import app_library, as_twilio

#: The test library's example texts: enough for the reader to be on (two topics and more).
EXAMPLES = {
    "examples/en/labor.txt": (
        "my boss does not pay me\nno wages for three weeks\nthe employer keeps my passport\n"
        "they make me work without pay\n"
    ),
    "examples/en/housing.txt": (
        "# texts about a place to live\nwe were evicted today\ni have no place to sleep\n"
        "need a shelter for tonight\nthe landlord kicked us out\n"
    ),
    "examples/en/emergency.txt": (
        "he is hitting me right now\nlocked in the room please help\n"
        "someone is outside with a knife\n"
    ),
    "examples/en/menu.txt": "hi\nhello there\nwhat can you do\n",
    "examples/heldout/en/housing.txt": "kicked out of my room\n",
}


@pytest.fixture
def taught_app(make_app, tmp_path, helpers):
    """The app on the test library with example texts (the reader on), published, with an
    account of each role."""
    from bot.console.storage import ConsoleStore

    library = app_library.write_library(tmp_path / "taught", {**app_library.bundle(), **EXAMPLES})
    app = make_app(library_dir=str(library))
    runtime(app).live.start()
    accounts = ConsoleStore(runtime(app).store)
    for role in ("editor", "publisher", "admin"):
        accounts.add_account(role, helpers.PASSWORD, role)
    return app


@pytest.fixture
def client(taught_app, helpers):
    """An editor, signed in."""
    c = taught_app.test_client()
    assert helpers.login(c, "editor").status_code == 302
    return c


def _store(app):
    return app.extensions["console"].store


def _draft_bundle(app) -> dict[str, str]:
    """The files the console edits: the draft's, else the live revision's."""
    draft = _store(app).draft()
    return draft.bundle if draft is not None else dict(runtime(app).store.live_revision().bundle)


def _field(page: str, element_id: str) -> str:
    """The visible text of one element of a page, by id, in single spaces."""
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|p|div)>', page, re.S)
    assert found, f"no #{element_id}"
    inline = re.sub(r"</?(strong|span)[^>]*>", "", found.group(1))
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def _try(client, helpers, text: str, source: str = "draft") -> str:
    response = helpers.post(client, "/console/try", {"text": text, "source": source})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _should_be(client, helpers, text: str, topic: str, lang: str = "en", source: str = "draft"):
    data = {"text": text, "topic": topic, "lang": lang, "source": source}
    return helpers.post(client, "/console/try/should-be", data)


@pytest.mark.parametrize(
    "text",
    ["my boss took my passport", "nobody pays me for the work", "hello", "stop", "1", "xyzzy"],
)
def test_the_panel_gives_the_bots_own_answer(taught_app, text):
    snapshot = runtime(taught_app).live.snapshot
    tried = try_text(text, snapshot.library, snapshot.matcher)
    bot = match(text, snapshot.matcher)
    assert (tried.topic, tried.lang) == (bot.topic, bot.lang)
    assert tried.why == explain(text, snapshot.matcher)


@pytest.mark.parametrize(
    ("text", "decided_by"),
    [
        ("the boss keeps my pay", "both"),
        ("nobody pays me for my work", "reader"),
        ("my boss locked me in", "rules"),
    ],
)
def test_the_panel_shows_what_decided_the_rules_hit_the_readers_guesses_and_nearest_examples(
    taught_app, client, helpers, text, decided_by
):
    page = _try(client, helpers, text, source="live")
    why = explain(text, runtime(taught_app).live.snapshot.matcher)
    assert why.decided_by == decided_by  # each case is what its name says
    assert why.reader_top and why.nearest  # the reader is on in this library
    decided = {"rules": "the rules", "reader": "the reader"}
    assert f'data-decided="{why.decided_by}"' in page
    assert _field(page, "why-decided") == decided.get(
        why.decided_by, "the rules and the reader, which agreed"
    )
    rules = _field(page, "why-rules")
    assert rules.startswith(why.rules.topic + ",")
    assert (f"from the keyword “{why.rules.keyword}”" in rules) == bool(why.rules.keyword)
    assert _field(page, "why-reader") == " ".join(
        f"{topic} {100 * p:.0f}%" for topic, p in why.reader_top
    )
    nearest = _field(page, "why-nearest")
    for example, similarity in why.nearest:
        assert f"“{example.text}”" in nearest
        assert (
            f"{example.topic} · {example.file}:{example.line} · {100 * similarity:.0f}% alike"
            in (nearest)
        )
    # The answer shown is the one the bot sends.
    sms = as_twilio.messages(as_twilio.post(taught_app.test_client(), as_twilio.params(text)))
    assert sms == [html.unescape(_field(page, "reply"))]
    assert why.chosen.topic in _field(page, "try-meta")


def test_a_text_no_keyword_names_says_so(client, helpers):
    page = _try(client, helpers, "zzz qqq")
    assert _field(page, "why-rules") == "menu, no keyword found"


def test_without_example_texts_the_panel_says_the_reader_is_off(console_app, editor, helpers):
    page = _try(editor, helpers, "my boss took my passport")
    assert _field(page, "why-decided") == "the rules"
    assert "the reader is off" in _field(page, "why-reader")
    assert 'id="why-nearest"' not in page


def test_should_be_adds_exactly_one_line_to_the_drafts_examples_file_and_the_draft_learns_it(
    taught_app, client, helpers
):
    before = _draft_bundle(taught_app)
    text = "the roof leaks and the owner will not fix it"
    response = _should_be(client, helpers, text, "housing")
    assert response.status_code == 200
    after = _draft_bundle(taught_app)
    path = "examples/en/housing.txt"
    assert after[path] == before[path] + text + "\n"
    assert {k: v for k, v in after.items() if k != path} == {
        k: v for k, v in before.items() if k != path
    }
    page = response.get_data(as_text=True)
    line = len(after[path].splitlines())
    assert f"{path}, line {line}" in _field(page, "should-be-done")
    # The page answers from the draft, whose reader was trained again: the text is its own
    # nearest example now.
    assert 'name="source" value="draft" checked' in page
    assert f"housing · {path}:{line} · 100% alike · just added" in _field(page, "why-nearest")
    # The audit trail names the file and line, never the text.
    entries = _store(taught_app).audit_entries(action="draft_save")
    assert (
        entries[0].actor == "editor" and entries[0].detail == f"example text added to {path}:{line}"
    )
    assert "roof" not in repr(entries)
    # The live revision is untouched until the draft is published.
    assert (
        path not in runtime(taught_app).store.live_revision().bundle
        or text not in (runtime(taught_app).store.live_revision().bundle[path])
    )


def test_should_be_writes_to_the_language_the_operator_chose_and_joins_lines(
    taught_app, client, helpers
):
    response = _should_be(client, helpers, "el dueño no arregla\nel techo", "housing", "es")
    assert response.status_code == 200
    assert _draft_bundle(taught_app)["examples/es/housing.txt"] == "el dueño no arregla el techo\n"


def test_the_language_offered_first_is_the_one_the_text_was_read_as(client, helpers):
    page = _try(client, helpers, "no me pagan en el trabajo")
    assert re.search(r'<option value="es" selected>', page)
    assert not re.search(r'<option value="en" selected>', page)


@pytest.mark.parametrize(
    ("text", "topic", "lang", "said"),
    [
        ("call me at www.example.com now", "housing", "en", "may not hold a link"),
        ("see https://bit.ly/x", "labor", "en", "may not hold a link"),
        ("My boss does NOT pay me", "housing", "en", "example of labor (examples/en/labor.txt:1)"),
        ("a new text", "nonsense", "en", "There is no topic 'nonsense'"),
        ("a new text", "stop", "en", "There is no topic 'stop'"),
        ("a new text", "housing", "fr", "There is no language 'fr'"),
        ("a new text", "", "en", "There is no topic ''"),
        ("#hashtag text", "housing", "en", "leave out the #"),
        ("   ", "housing", "en", "Type a text first"),
        ("?!?", "housing", "en", "has no words"),
        ("bell \x07 and nul \x00", "housing", "en", "control character"),
        ("word " * 321, "housing", "en", "at most 1600 characters"),
        ("Kicked out of my ROOM", "housing", "en", "held out to measure the reader"),
    ],
)
def test_should_be_refuses_what_the_check_would_and_leaves_the_draft_as_it_was(
    taught_app, client, helpers, text, topic, lang, said
):
    before = _draft_bundle(taught_app)
    response = _should_be(client, helpers, text, topic, lang)
    assert response.status_code == 400
    assert said in _field(response.get_data(as_text=True), "should-be-refused")
    assert _draft_bundle(taught_app) == before
    assert _store(taught_app).audit_entries(action="draft_save") == []


def test_a_text_listed_under_the_topic_already_is_not_added_twice(taught_app, client, helpers):
    before = _draft_bundle(taught_app)
    response = _should_be(client, helpers, "We were EVICTED today!", "housing")
    assert response.status_code == 200
    said = _field(response.get_data(as_text=True), "should-be-done")
    assert "an example of housing already (examples/en/housing.txt:2)" in said
    assert _draft_bundle(taught_app) == before


def test_should_be_without_the_forms_token_is_refused(taught_app, client):
    before = _draft_bundle(taught_app)
    response = client.post(
        "/console/try/should-be", data={"text": "a new text", "topic": "housing", "lang": "en"}
    )
    assert response.status_code == 400
    assert _draft_bundle(taught_app) == before


def test_should_be_is_refused_to_the_signed_out_and_to_a_role_that_may_not_edit(
    taught_app, client, helpers, monkeypatch
):
    before = _draft_bundle(taught_app)
    token = helpers.csrf_token(client, "/console/try")
    data = {"text": "a new text", "topic": "housing", "lang": "en", "csrf_token": token}
    # Every role today includes editing: an account whose role did not is refused all the same.
    monkeypatch.setattr("bot.console.storage.Account.can", lambda _self, role: role != "editor")
    assert client.post("/console/try/should-be", data=data).status_code == 403
    monkeypatch.undo()
    stranger = taught_app.test_client()
    token = helpers.csrf_token(stranger)  # a signed-out session's own token, from the login page
    refused = stranger.post("/console/try/should-be", data={**data, "csrf_token": token})
    assert refused.status_code == 302 and refused.location.endswith("/console/login")
    assert _draft_bundle(taught_app) == before


def test_nothing_typed_reaches_the_logs_and_only_an_added_text_is_kept(
    taught_app, client, helpers, caplog
):
    caplog.set_level(logging.DEBUG)
    tried, added, refused = "zqxtried ran off", "zqxadded my boss hides pay", "zqxlink www.x.com"
    _try(client, helpers, tried)
    _try(client, helpers, tried, source="live")
    assert _should_be(client, helpers, added, "labor").status_code == 200
    assert _should_be(client, helpers, refused, "labor").status_code == 400
    assert "zqx" not in caplog.text
    with runtime(taught_app).store.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            # Plain tuples: a SQLAlchemy Row's repr shortens long values.
            rows = repr([tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{table}"')])
            assert "zqxtried" not in rows and "zqxlink" not in rows, table
            # The added text is in the draft, where it was asked to go, and nowhere else.
            assert ("zqxadded" in rows) == (table == "console_draft"), table


def test_a_form_without_its_fields_is_refused_with_words_not_an_error_page(
    taught_app, client, helpers
):
    response = helpers.post(client, "/console/try/should-be", {})
    assert response.status_code == 400
    assert "Type a text first" in _field(response.get_data(as_text=True), "should-be-refused")
