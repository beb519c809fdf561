"""Screenshots of every console page, at phone width (360 px) and desktop width, for the guide.

Run from the project folder: .venv/bin/python docs/console/take_screenshots.py
It serves the bundled library on a temporary SQLite database with two accounts and a few days of
invented daily counts (the stats page needs some to show a chart), and drives /usr/bin/chromium.
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

OUT = Path(__file__).resolve().parent
PASSWORD = "screenshot password"
WIDTHS = {"phone": (360, 740), "desktop": (1280, 900)}


def main() -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from bot import create_app, runtime
    from bot.console.storage import ConsoleStore
    from bot.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="console-shots-"))
    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp / 'bot.sqlite3'}",
            secret_key="screenshots-only-secret-key-0123456789",
            dev_insecure=True,
            bot_number="+15095550100",
            log_level="WARNING",
        )
    )
    rt = runtime(app)
    rt.live.start()
    console = ConsoleStore(rt.store)
    console.add_account("maria", PASSWORD, "admin")
    console.add_account("jose", PASSWORD, "editor")
    rng = random.Random(11)
    today = datetime.now(UTC).date()
    weights = {"labor": 9, "housing": 6, "menu": 5, "emergency": 1, "immigration": 3, "safety": 2}
    for back in range(30):
        for topic, w in weights.items():
            for lang, share in (("en", 0.4), ("es", 0.6)):
                n = rng.randint(0, int(w * share * 3))
                if n:
                    rt.store.add_counts({(today - timedelta(days=back), topic, lang): n})

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        # A first publish from the console, so that history and diff have something to show.
        page = browser.new_page()
        _login(page, base)
        page.goto(base + "/console/topics/labor")
        page.fill("#reply_es", page.input_value("#reply_es").replace("Trabajo", "Trabajo y pago"))
        page.click("form#topic-form button[type=submit]")
        page.goto(base + "/console/publish")
        page.fill("textarea[name=comment]", "Spanish labor reply: name pay too")
        page.click("#publish")
        # An open draft with an accent and an unverified number, to show the counter and errors.
        page.goto(base + "/console/topics/labor")
        reply = page.input_value("#reply_es") + " Tambien: 1-206-555-0123."
        page.fill("#reply_es", reply.replace("pago", "pagó", 1))
        page.click("form#topic-form button[type=submit]")
        page.close()

        for label, (width, height) in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(base + "/console/login")
            _shot(page, f"login-{label}")
            _login(page, base)
            for name, path in (
                ("topics", "/console/"),
                ("topic", "/console/topics/labor"),
                ("publish", "/console/publish"),
                ("history", "/console/history"),
                ("diff", "/console/history/diff?a=1&b=2"),
                ("stats", "/console/stats?days=30"),
                ("audit", "/console/audit"),
                ("accounts", "/console/accounts"),
                ("calls", "/console/calls"),
                ("outreach", "/console/outreach"),
            ):
                page.goto(base + path)
                if name == "topic":
                    page.locator("#counter_es[data-encoding]").wait_for()
                    page.locator("fieldset.lang").nth(1).screenshot(
                        path=str(OUT / f"topic-es-{label}.png")
                    )
                _shot(page, f"{name}-{label}")
            page.goto(base + "/console/try")
            page.fill("#try-text", "mi patron no me paga")
            page.click("#try-send")
            _shot(page, f"try-{label}")
            context.close()
        browser.close()
    httpd.shutdown()
    print(f"screenshots written to {OUT}")


def _login(page, base: str) -> None:
    page.goto(base + "/console/login")
    page.fill("input[name=username]", "maria")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/console/")


#: Long pages are cut here: the guide shows what the top of each page looks like.
MAX_HEIGHT = 1400


def _shot(page, name: str) -> None:
    box = page.locator("body").bounding_box()
    width = page.viewport_size["width"]
    height = min(int(box["height"]) if box else MAX_HEIGHT, MAX_HEIGHT)
    page.screenshot(
        path=str(OUT / f"{name}.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": max(height, 200)},
    )


if __name__ == "__main__":
    main()
