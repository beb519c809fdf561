"""A hostile or broken Twilio cannot hold the purge past its bounds, and /healthz says so."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from bot.purge.config import explain_failure
from bot.purge.lock import ThreadLock
from bot.purge.purger import Purger
from bot.purge.sweep import Budget, sweep
from bot.purge.twilio_api import MAX_ANSWER_BYTES, TwilioMessages, build_client
from bot.runtime import runtime
from bot.settings import Settings
from tests.purge.fake_twilio import FakeTwilio

THRESHOLD = timedelta(minutes=70)
OLD = timedelta(minutes=71)


def _api(settings: dict, **client_options) -> TwilioMessages:
    return TwilioMessages(build_client(Settings(**settings), **client_options), page_size=3)


def _sweep_in_thread(api, numbers, budget):
    """Run a sweep in a daemon thread; (thread, box) where box gets the report."""
    box: dict = {}

    def run() -> None:
        box["report"] = sweep(api, numbers, THRESHOLD, budget)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def test_an_answer_that_trickles_a_byte_at_a_time_ends_the_sweep_at_its_bound(
    fake: FakeTwilio, purge_settings
):
    fake.add(age=OLD)
    fake.trickle = 0.2  # each byte within any read timeout, the whole page in minutes
    started = time.monotonic()
    thread, box = _sweep_in_thread(_api(purge_settings), fake.numbers, Budget.of(seconds=1.5))
    thread.join(6)
    assert not thread.is_alive(), "the sweep was still reading a trickling answer after 6 s"
    assert time.monotonic() - started < 3.0
    report = box["report"]
    assert report.error == "twilio_too_slow" and not report.complete
    assert "too slow" in explain_failure(report.error)


def test_each_request_has_a_whole_time_bound_of_its_own(fake: FakeTwilio, purge_settings):
    fake.add(age=OLD)
    fake.trickle = 0.2
    api = _api(purge_settings, request_seconds=1.0)
    started = time.monotonic()
    thread, box = _sweep_in_thread(api, fake.numbers, Budget.of(seconds=60))
    thread.join(6)
    assert not thread.is_alive()
    assert time.monotonic() - started < 3.0
    assert box["report"].error == "twilio_too_slow"


def test_an_answer_larger_than_any_page_is_refused_before_it_is_read_whole(
    fake: FakeTwilio, purge_settings
):
    sid = fake.add(age=OLD)
    fake.padding = 64 * 1024 * 1024
    report = sweep(_api(purge_settings), fake.numbers, THRESHOLD, Budget.of(seconds=30))
    assert report.error == "twilio_too_large" and not report.complete
    assert fake.remaining() == {sid}
    # What the server got into the socket before the client hung up: the cap and the kernel's
    # buffers, not the 64 MB.
    time.sleep(0.2)
    assert fake.body_bytes_sent < MAX_ANSWER_BYTES + 16 * 1024 * 1024
    assert "too large" in explain_failure(report.error)


def test_a_redirect_to_another_host_is_reported_as_a_redirect_naming_that_host(
    fake: FakeTwilio, purge_settings
):
    fake.add(age=OLD)
    fake.redirect_to = "http://collector.example.net/steal?AccountSid=x"
    report = sweep(_api(purge_settings), fake.numbers, THRESHOLD, Budget.of(seconds=10))
    assert report.error == "twilio_redirected"
    assert report.detail == "http://collector.example.net"
    explained = explain_failure(report.error, report.detail)
    assert "redirect" in explained and "collector.example.net" in explained
    assert "429" not in explained and "AccountSid" not in explained
    assert report.as_dict()["detail"] == "http://collector.example.net"


class _HangingMessages(TwilioMessages):
    """An API whose list request never returns until released: a sweep stuck past any bound."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__(client=None)
        self.release = release
        self.entered = threading.Event()

    def first_page(self, **where):
        self.entered.set()
        self.release.wait(30)
        raise RuntimeError("released")


def test_a_sweep_stuck_past_its_bound_shows_as_stuck_and_failing_on_healthz(make_app):
    release = threading.Event()
    hanging = _HangingMessages(release)
    app = make_app(
        twilio_account_sid="AC" + "0" * 32,
        twilio_api_key="SK" + "0" * 32,
        twilio_api_secret="s",
        purge_numbers="+15005550001",
        purge_every_seconds=0.05,
    )
    purger: Purger = runtime(app).purge
    purger.api_factory = lambda settings: hanging
    purger._lock = ThreadLock()
    purger.sweep_seconds = 0.3
    purger.stuck_grace_seconds = 0.3
    client = app.test_client()
    try:
        client.get("/healthz")  # starts the sweeper
        assert hanging.entered.wait(10)
        early = client.get("/healthz").get_json()["purge"]
        assert early["outcome"] == "sweeping" and early["failing"] is False
        time.sleep(0.8)
        late = client.get("/healthz").get_json()["purge"]
        assert late["outcome"] == "stuck" and late["failing"] is True
        assert late["sweeping_for_seconds"] >= 0.6
    finally:
        release.set()
        purger.stop()
