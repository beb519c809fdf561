"""The try panel in Debian's Chromium on a 360 px phone (Playwright, /usr/bin/chromium): type a
text, read why it got its answer, say which topic it should be, and see the draft learn it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot import runtime
from bot.console.storage import ConsoleStore
from tests import app_library
from tests.console.browsing import chromium, served
from tests.console.test_console_browser import _login
from tests.console.test_console_try_panel import EXAMPLES
from tests.console.test_operator_trips_browser import PHONE, TARGETS

pytestmark = pytest.mark.browser

#: Where the test leaves its picture of the panel, for a person to look at.
SCREENSHOT = "/tmp/trypanel.png"


@pytest.fixture
def served_app(make_app, tmp_path, helpers) -> Iterator[tuple[str, object]]:
    """The app on the test library with example texts, over HTTP on 127.0.0.1, with an editor."""
    library = app_library.write_library(tmp_path / "taught", {**app_library.bundle(), **EXAMPLES})
    app = make_app(library_dir=str(library), public_base_url="")
    runtime(app).live.start()
    ConsoleStore(runtime(app).store).add_account("eddie", helpers.PASSWORD, "editor")
    with served(app) as base:
        yield base, app


@pytest.fixture
def browser():
    with chromium("tests/console/test_console_try_panel_browser.py") as b:
        yield b


def test_an_editor_reads_why_and_teaches_the_draft_the_right_topic(served_app, browser, helpers):
    base, app = served_app
    # bypass_csp only so that the test may measure the page with a script of its own.
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    _login(page, base, "eddie", helpers.PASSWORD)
    page.goto(base + "/console/try")
    text = "the landlord changed the locks on us"
    page.fill("#try-text", text)
    page.click("#try-send")

    why = page.locator("#why")
    assert "Decided by" in why.inner_text()
    assert "The rules found" in why.inner_text() and "no keyword found" in page.inner_text(
        "#why-rules"
    )
    assert page.inner_text("#why-reader").count("%") == 3
    assert "examples/en/" in page.inner_text("#why-nearest")
    assert page.input_value("#should-lang") == "en"  # the language the text was read as

    page.select_option("#should-topic", "housing")
    page.click("#should-be-add")
    done = page.inner_text("#should-be-done")
    assert "Added to the draft's examples of housing: examples/en/housing.txt, line 6" in done
    assert "examples/en/housing.txt:6 · 100% alike · just added" in page.inner_text("#why-nearest")
    draft = app.extensions["console"].store.draft()
    assert draft.bundle["examples/en/housing.txt"].endswith(f"\n{text}\n")

    # Readable on a phone: nothing scrolls sideways, every tap target is 44 px high.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    small = [t for t in page.evaluate(TARGETS) if t[1] < 44]
    for control in ("#should-topic", "#should-lang", "#try-text"):
        small += [(control, h) for h in [page.locator(control).bounding_box()["height"]] if h < 44]
    assert not small, small
    page.screenshot(path=SCREENSHOT, full_page=True)
    context.close()
