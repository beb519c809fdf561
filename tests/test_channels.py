"""The Twilio transport as one piece any channel reuses, and the SMS decision without WSGI."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import runtime
from bot.channels import endpoint
from bot.channels.endpoint import Channel, Form
from bot.channels.sms import reply_to
from bot.live import DailyCounts, build_snapshot
from bot.twiml import EMPTY_TWIML
from tests import as_twilio
from tests.limiter import RecordingLimiter


def _snapshot(app):
    return build_snapshot(runtime(app).live.snapshot.library, None)


def test_the_decision_matches_limits_and_counts_without_any_request(app):
    snapshot = _snapshot(app)
    counts = DailyCounts()
    limiter = RecordingLimiter(allowed=True)
    body = reply_to("no me pagan", "+15005550006", snapshot, limiter, counts)
    assert body == snapshot.reply("labor", "es")
    assert limiter.calls == [("+15005550006", "labor")]
    assert counts.pending() == {(datetime.now(UTC).date(), "labor", "es"): 1}


def test_the_decision_is_silence_counted_without_topic_for_a_limited_sender_and_no_limit_for_stop(
    app,
):
    snapshot = _snapshot(app)
    counts = DailyCounts()
    quiet = RecordingLimiter(allowed=False)
    today = datetime.now(UTC).date()
    assert reply_to("no me pagan", "+15005550006", snapshot, quiet, counts) == EMPTY_TWIML
    assert counts.pending() == {(today, "(silenced)", "-"): 1}
    assert reply_to("STOP", "+15005550006", snapshot, quiet, counts) == EMPTY_TWIML
    assert quiet.calls == [("+15005550006", "labor")]  # an opt-out never asks the limiter
    assert counts.pending() == {(today, "(silenced)", "-"): 1, (today, "stop", "en"): 1}


def test_the_decision_is_silence_for_an_auto_reply_before_the_limiter_is_asked(app):
    snapshot = _snapshot(app)
    counts = DailyCounts()
    limiter = RecordingLimiter(allowed=True)
    driving = "I'm driving with Driving Focus turned on. I'll see your message when I get there."
    assert reply_to(driving, "+15005550006", snapshot, limiter, counts) == EMPTY_TWIML
    assert limiter.calls == []
    assert counts.pending() == {(datetime.now(UTC).date(), "(auto-reply)", "-"): 1}


def test_an_empty_text_gets_the_menu_in_the_default_language_and_no_counts_when_off(app):
    snapshot = _snapshot(app)
    body = reply_to("   ", "+15005550006", snapshot, RecordingLimiter(allowed=True), None)
    assert body == snapshot.reply("menu", snapshot.library.default_language)


def _echo_channel(seen: list[Form]) -> Channel:
    def handle(form: Form):
        seen.append(form)
        if form.first("Body") == "fail":
            raise RuntimeError("the handler broke")
        return "200 OK", form.first("Body").encode(), "text/plain; charset=utf-8"

    return Channel(handle=handle, fallback=("200 OK", b"fallback", "text/plain; charset=utf-8"))


def test_another_channel_in_the_path_table_gets_the_same_checks_and_fallback(make_app):
    app = make_app()
    seen: list[Form] = []
    endpoint.init_app(app, {"/status": _echo_channel(seen)})
    client = app.test_client()
    params = as_twilio.params("delivered")
    signed = as_twilio.post(client, params, url=as_twilio.URL + "/status")
    assert (signed.status_code, signed.data) == (200, b"delivered")
    unsigned = client.post("/status", data=params)
    assert unsigned.status_code == 403
    assert client.get("/status").status_code == 405
    failing = as_twilio.params("fail")
    broken = as_twilio.post(client, failing, url=as_twilio.URL + "/status")
    assert (broken.status_code, broken.data) == (200, b"fallback")
    assert [form.first("Body") for form in seen] == ["delivered", "fail"]
    big = {"Body": "x" * (endpoint.MAX_CONTENT_LENGTH + 1)}
    too_big = client.post(
        "/status",
        data=big,
        headers={"X-Twilio-Signature": as_twilio.sign(as_twilio.URL + "/status", big)},
    )
    assert too_big.status_code == 413
    # Without a signature it is refused before its body is read at all.
    assert client.post("/status", data=big).status_code == 403
    assert client.get("/healthz").status_code == 200  # other paths still reach Flask


@pytest.mark.parametrize(
    ("header", "algorithm"),
    [
        (None, "HMAC_SHA1"),
        ("", "HMAC_SHA1"),
        ("key=webhooks_sharedkey_1", "HMAC_SHA1"),
        ("key=webhooks_sharedkey_1,algorithm=HMAC_SHA256", "HMAC_SHA256"),
        (" algorithm = HMAC_SHA256 , key=k", "HMAC_SHA256"),
        ("algorithm=", "HMAC_SHA1"),
    ],
)
def test_the_signature_settings_header_names_the_algorithm_or_means_sha1(header, algorithm):
    assert endpoint.signature_algorithm(header) == algorithm


@pytest.mark.parametrize(
    ("url", "without", "with_"),
    [
        (
            "https://bot.example.org/sms",
            "https://bot.example.org/sms",
            "https://bot.example.org:443/sms",
        ),
        (
            "https://bot.example.org:443/sms?a=1",
            "https://bot.example.org/sms?a=1",
            "https://bot.example.org:443/sms?a=1",
        ),
        ("http://10.0.0.5/sms", "http://10.0.0.5/sms", "http://10.0.0.5:80/sms"),
        ("http://[::1]:8080/sms", "http://[::1]/sms", "http://[::1]:8080/sms"),
    ],
)
def test_the_url_twilio_signed_is_tried_with_and_without_its_port(url, without, with_):
    from urllib.parse import urlparse

    assert endpoint.without_port(urlparse(url)) == without
    assert endpoint.with_port(urlparse(url)) == with_
