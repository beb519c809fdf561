"""Issue 24, items 1-8, in Debian's Chromium on a 360 px phone (Playwright, /usr/bin/chromium):
every error at once and the same count everywhere, a save with errors said at the top,
confirmations for rollback and discard, the Numbers page, who publishes, plain words, accents
said beside the counter, and 44 px tap targets on every console page."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import runtime
from bot.console.storage import ConsoleStore
from bot.core.library import write_bundle
from bot.core.numbers import REGISTRY_FILE
from bot.library.registry import deployment_registry_path
from tests.console.browsing import chromium, served
from tests.console.test_console_browser import _login, _sms

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
UNVERIFIED = "1-206-555-0143"


@pytest.fixture
def served_app(make_app, helpers) -> Iterator[tuple[str, object]]:
    """The real app over HTTP on 127.0.0.1, with a publisher, an editor and an admin."""
    app = make_app(public_base_url="", reload_seconds=0.2)
    runtime(app).live.start()
    accounts = ConsoleStore(runtime(app).store)
    accounts.add_account("pat", helpers.PASSWORD, "publisher")
    accounts.add_account("eddie", helpers.PASSWORD, "editor")
    accounts.add_account("ada", helpers.PASSWORD, "admin")
    with served(app) as base:
        yield base, app


@pytest.fixture
def browser():
    with chromium("tests/console/test_operator_trips_browser.py") as b:
        yield b


def _phone(browser, **extra):
    # bypass_csp only so that the test may measure the page with a script of its own.
    context = browser.new_context(
        viewport=PHONE, timezone_id="America/Los_Angeles", bypass_csp=True, **extra
    )
    return context, context.new_page()


def _save_reply(page, base: str, topic: str, lang: str, text: str) -> None:
    page.goto(f"{base}/console/topics/{topic}")
    page.fill(f"#reply_{lang}", text)
    page.click("form#topic-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/console/topics/{topic}\?saved=1$"))


def _cli_error_count(app, bundle: dict[str, str], tmp_path: Path) -> int:
    """How many errors `flask library check` finds in the same files."""
    directory = tmp_path / "draft"
    write_bundle({k: v for k, v in bundle.items() if k != REGISTRY_FILE}, directory)
    shutil.copy(deployment_registry_path(runtime(app).settings), directory / REGISTRY_FILE)
    result = app.test_cli_runner().invoke(args=["library", "check", str(directory)])
    return int(re.search(r"^(\d+) errors?,", result.output, re.M).group(1))


def test_every_error_is_shown_at_once_with_one_count_and_a_save_with_errors_says_so_on_top(
    served_app, browser, helpers, tmp_path
):
    base, app = served_app
    context, page = _phone(browser)
    _login(page, base, "pat", helpers.PASSWORD)

    # Item 2: a save with an unverified number says so at the top, in the error colour.
    _save_reply(page, base, "labor", "es", f"Trabajo: llame al 1-888-373-7888 o al {UNVERIFIED}.")
    banner = page.locator("#saved")
    assert "saved bad" in banner.get_attribute("class")
    assert "1 error" in banner.inner_text() and UNVERIFIED in banner.inner_text()
    assert page.evaluate("window.scrollY") == 0 and banner.bounding_box()["y"] < PHONE["height"]
    colour = page.evaluate("getComputedStyle(document.querySelector('#saved')).color")
    assert colour == "rgb(170, 0, 0)"
    page.click("#saved a[href='#first-error']")
    box = page.locator("#first-error").bounding_box()
    assert 0 <= box["y"] < PHONE["height"], box  # scrolled to it, 1,600 px down or not
    assert UNVERIFIED in page.inner_text("#first-error")

    # Item 1: three errors, one of which keeps the library from loading (an empty reply).
    _save_reply(page, base, "housing", "en", "Housing: call 211. " + "Shelter near you. " * 40)
    _save_reply(page, base, "menu", "es", "")
    page.goto(base + "/console/")
    summary = page.inner_text("p.summary")
    assert summary.startswith("Check: 3 errors"), summary
    page.goto(base + "/console/publish")
    listed = page.locator("section.errorbox li.error")
    assert listed.count() == 3
    text = page.inner_text("section.errorbox")
    assert UNVERIFIED in text and "over its budget of 3" in text and "es reply" in text
    draft = ConsoleStore(runtime(app).store).draft()
    assert _cli_error_count(app, draft.bundle, tmp_path) == 3
    context.close()


def test_rollback_and_discard_ask_first_and_history_keeps_the_reason(served_app, browser, helpers):
    base, app = served_app
    context, page = _phone(browser)
    _login(page, base, "pat", helpers.PASSWORD)
    new_reply = "Trabajo: la linea 1-888-373-7888 le ayuda hoy."
    _save_reply(page, base, "labor", "es", new_reply)
    page.goto(base + "/console/publish")
    page.fill("textarea[name=comment]", "shorter labor reply")
    page.click("#publish")
    page.wait_for_url(base + "/console/history")
    assert _sms(base, "no me pagan en el trabajo") == [new_reply]

    # One tap on rollback only asks: it needs a reason, and nothing changed yet.
    page.click("text=Roll back to revision 1")
    assert page.locator("h1").inner_text() == "Roll back to revision 1?"
    assert runtime(app).store.live_revision_id() == 2
    page.fill("#reason", "the old reply names the passports")
    page.click("#rollback-confirm")
    page.wait_for_url(base + "/console/history")
    assert runtime(app).store.live_revision_id() == 1
    assert "the old reply names the passports" in page.inner_text("#made-live")
    # Going forward again is not a "roll back".
    assert page.locator("text=Make revision 2 live again").count() == 1
    assert page.locator("text=Roll back to revision 2").count() == 0

    # Discarding the shared draft names whose edits it throws away.
    _save_reply(page, base, "housing", "en", "Housing: call 211 for a bed tonight.")
    editor_context, editor = _phone(browser)
    _login(editor, base, "eddie", helpers.PASSWORD)
    _save_reply(editor, base, "housing", "es", "Vivienda: llame al 211 esta noche.")
    page.goto(base + "/console/")
    page.click("#discard")
    assert ConsoleStore(runtime(app).store).draft() is not None  # asked, not done
    warning = page.inner_text("section.warnbox")
    assert "eddie" in warning and "pat" in warning
    page.click("#discard-confirm")
    page.wait_for_url(base + "/console/")
    assert ConsoleStore(runtime(app).store).draft() is None
    editor_context.close()
    context.close()


def test_admins_add_a_number_that_goes_live_with_the_draft_and_others_only_read(
    served_app, browser, helpers
):
    base, app = served_app
    registry_file = deployment_registry_path(runtime(app).settings)
    context, page = _phone(browser)
    _login(page, base, "ada", helpers.PASSWORD)
    reply = f"Trabajo: llame al {UNVERIFIED} o al 1-888-373-7888."
    _save_reply(page, base, "labor", "es", reply)
    assert "Numbers" in page.inner_text("#saved")  # the error says where it is fixed
    page.click("#saved >> text=Numbers")
    page.wait_for_url(base + "/console/numbers")

    # The same checks: a number written so the checker cannot read it is refused.
    page.fill("input[name=id]", "wa-labor-line")
    page.fill("input[name=number]", "206 555 0143 x")
    page.fill("input[name=what]", "Washington labor line, weekdays")
    page.fill("input[name=source]", "the department's own contact page")
    page.click("#number-form button[type=submit]")
    assert "Not saved" in page.inner_text("#numbers-error")
    page.fill("input[name=number]", UNVERIFIED)
    page.click("#number-form button[type=submit]")
    page.wait_for_url(base + "/console/numbers")
    assert UNVERIFIED in page.inner_text("#numbers-list")
    assert page.locator("#numbers-draft").is_visible()
    assert UNVERIFIED not in registry_file.read_text()  # not live before it is published
    audit = ConsoleStore(runtime(app).store).audit_entries_of("numbers_edit")
    assert audit and audit[0].actor == "ada" and UNVERIFIED in audit[0].detail

    page.goto(base + "/console/")
    assert page.inner_text("p.summary").startswith("Check: 0 errors")
    page.goto(base + "/console/publish")
    page.fill("textarea[name=comment]", "labor line for Washington")
    page.click("#publish")
    page.wait_for_url(base + "/console/history")
    assert UNVERIFIED in registry_file.read_text()
    assert _sms(base, "no me pagan en el trabajo") == [reply]
    # The file stays the one registry: the revision carries no copy a later draft could restore.
    assert REGISTRY_FILE not in runtime(app).store.live_revision().bundle

    # Editors and publishers see the registry, without a form, and are refused a change.
    for name in ("eddie", "pat"):
        other_context, other = _phone(browser)
        _login(other, base, name, helpers.PASSWORD)
        other.goto(base + "/console/numbers")
        assert UNVERIFIED in other.inner_text("#numbers-list")
        assert other.locator("#number-form").count() == 0
        assert other.locator("#numbers-readonly").is_visible()
        token = other.locator("meta[name=csrf-token]").get_attribute("content")
        refused = other.request.post(
            base + "/console/numbers",
            form={
                "csrf_token": token,
                "id": "x",
                "number": "911",
                "what": "x",
                "source": "x",
                "verified": "2026-01-01",
            },
            max_redirects=0,
        )
        assert refused.status == 403
        other_context.close()
    context.close()


def test_editors_are_told_who_publishes_and_the_words_are_an_operators(
    served_app, browser, helpers
):
    base, app = served_app
    store = runtime(app).store
    today = datetime.now(UTC).date()
    store.add_counts({(today, "labor", "es"): 5, (today, "(silenced)", "-"): 4})
    context, page = _phone(browser)
    _login(page, base, "eddie", helpers.PASSWORD)
    _save_reply(page, base, "labor", "es", "Trabajo: la linea 1-888-373-7888 ayuda hoy.")

    # Item 5: where publishing would be, an editor reads who publishes.
    page.goto(base + "/console/")
    assert page.locator("text=Review and publish").count() == 0
    who = page.inner_text("#who-publishes")
    assert "a publisher reviews and publishes it" in who and "ada" in who and "pat" in who

    # Item 6: the topic's title heads its page, with the id beside it; plain words.
    page.goto(base + "/console/topics/labor")
    assert page.inner_text("h1") == "Work and pay (labor)"
    page.locator("#counter_es .figures").wait_for()
    assert "plain letters (each message part holds 160)" in page.inner_text("#counter_es")
    assert "GSM-7" not in page.inner_text("main") and "UCS-2" not in page.inner_text("main")
    page.goto(base + "/console/topics/menu")
    assert "{menu} is replaced" in page.inner_text(".menu-note")
    # Times in local time with the zone (the browser's: Los Angeles).
    page.goto(base + "/console/")
    stamp = page.inner_text(".draftbar time")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d P[SD]T", stamp), stamp
    # Stats count silenced texts apart from replies; no filter button is labelled "-".
    page.goto(base + "/console/stats")
    assert "5 replies" in page.inner_text("main").replace("\n", " ")
    assert "4 silenced" in page.inner_text("#not-replies")
    assert all(t.strip() != "-" for t in page.locator("nav.tabs a").all_inner_texts())
    context.close()

    # Diff headers are behind a "details" toggle.
    context, page = _phone(browser)
    _login(page, base, "pat", helpers.PASSWORD)
    page.goto(base + "/console/publish")
    diff = page.locator("details.diff").first
    assert "@@" not in diff.inner_text() and "--- live/" not in diff.inner_text()
    assert not diff.locator("details.headers pre").is_visible()
    diff.locator("details.headers summary").click()
    assert "@@" in diff.locator("details.headers pre").inner_text()
    context.close()


def test_the_counter_says_what_publishing_does_to_accents_and_a_reply_may_keep_them(
    served_app, browser, helpers
):
    base, app = served_app
    context, page = _phone(browser)
    _login(page, base, "pat", helpers.PASSWORD)
    page.goto(base + "/console/topics/labor")
    reply = "Trabajo rápido: él le ayuda a usted, llame al 1-888-373-7888 ó escriba. " * 2
    page.fill("#reply_es", reply.strip())
    page.locator("#counter_es[data-encoding='UCS-2']").wait_for()
    said = page.inner_text("#counter_es")
    assert "Publishing will replace á → a, ó → o (é stays" in said
    plain = int(page.get_attribute("#counter_es", "data-segments"))
    assert f"{plain}/3 message parts in plain letters" in said
    assert re.search(r"With the accents kept: (\d+)/3", said)
    kept = int(re.search(r"With the accents kept: (\d+)/3", said).group(1))
    assert kept > plain
    page.check("#keep_es")
    page.locator("#counter_es[data-sent='UCS-2']").wait_for()
    assert f"Accents kept: sent as special characters, {kept}/3" in page.inner_text("#counter_es")
    page.click("form#topic-form button[type=submit]")
    page.wait_for_url(re.compile(r".*\?saved=1$"))
    assert page.is_checked("#keep_es")
    draft = ConsoleStore(runtime(app).store).draft()
    assert "keep_accents: [es]" in draft.bundle["keywords.yaml"]
    page.goto(base + "/console/publish")
    page.fill("textarea[name=comment]", "keep the accents in Spanish labor")
    page.click("#publish")
    page.wait_for_url(base + "/console/history")
    assert _sms(base, "no me pagan en el trabajo") == [reply.strip()]  # accents and all
    context.close()


#: Every console page an admin can open, with a draft, a second revision and a number in it.
PAGES = (
    "/console/login",
    "/console/",
    "/console/topics/labor",
    "/console/topics/menu",
    "/console/topics/new",
    "/console/calls",
    "/console/try",
    "/console/publish",
    "/console/history",
    "/console/history/diff?a=1&b=2",
    "/console/history/1/rollback",
    "/console/draft/discard",
    "/console/stats",
    "/console/outreach",
    "/console/numbers",
    "/console/audit",
    "/console/accounts",
)

#: Buttons, and links that stand alone (not inside a sentence): what a thumb has to hit.
TARGETS = """
() => Array.from(document.querySelectorAll('button, input[type=submit], a')).filter(el => {
  if (el.tagName !== 'A' || el.matches('.button, nav a, .brand')) return true;
  const parent = el.parentElement;
  return parent.textContent.trim() === el.textContent.trim();
}).filter(el => el.getClientRects().length).map(el => {
  const r = el.getBoundingClientRect();
  return [el.outerHTML.slice(0, 80), Math.round(r.height * 10) / 10];
})
"""


def test_every_button_and_standalone_link_is_at_least_44_px_on_every_page(
    served_app, browser, helpers
):
    base, _app = served_app
    context, page = _phone(browser)
    page.goto(base + "/console/login")
    small = [(("/console/login", *t)) for t in page.evaluate(TARGETS) if t[1] < 44]
    _login(page, base, "ada", helpers.PASSWORD)
    _save_reply(page, base, "labor", "es", "Trabajo: la linea 1-888-373-7888 ayuda hoy.")
    page.goto(base + "/console/publish")
    page.fill("textarea[name=comment]", "second revision")
    page.click("#publish")
    page.wait_for_url(base + "/console/history")
    _save_reply(page, base, "labor", "en", "Work: the hotline 1-888-373-7888 helps today.")
    measured = 0
    for path in PAGES[1:]:
        page.goto(base + path)
        found = page.evaluate(TARGETS)
        measured += len(found)
        small += [(path, *t) for t in found if t[1] < 44]
    assert measured > 100
    assert not small, small
    context.close()
