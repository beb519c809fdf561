"""What the console's browser tests share: Debian's Chromium driven by Playwright, and the real
app served over HTTP on 127.0.0.1 by werkzeug in a thread."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"


def in_ci() -> bool:
    """Whether CI is set, which turns a missing Chromium from a skip into a failure."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


@contextmanager
def served(app) -> Iterator[str]:
    """The app served over HTTP on a free port of 127.0.0.1 while the block runs; its base URL."""
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(5)


@contextmanager
def chromium(test_file: str) -> Iterator[object]:
    """A headless Chromium, or a skip (a failure in CI) naming how to run `test_file` when the
    machine has none."""
    if not shutil.which(CHROMIUM):
        if in_ci():
            pytest.fail("Chromium is missing (apt-get install -y chromium)", pytrace=False)
        pytest.skip(
            "no Chromium at /usr/bin/chromium: apt-get install -y chromium, then "
            f"pytest -n 0 {test_file}"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # Root (CI, this machine) cannot use Chromium's sandbox.
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()
