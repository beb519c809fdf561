"""POST /sms: signed requests get their topic's TwiML, everything else a clear refusal, never a 5xx."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.serving import make_server

from bot import runtime
from bot.core.replies import FALLBACK_REPLY
from bot.twiml import EMPTY_TWIML
from tests import app_library, as_twilio
from tests.limiter import RecordingLimiter


def _today_counts(app) -> dict[tuple[str, str], int]:
    bot_runtime = runtime(app)
    bot_runtime.live.flush_counts()
    today = datetime.now(UTC).date()
    return {(r.topic, r.lang): r.count for r in bot_runtime.store.counts(today)}


def _menu(lang: str = "en") -> str:
    titles = {"en": "1 Work and pay\n2 Housing", "es": "1 Trabajo y pago\n2 Vivienda"}[lang]
    return app_library.REPLIES[f"menu/{lang}"].replace("{menu}", titles)


def test_a_signed_message_gets_its_topic_reply_as_twiml(client):
    response = as_twilio.post(client, as_twilio.params("my boss took my passport"))
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert as_twilio.messages(response) == [app_library.REPLIES["labor/en"]]


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("they won't let me leave, help me now", "emergency/en"),
        ("no me pagan", "labor/es"),
        ("necesito un albergue", "housing/es"),
    ],
)
def test_clear_messages_get_the_reply_of_their_topic_and_language(client, text, reply):
    assert as_twilio.messages(as_twilio.post(client, as_twilio.params(text))) == [
        app_library.REPLIES[reply]
    ]


def test_a_greeting_gets_the_menu_with_its_numbered_titles(client):
    assert as_twilio.messages(as_twilio.post(client, as_twilio.params("hello"))) == [_menu()]


def test_a_wrong_signature_is_refused_with_403_and_nothing_is_counted(app, client):
    params = as_twilio.params("my boss took my passport")
    response = client.post("/sms", data=params, headers={"X-Twilio-Signature": "bm9wZQ=="})
    assert response.status_code == 403
    assert b"<Response" not in response.data
    assert _today_counts(app) == {}


def test_a_signature_made_with_another_token_is_refused(app, client):
    response = as_twilio.post(client, as_twilio.params("hello"), token="some-other-token")
    assert response.status_code == 403
    assert _today_counts(app) == {}


def test_a_missing_signature_is_refused_with_403_before_any_matching(client, monkeypatch):
    def must_not_run(*_args):
        raise AssertionError("matched an unsigned request")

    monkeypatch.setattr("bot.channels.sms.match", must_not_run)
    response = client.post("/sms", data=as_twilio.params("hello"))
    assert response.status_code == 403


def test_a_signature_over_changed_parameters_is_refused(client):
    params = as_twilio.params("hello")
    signature = as_twilio.sign(as_twilio.URL + "/sms", params)
    tampered = {**params, "Body": "my boss took my passport"}
    response = client.post("/sms", data=tampered, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_with_public_base_url_the_signature_is_checked_against_the_public_url(client):
    params = as_twilio.params("hello")
    # The test client talks to http://localhost/sms; Twilio signed https://bot.example.org/sms.
    assert as_twilio.post(client, params, url=as_twilio.URL + "/sms").status_code == 200
    assert as_twilio.post(client, params, url="http://localhost/sms").status_code == 403


def test_with_public_base_url_a_query_string_is_part_of_the_signed_url(client):
    params = as_twilio.params("hello")
    assert as_twilio.post(client, params, url=as_twilio.URL + "/sms?source=test").status_code == 200
    signature = as_twilio.sign(as_twilio.URL + "/sms", params)
    response = client.post(
        "/sms?source=test", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403


def test_a_trailing_slash_on_public_base_url_does_not_break_the_signature(make_app):
    client = make_app(public_base_url=as_twilio.URL + "/").test_client()
    assert as_twilio.post(client, as_twilio.params("hello")).status_code == 200


def test_behind_a_proxy_the_forwarded_scheme_and_host_make_the_signed_url(make_app):
    client = make_app(public_base_url="", proxy_hops=1).test_client()
    params = as_twilio.params("my boss took my passport")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.example.org"}
    response = as_twilio.post(client, params, url="https://bot.example.org/sms", headers=forwarded)
    assert response.status_code == 200
    assert as_twilio.messages(response) == [app_library.REPLIES["labor/en"]]
    # Without the proxy's headers the request is http://localhost/sms, which Twilio did not sign.
    assert as_twilio.post(client, params, url="https://bot.example.org/sms").status_code == 403


def test_without_proxy_hops_forwarded_headers_are_not_trusted(make_app):
    client = make_app(public_base_url="", proxy_hops=0).test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.example.org"}
    response = as_twilio.post(
        client, as_twilio.params("hello"), url="https://bot.example.org/sms", headers=forwarded
    )
    assert response.status_code == 403


def test_get_on_sms_is_405_so_sender_data_never_travels_in_a_url(app, client):
    response = client.get("/sms?From=%2B15551234567&Body=hello")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert _today_counts(app) == {}


def _sms_environ(
    data: object, *, content_type: str = "application/x-www-form-urlencoded", signature: str = ""
) -> dict:
    """The WSGI environ of a POST to /sms, for tests that then change what a client cannot."""
    from werkzeug.test import EnvironBuilder

    headers = {"X-Twilio-Signature": signature} if signature else {}
    return EnvironBuilder(
        path="/sms", method="POST", data=data, content_type=content_type, headers=headers
    ).get_environ()


def test_a_body_sent_without_a_content_length_is_read_and_answered(app):
    from urllib.parse import urlencode

    from werkzeug.wrappers import Response

    params = as_twilio.params("my boss took my passport")
    environ = _sms_environ(
        urlencode(params), signature=as_twilio.sign(as_twilio.URL + "/sms", params)
    )
    # Chunked, as gunicorn passes such a body on: no length, a stream that ends by itself.
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    response = Response.from_app(app, environ)
    assert response.status_code == 200
    assert as_twilio.messages(response) == [app_library.REPLIES["labor/en"]]


@pytest.mark.parametrize("length", ["\u00b2", "-1", "1e3", " 12", ""])
def test_an_odd_content_length_gets_a_clear_refusal_not_the_fallback_reply(app, length):
    from werkzeug.wrappers import Response

    environ = _sms_environ("Body=help")
    environ["CONTENT_LENGTH"] = length
    response = Response.from_app(app, environ)
    assert 400 <= response.status_code < 500


def test_a_body_over_the_size_limit_gets_413_before_its_signature_is_checked(app, client):
    params = as_twilio.params("x" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    response = as_twilio.post(client, params)
    assert response.status_code == 413
    assert _today_counts(app) == {}


def _no_signature_work(monkeypatch) -> None:
    def must_not_run(*_args, **_kwargs):
        raise AssertionError("computed a signature over a form with too many fields")

    monkeypatch.setattr("twilio.request_validator.RequestValidator.compute_signature", must_not_run)


def _many_fields(count: int, body: str = "my boss took my passport") -> dict[str, str]:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    # Three-letter lowercase names: 40,000 fields stay under the 256 KB body limit, as in the attack.
    names = (digits[i // 1296] + digits[i // 36 % 36] + digits[i % 36] for i in range(count))
    return as_twilio.params(body, **{name: "x" for name in names})


def test_a_signed_form_of_40000_fields_gets_413_before_any_signature_work(app, client, monkeypatch):
    params = _many_fields(40_000)
    headers = {"X-Twilio-Signature": as_twilio.sign(as_twilio.URL + "/sms", params)}
    _no_signature_work(monkeypatch)
    response = client.post("/sms", data=params, headers=headers)
    assert response.status_code == 413
    assert b"form fields" in response.data
    assert _today_counts(app) == {}


def test_a_signed_form_of_twilios_size_with_media_fields_is_still_answered(client):
    params = _many_fields(60)  # more than Twilio sends with ten attachments
    assert as_twilio.messages(as_twilio.post(client, params)) == [app_library.REPLIES["labor/en"]]


def test_a_form_one_field_over_the_cap_is_refused_and_one_under_is_answered(client):
    from bot.channels.endpoint import MAX_FORM_FIELDS

    base = len(as_twilio.params("x"))
    under = _many_fields(MAX_FORM_FIELDS - base)
    assert as_twilio.post(client, under).status_code == 200
    over = _many_fields(MAX_FORM_FIELDS - base + 1)
    assert as_twilio.post(client, over).status_code == 413


@pytest.mark.parametrize("shape", ["multipart", "chunked"])
def test_a_form_with_too_many_fields_in_another_shape_is_refused_too(app, shape, monkeypatch):
    from urllib.parse import urlencode

    from werkzeug.wrappers import Response

    params = _many_fields(500)  # under werkzeug's own multipart cap of 1,000 parts
    signature = as_twilio.sign(as_twilio.URL + "/sms", params)
    _no_signature_work(monkeypatch)
    if shape == "multipart":
        environ = _sms_environ(params, content_type="multipart/form-data", signature=signature)
        assert environ["CONTENT_TYPE"].startswith("multipart/form-data")
    else:
        environ = _sms_environ(urlencode(params), signature=signature)
        del environ["CONTENT_LENGTH"]
        environ["wsgi.input_terminated"] = True
    response = Response.from_app(app, environ)
    assert response.status_code == 413


def test_a_request_without_a_signature_is_refused_before_its_body_is_read(app):
    from werkzeug.wrappers import Response

    class Unreadable:
        def read(self, *_args):
            raise AssertionError("read the body of an unsigned request")

        readline = read

    environ = _sms_environ("Body=help")
    environ["wsgi.input"] = Unreadable()
    response = Response.from_app(app, environ)
    assert response.status_code == 403


@pytest.mark.parametrize("text", ["STOP", "stop", "  Unsubscribe. ", "CANCEL"])
def test_an_opt_out_gets_an_empty_response(client, text):
    response = as_twilio.post(client, as_twilio.params(text))
    assert response.status_code == 200
    assert response.data == EMPTY_TWIML
    assert as_twilio.messages(response) == []


def test_an_mms_without_text_gets_the_menu(client):
    params = as_twilio.params(
        "",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM0/Media/ME0",
        MediaContentType0="image/jpeg",
    )
    response = as_twilio.post(client, params)
    assert response.status_code == 200
    assert as_twilio.messages(response) == [_menu()]


def test_a_message_with_no_body_field_at_all_gets_the_menu(client):
    params = as_twilio.params("")
    del params["Body"]
    assert as_twilio.messages(as_twilio.post(client, params)) == [_menu()]


def test_a_body_over_1600_characters_still_gets_a_reply(client):
    text = "my boss took my passport " + "and more " * 200
    assert len(text) > 1600
    response = as_twilio.post(client, as_twilio.params(text))
    assert response.status_code == 200
    assert as_twilio.messages(response) == [app_library.REPLIES["labor/en"]]


def test_a_huge_body_gets_a_reply_too(client):
    response = as_twilio.post(client, as_twilio.params("x" * 20_000))
    assert response.status_code == 200
    assert len(as_twilio.messages(response)) == 1


def test_a_whatsapp_sender_gets_the_same_reply_as_an_sms_sender(client):
    sms = as_twilio.post(client, as_twilio.params("no me pagan"))
    whatsapp = as_twilio.post(
        client,
        as_twilio.params("no me pagan", sender="whatsapp:+15005550006", To="whatsapp:+15005550001"),
    )
    assert whatsapp.status_code == 200
    assert whatsapp.data == sms.data
    assert as_twilio.messages(whatsapp) == [app_library.REPLIES["labor/es"]]


@pytest.mark.parametrize(
    "broken_part",
    ["bot.channels.sms.match", "bot.live.Snapshot.reply"],
    ids=["while-matching", "while-picking-the-reply"],
)
def test_a_failure_while_answering_still_answers_200_with_the_hotline(
    app, client, monkeypatch, broken_part
):
    def broken(*_args):
        raise RuntimeError(f"{broken_part} exploded")

    monkeypatch.setattr(broken_part, broken)
    response = as_twilio.post(client, as_twilio.params("my boss took my passport"))
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert as_twilio.messages(response) == [FALLBACK_REPLY]
    assert _today_counts(app) == {}


def test_a_library_that_cannot_be_loaded_at_all_still_answers_with_the_hotline(
    make_app, monkeypatch
):
    app = make_app()

    def no_library():
        raise RuntimeError("no library anywhere")

    monkeypatch.setattr(runtime(app).live, "start", no_library)
    client = app.test_client()
    response = as_twilio.post(client, as_twilio.params("hello"))
    assert response.status_code == 200
    assert as_twilio.messages(response) == [FALLBACK_REPLY]
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["status"] == "down"


def test_sms_is_answered_before_flask_so_flask_hooks_never_touch_it(app, client):
    seen: list[str] = []

    @app.after_request
    def record(response):
        seen.append(response.mimetype)
        return response

    assert as_twilio.messages(as_twilio.post(client, as_twilio.params("hello"))) == [_menu()]
    assert client.get("/healthz").status_code == 200
    assert seen == ["application/json"]


def test_the_fallback_reply_is_one_gsm7_segment_with_only_verified_numbers():
    from pathlib import Path

    from bot.core.numbers import find_numbers, load_registry_file
    from bot.core.sms import encode_info

    info = encode_info(FALLBACK_REPLY)
    assert (info.encoding, info.segments) == ("GSM-7", 1)
    registry = load_registry_file(Path(__file__).resolve().parent.parent / "numbers.yaml")
    found = find_numbers(FALLBACK_REPLY)
    assert {n.digits for n in found} == {"8883737888", "233733", "911"}
    assert all(registry.lookup(n.text) is not None for n in found)


def test_without_a_token_sms_is_refused_with_a_clear_403(make_app):
    client = make_app(twilio_auth_token="").test_client()
    response = client.post("/sms", data=as_twilio.params("hello"))
    assert response.status_code == 403
    assert b"TWILIO_AUTH_TOKEN" in response.data
    # Even a request signed with some token is refused: there is nothing to check it against.
    assert as_twilio.post(client, as_twilio.params("hello")).status_code == 403


def test_dev_insecure_without_a_token_serves_unsigned_requests_and_says_so(make_app, caplog):
    import click

    # Said by the server that loads the app (here `flask run`); gunicorn says it in its master.
    with caplog.at_level("WARNING"), click.Context(click.Command("run")):
        app = make_app(twilio_auth_token="", dev_insecure=True)
    assert any("DEV_INSECURE" in r.getMessage() for r in caplog.records)
    response = app.test_client().post("/sms", data=as_twilio.params("my boss took my passport"))
    assert response.status_code == 200
    assert as_twilio.messages(response) == [app_library.REPLIES["labor/en"]]


def test_dev_insecure_does_not_switch_off_a_configured_token(make_app):
    client = make_app(dev_insecure=True).test_client()
    assert client.post("/sms", data=as_twilio.params("hello")).status_code == 403


def test_replies_are_counted_per_day_topic_and_language_off_the_request_path(app, client):
    for text in ("my boss took my passport", "no me pagan", "hello", "STOP"):
        as_twilio.post(client, as_twilio.params(text))
    assert runtime(app).store.counts(datetime.now(UTC).date()) == []  # not written by requests
    assert _today_counts(app) == {
        ("labor", "en"): 1,
        ("labor", "es"): 1,
        ("menu", "en"): 1,
        ("stop", "en"): 1,
    }


def test_with_daily_counts_off_nothing_is_counted(make_app):
    app = make_app(daily_counts=False)
    as_twilio.post(app.test_client(), as_twilio.params("my boss took my passport"))
    assert runtime(app).live.counts.pending() == {}
    assert _today_counts(app) == {}


def test_a_flush_writes_every_pending_count_at_once_and_drops_only_uncountable_keys(app):
    live = runtime(app).live
    today = datetime.now(UTC).date()
    live.counts.add(today, "labor", "en")
    live.counts.add(today, "labor", "en")
    live.counts.add(today, "shelter", "es")
    live.counts.add(today, "Not A Topic!", "en")
    assert live.flush_counts() == 3
    assert live.counts.pending() == {}
    assert _today_counts(app) == {("labor", "en"): 2, ("shelter", "es"): 1}


def test_a_counts_database_failure_never_touches_the_reply(app, client, monkeypatch):
    from bot.store import StoreUnavailable

    def down(*_args, **_kwargs):
        raise StoreUnavailable("database is down")

    monkeypatch.setattr(runtime(app).store, "add_counts", down)
    response = as_twilio.post(client, as_twilio.params("my boss took my passport"))
    assert as_twilio.messages(response) == [app_library.REPLIES["labor/en"]]
    assert runtime(app).live.flush_counts() == 0
    assert sum(runtime(app).live.counts.pending().values()) == 1  # kept for the next flush
    monkeypatch.undo()
    assert _today_counts(app) == {("labor", "en"): 1}


def test_a_sender_the_limiter_refuses_gets_silence_counted_without_topic_or_language(app, client):
    limiter = runtime(app).limiter = RecordingLimiter(allowed=False)
    response = as_twilio.post(
        client, as_twilio.params("my boss took my passport", sender="+15005550009")
    )
    as_twilio.post(client, as_twilio.params("no me pagan", sender="+15005550009"))
    assert response.status_code == 200
    assert as_twilio.messages(response) == []
    assert limiter.calls == [("+15005550009", "labor"), ("+15005550009", "labor")]
    assert _today_counts(app) == {("(silenced)", "-"): 2}


def test_silenced_texts_are_not_counted_when_daily_counts_are_off(make_app):
    app = make_app(daily_counts=False)
    runtime(app).live.start()
    runtime(app).limiter = RecordingLimiter(allowed=False)
    as_twilio.post(app.test_client(), as_twilio.params("my boss took my passport"))
    assert _today_counts(app) == {}


def test_a_sender_the_limiter_allows_gets_the_reply(app, client):
    runtime(app).limiter = RecordingLimiter(allowed=True)
    response = as_twilio.post(client, as_twilio.params("my boss took my passport"))
    assert as_twilio.messages(response) == [app_library.REPLIES["labor/en"]]


def test_unsigned_requests_never_reach_the_limiter(app, client):
    limiter = runtime(app).limiter = RecordingLimiter(allowed=True)
    client.post("/sms", data=as_twilio.params("hello"))
    assert limiter.calls == []


def test_healthz_reports_ok_with_the_live_revision_and_digest(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    live = runtime(app).live.snapshot
    assert response.json == {"status": "ok", "revision": live.revision_id, "digest": live.digest}
    assert isinstance(live.revision_id, int)
    assert len(live.digest) == 64


def test_the_werkzeug_server_sends_no_version_in_its_server_header(app):
    import http.client

    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        server_header = response.getheader("Server") or ""
        conn.close()
    finally:
        server.shutdown()
    assert response.status == 200
    assert not any(ch.isdigit() for ch in server_header), server_header
    assert "python" not in server_header.lower()


def test_the_real_limiter_quiets_a_sender_after_the_limit_but_lets_an_emergency_through(make_app):
    app = make_app(rate_limit="2 per 10 minutes")
    client = app.test_client()
    sender = "+15005550123"
    replies = [
        as_twilio.messages(as_twilio.post(client, as_twilio.params("hello", sender=sender)))
        for _ in range(3)
    ]
    assert replies == [[_menu()], [_menu()], []]
    emergency = as_twilio.post(client, as_twilio.params("help me now", sender=sender))
    assert as_twilio.messages(emergency) == [app_library.REPLIES["emergency/en"]]
    other = as_twilio.post(client, as_twilio.params("hello", sender="+15005550124"))
    assert as_twilio.messages(other) == [_menu()]


def test_a_signature_over_the_url_with_its_default_port_is_accepted(client):
    # Twilio has signed https URLs both with and without ":443"; both must pass.
    params = as_twilio.params("my boss took my passport")
    with_port = as_twilio.URL.replace("https://", "").split("/")[0]
    url = f"https://{with_port}:443/sms"
    response = client.post(
        "/sms", data=params, headers={"X-Twilio-Signature": as_twilio.sign(url, params)}
    )
    assert response.status_code == 200
    assert as_twilio.messages(response) == [app_library.REPLIES["labor/en"]]


def test_repeated_form_fields_are_all_signed(client):
    params = MultiDict([*as_twilio.params("hello").items(), ("MediaUrl0", "b"), ("MediaUrl0", "a")])
    signature = as_twilio.sign(as_twilio.URL + "/sms", params)
    response = client.post("/sms", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    dropped = MultiDict([p for p in params.items(multi=True) if p != ("MediaUrl0", "a")])
    response = client.post("/sms", data=dropped, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_a_form_twilio_never_sends_is_refused_not_answered(client, monkeypatch):
    def unsignable(*_args, **_kwargs):
        raise TypeError("'<' not supported between instances of 'NoneType' and 'str'")

    params = as_twilio.params("hello")
    signature = as_twilio.sign(as_twilio.URL + "/sms", params)
    monkeypatch.setattr("twilio.request_validator.RequestValidator.compute_signature", unsignable)
    response = client.post("/sms", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
