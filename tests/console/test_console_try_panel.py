"""Issue 21, parts 3 and 4: the console's try panel says why a text got its answer (the same
facts as `flask try`, from bot.core.explain)."""

from __future__ import annotations

import html
import re

import pytest

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
