"""End to end in Debian's Chromium (Playwright, executable /usr/bin/chromium): log in, edit the
Spanish labor reply and watch the counter, try a text on the draft, publish, get the new reply
from a signed POST /sms, roll back, and see an editor refused publishing."""

from __future__ import annotations

import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from bot import runtime
from bot.console.storage import ConsoleStore
from tests import app_library, as_twilio
from tests.console.browsing import chromium, served

pytestmark = pytest.mark.browser


@pytest.fixture
def server(make_app, helpers) -> Iterator[str]:
    """The real app served over HTTP on 127.0.0.1, with a publisher and an editor."""
    app = make_app(public_base_url="", reload_seconds=0.2)
    runtime(app).live.start()
    accounts = ConsoleStore(runtime(app).store)
    accounts.add_account("pat", helpers.PASSWORD, "publisher")
    accounts.add_account("eddie", helpers.PASSWORD, "editor")
    with served(app) as base:
        yield base


@pytest.fixture
def browser():
    with chromium("tests/console/test_console_browser.py") as b:
        yield b


def _sms(base: str, body: str) -> list[str]:
    params = as_twilio.params(body)
    url = base + "/sms"
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": as_twilio.sign(url, params)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        root = ET.fromstring(response.read())
    return [m.text or "" for m in root.iter("Message")]


def _login(page, base: str, name: str, password: str) -> None:
    page.goto(base + "/console/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/console/")


def test_log_in_edit_try_publish_sms_roll_back_and_editor_refused(server, browser, helpers):
    base = server
    page = browser.new_page(viewport={"width": 360, "height": 740})

    # 1. Log in.
    _login(page, base, "pat", helpers.PASSWORD)
    assert page.locator("a.tid, span.tid").first.is_visible()

    # 2. Edit the Spanish labor reply; the counter changes when an "á" is typed.
    page.goto(base + "/console/topics/labor")
    counter = page.locator("#counter_es")
    counter.locator(".figures").wait_for()
    # Selectors, not wait_for_function: the console's CSP forbids the eval that would need.
    page.locator("#counter_es[data-encoding='GSM-7']").wait_for()
    assert "plain letters" in counter.inner_text()
    reply = page.locator("#reply_es")
    reply.fill("Trabajo: la linea 1-888-373-7888 le ayuda con su pago")
    reply.press("End")
    reply.type(" rápido.")
    page.locator("#counter_es[data-encoding='UCS-2']").wait_for()
    assert "Publishing will replace á → a" in counter.inner_text()
    assert counter.locator("mark").inner_text() == "á"
    assert "1-888-373-7888 ✓" in counter.inner_text()
    page.click("form#topic-form button[type=submit]")
    page.wait_for_url(base + "/console/topics/labor?saved=1")
    assert "Saved labor in the draft" in page.inner_text("body")

    # 3. Try a text against the draft (published replies are transliterated: á -> a).
    new_reply = "Trabajo: la linea 1-888-373-7888 le ayuda con su pago rapido."
    page.goto(base + "/console/try")
    page.check("input[name=source][value=draft]")
    page.fill("#try-text", "no me pagan en el trabajo")
    page.click("#try-send")
    assert page.inner_text("#reply") == new_reply
    assert "labor" in page.inner_text("#try-meta")

    # 4. Publish.
    page.goto(base + "/console/")
    page.click("text=Review and publish")
    page.fill("textarea[name=comment]", "Spanish labor reply: say it is quick")
    page.click("#publish")
    page.wait_for_url(base + "/console/history")
    assert "Published revision 2" in page.inner_text("body")

    # 5. A signed POST /sms gets the new reply.
    assert _sms(base, "no me pagan en el trabajo") == [new_reply]

    # 6. Roll back.
    page.click("text=Roll back to revision 1")
    page.fill("#reason", "the quick reply confused people")
    page.click("#rollback-confirm")
    page.wait_for_url(base + "/console/history")
    assert "Revision 1 is live again" in page.inner_text("body")
    assert _sms(base, "no me pagan en el trabajo") == [app_library.REPLIES["labor/es"]]

    # 7. An editor has no publish button and is refused when posting anyway.
    editor = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(editor, base, "eddie", helpers.PASSWORD)
    editor.goto(base + "/console/topics/labor")
    editor.fill("#reply_es", "Trabajo: llame al 1-888-373-7888 hoy.")
    editor.click("form#topic-form button[type=submit]")
    editor.goto(base + "/console/")
    assert editor.locator("text=Review and publish").count() == 0
    assert editor.locator("text=Roll back").count() == 0
    token = editor.locator("meta[name=csrf-token]").get_attribute("content")
    # The browser context's own request API: the same cookies as the page.
    refused = editor.request.post(
        base + "/console/publish",
        form={"csrf_token": token, "comment": "sneaky"},
        max_redirects=0,
    )
    status = refused.status
    assert status == 403
    assert _sms(base, "no me pagan en el trabajo") == [app_library.REPLIES["labor/es"]]


def test_no_console_page_scrolls_sideways_on_a_360_px_phone(server, browser, helpers):
    base = server
    # bypass_csp only so that the test may measure the page with a script of its own.
    context = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    page = context.new_page()
    _login(page, base, "pat", helpers.PASSWORD)
    for path in (
        "/console/",
        "/console/topics/labor",
        "/console/topics/emergency",
        "/console/try",
        "/console/history",
        "/console/history/diff?a=1&b=1",
        "/console/stats",
        "/console/topics/new",
        "/console/calls",
        "/console/outreach",
    ):
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
    context.close()
