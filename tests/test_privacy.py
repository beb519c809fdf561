"""No sender, recipient, body or message id reaches a log, the database, an error report or a file."""

from __future__ import annotations

import http.client
import logging
import os
import re
import secrets
import sys
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.serving import make_server

from bot import runtime
from bot.privacy import (
    _PHONE,
    PHONE_NUMBER,
    REDACTED,
    RequestLineFilter,
    ScrubFilter,
    safe_traceback,
    scrub,
)
from bot.ratelimit import LANGUAGE_NAMESPACE
from tests import app_library, as_twilio
from tests.gunicorn_server import running_gunicorn

# --- The scrubber -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "+15551234567",
        "whatsapp:+15551234567",
        "From=%2B15551234567",
        "15551234567",
        "5551234567",
        "(555) 123-4567",
        "555-123-4567",
        "555.123.4567",
        "+1 555 123 4567",
        "+44 20 7946 0958",
        "SM0123456789abcdef0123456789abcdef",
        "MM0123456789ABCDEF0123456789ABCDEF",
        "AC0123456789abcdef0123456789abcdef",
    ],
)
def test_phone_numbers_and_twilio_sids_are_scrubbed(text):
    scrubbed = scrub(f"got {text} here")
    assert REDACTED in scrubbed
    assert not any(ch.isdigit() for ch in scrubbed.replace("[redacted]", ""))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.from_regex(PHONE_NUMBER, fullmatch=True),
            st.text(alphabet="()+%2Bb -.x1", max_size=4),
        ),
        max_size=4,
    ).map("".join)
)
def test_the_phone_pattern_finds_what_its_forms_alone_find(text):
    # The scrubber's pattern puts a lookahead in front of the phone number forms for speed; it
    # must redact exactly what the forms alone would.
    assert _PHONE.sub(REDACTED, text) == re.compile(PHONE_NUMBER).sub(REDACTED, text)


def test_query_strings_in_urls_are_scrubbed():
    assert scrub("POST /sms?From=abc&Body=hi there") == f"POST /sms?{REDACTED} there"


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-25 18:11:00,123 INFO bot.live: serving library revision 12 (digest 3fa2b9c01d4e)",
        "25/Nov/2026:18:18:50 +0000",
        "answered in 0.004512 s",
        "POST /sms 200",
    ],
)
def test_ordinary_log_text_is_left_alone(text):
    assert scrub(text) == text


def _raise_with(message: str) -> tuple:
    try:
        try:
            raise KeyError(message)
        except KeyError as inner:
            raise ValueError(f"while matching {message}") from inner
    except ValueError:
        return sys.exc_info()


def test_a_safe_traceback_has_types_and_frames_but_no_messages():
    text = safe_traceback(_raise_with("my boss took my passport"))
    assert "passport" not in text
    assert "builtins.KeyError (message withheld)" in text
    assert "builtins.ValueError (message withheld)" in text
    assert f'File "{__file__}"' in text
    assert "in _raise_with" in text


def test_the_filter_renders_and_scrubs_arguments_and_exceptions():
    record = logging.LogRecord(
        "bot.test",
        logging.ERROR,
        __file__,
        1,
        "from %s: %s",
        ("+15551234567", "ok"),
        _raise_with("+15557654321 said hi"),
    )
    assert ScrubFilter().filter(record) is True
    assert record.getMessage() == f"from {REDACTED}: ok"
    assert record.exc_info is None
    assert "said hi" not in record.exc_text
    assert "7654321" not in record.exc_text


def test_werkzeug_request_lines_keep_method_path_and_status_only():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '127.0.0.1 - - [25/Nov/2026 18:00:00] "%s" %s %s',
        ("POST /sms?From=%2B15551234567&Body=hi HTTP/1.1", "200", "-"),
        None,
    )
    RequestLineFilter().filter(record)
    assert record.getMessage() == "POST /sms 200"


# --- Logging setup ----------------------------------------------------------------------------


def _our_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "_bot_privacy", False)]


def test_making_apps_again_does_not_pile_up_handlers(make_app, tmp_path):
    make_app(log_file=str(tmp_path / "a.log"))
    make_app(log_file=str(tmp_path / "b.log"))
    handlers = _our_handlers()
    assert len(handlers) == 2  # standard error and the newest log file
    assert any(getattr(h, "baseFilename", "") == str(tmp_path / "b.log") for h in handlers)


def test_flask_adds_no_handler_of_its_own(app):
    from flask.logging import default_handler

    assert default_handler not in app.logger.handlers


def test_an_unhandled_error_report_carries_no_message_and_no_form(make_app, tmp_path):
    log_file = tmp_path / "bot.log"
    app = make_app(log_file=str(log_file), log_level="DEBUG")

    @app.post("/boom")
    def boom():
        from flask import request

        secret = request.form["Body"]
        raise ValueError(f"could not handle {secret}")

    response = app.test_client().post("/boom", data={"Body": "canary-unhandled-body"})
    assert response.status_code == 500
    text = log_file.read_text()
    assert "builtins.ValueError (message withheld)" in text
    assert "in boom" in text
    assert "canary-unhandled-body" not in text


# --- The canary test --------------------------------------------------------------------------


def _canaries() -> dict[str, str]:
    digits = lambda n: "".join(secrets.choice("23456789") for _ in range(n))  # noqa: E731
    return {
        "body": f"my boss took my passport zq{secrets.token_hex(6)}",
        "body2": f"hello canary{secrets.token_hex(6)}",
        "from": f"+1{digits(10)}",
        "whatsapp": f"+1{digits(10)}",
        "to": f"+1{digits(10)}",
        "sid": f"SM{secrets.token_hex(16)}",
        "sid2": f"MM{secrets.token_hex(16)}",
        "sid3": f"SM{secrets.token_hex(16)}",
        "sid4": f"SM{secrets.token_hex(16)}",
        "sid5": f"SM{secrets.token_hex(16)}",
        "sid6": f"SM{secrets.token_hex(16)}",
        "account": f"AC{secrets.token_hex(16)}",
        "call": f"CA{secrets.token_hex(16)}",
        "caller": f"+1{digits(10)}",
    }


def _needles(canaries: dict[str, str]) -> list[bytes]:
    """Every form a canary could take on disk: as sent, without '+', URL-encoded, last 10 digits."""
    out: set[bytes] = set()
    for value in canaries.values():
        for form in {value, value.lstrip("+"), quote(value, safe=""), value[-10:]}:
            out.add(form.encode())
    return sorted(out)


def _files_under(*roots: Path) -> list[Path]:
    found = []
    for root in roots:
        if root.is_dir():
            found += [p for p in root.rglob("*") if p.is_file()]
    return found


def _find(needles: list[bytes], blobs: dict[str, bytes]) -> list[str]:
    return [
        f"{name}: {needle.decode()}"
        for name, blob in blobs.items()
        for needle in needles
        if needle in blob
    ]


def test_canaries_sent_through_the_real_app_are_nowhere_on_disk_or_in_logs(
    make_app, tmp_path, monkeypatch, capfd, caplog
):
    c = _canaries()
    log_file = tmp_path / "logs" / "bot.log"
    log_file.parent.mkdir()
    bundle = app_library.bundle()
    bundle["responses/en/voice.txt"] = "In danger now? Call 911. Press 1 for 1-888-373-7888."
    bundle["responses/es/voice.txt"] = "En peligro? Llame al 911. Oprima 1: 1-888-373-7888."
    library = app_library.write_library(tmp_path / "voice-library", bundle)
    app = make_app(
        log_file=str(log_file), log_level="DEBUG", reload_seconds=0.05, library_dir=str(library)
    )
    caplog.set_level(logging.DEBUG)
    logging.getLogger("werkzeug").setLevel(logging.DEBUG)

    server = make_server("127.0.0.1", 0, app)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def post(
        params: dict[str, str], query: str = "", signed: bool = True, path: str = "/sms"
    ) -> int:
        path += f"?{query}" if query else ""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            headers["X-Twilio-Signature"] = as_twilio.sign(as_twilio.URL + path, params)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", path, body=urlencode(params), headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status

    base = {"From": c["from"], "To": c["to"], "MessageSid": c["sid"], "AccountSid": c["account"]}
    try:
        assert post({**base, "Body": c["body"], "NumMedia": "0"}) == 200
        # Each MessageSid is answered once: a text of its own needs a sid of its own.
        assert post({**base, "Body": c["body2"], "NumMedia": "0", "MessageSid": c["sid3"]}) == 200
        assert post({**base, "Body": c["body"], "NumMedia": "0"}) == 200  # a replay
        # A Spanish menu, then a bare menu number: answered in the language remembered for the
        # sender (bot.ratelimit.LanguageMemory).
        assert post({**base, "Body": "hola", "NumMedia": "0", "MessageSid": c["sid5"]}) == 200
        assert post({**base, "Body": "1", "NumMedia": "0", "MessageSid": c["sid6"]}) == 200
        whatsapp = {**base, "From": f"whatsapp:{c['whatsapp']}", "MessageSid": c["sid2"]}
        assert post({**whatsapp, "Body": c["body"], "NumMedia": "0"}) == 200
        # A query string with sender data, as a misconfigured webhook URL might carry.
        query = urlencode({"From": c["from"], "Body": c["body"], "MessageSid": c["sid"]})
        assert post({**base, "Body": c["body"], "NumMedia": "0"}, query=query) == 200
        # Unsigned, and a GET with everything in the URL.
        assert post({**base, "Body": c["body"]}, query=query, signed=False) == 403
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", f"/sms?{query}")
        assert conn.getresponse().status == 405
        conn.close()

        # An internal failure whose exception message quotes the message and its sender.
        def leaky(text, _library):
            raise ValueError(f"cannot match {text!r} from {c['from']} ({c['sid']})")

        monkeypatch.setattr("bot.channels.sms.match", leaky)
        assert post({**base, "Body": c["body"], "NumMedia": "0", "MessageSid": c["sid4"]}) == 200
        monkeypatch.undo()

        # A whole call, put through and not, then unsigned, GET and a failure quoting the caller.
        call = {
            "From": c["caller"],
            "To": c["to"],
            "CallSid": c["call"],
            "AccountSid": c["account"],
        }
        call["CallStatus"] = "in-progress"
        assert post(call, path="/voice") == 200
        assert post({**call, "Digits": "2"}, path="/voice/language/1") == 200
        assert post({**call, "Digits": "1"}, path="/voice/message/2/1") == 200
        for status in ("completed", "busy"):
            dialed = {**call, "DialCallStatus": status, "DialCallSid": c["sid"]}
            assert post(dialed, path="/voice/dialed/2") == 200
        assert post(call, query=query, path="/voice/language/2") == 200
        assert post(call, path="/voice", signed=False) == 403
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", f"/voice?{urlencode(call)}")
        assert conn.getresponse().status == 405
        conn.close()

        def leaky_call(*args, **_kwargs):
            raise ValueError(f"cannot route call {c['call']} from {c['caller']}: {args}")

        monkeypatch.setattr("bot.channels.voice.decide", leaky_call)
        assert post(call, path="/voice") == 200
        monkeypatch.undo()
    finally:
        server.shutdown()
    runtime(app).live.stop()  # flushes the daily counts
    counted = {(r.topic, r.lang) for r in runtime(app).store.counts(date.min)}
    assert {("calls", "es"), ("connected", "es")} <= counted  # the database did get written to
    runtime(app).store.dispose()

    out, err = capfd.readouterr()
    blobs = {str(p): p.read_bytes() for p in _files_under(tmp_path, Path(app.instance_path))}
    blobs["stdout"], blobs["stderr"] = out.encode(), err.encode()
    blobs["log records"] = caplog.text.encode()
    # The rate limiter's storage, which also keeps the language of the last reply per sender:
    # keyed hashes, counts and language codes only.
    storage = runtime(app).limiter.storage
    kept = {"keys": storage.storage, "expiry": storage.expirations, "events": storage.events}
    blobs["rate-limit storage"] = repr(kept).encode()
    languages = [v for k, v in storage.storage.items() if k.startswith(LANGUAGE_NAMESPACE)]
    assert languages, "no reply language was remembered"
    assert {v.to_bytes(8, "big").lstrip(b"\0") for v in languages} <= {b"en", b"es"}
    assert str(log_file) in blobs and blobs[str(log_file)], "the log file was not written"
    assert b"POST /sms 200" in blobs[str(log_file)]  # werkzeug's request lines were logged
    assert b"POST /voice/dialed/2 200" in blobs[str(log_file)]
    assert b"ValueError" in blobs[str(log_file)]  # and so was the failure, by type
    assert any(p.endswith(".sqlite3") for p in blobs)
    assert _find(_needles(c), blobs) == []


def test_canaries_in_twilios_message_records_reach_no_log_or_file_while_purging(
    make_app, tmp_path, monkeypatch, capfd, caplog
):
    from datetime import timedelta

    from tests.purge.fake_twilio import FakeTwilio

    c = _canaries()
    fake = FakeTwilio(account_sid=c["account"], numbers=[c["to"]], fault_every=4).start()
    old = timedelta(minutes=90)
    fake.add(age=old, user=c["from"], body=c["body"], sid=c["sid"])
    fake.add(age=old, user=c["from"], body=c["body2"], inbound=False)
    fake.add(age=old, user=f"whatsapp:{c['whatsapp']}", bot=f"whatsapp:{c['to']}", sid=c["sid2"])
    not_final = fake.add(age=old, user=c["whatsapp"], body=c["body"], final=False)
    fake.vanish.add(fake.add(age=old, user=c["from"], body=c["body"]))  # answered 404
    log_file = tmp_path / "logs" / "bot.log"
    log_file.parent.mkdir()
    settings = {
        "log_file": str(log_file),
        "log_level": "DEBUG",
        "twilio_account_sid": c["account"],
        "twilio_api_key": fake.api_key,
        "twilio_api_secret": fake.api_secret,
        "twilio_api_base_url": fake.url,
        "purge_every_seconds": 0.05,
    }
    caplog.set_level(logging.DEBUG)
    outputs = []
    try:
        # Wrong credentials first: Twilio's 401 answer names the account in its URL.
        wrong = make_app(**{**settings, "twilio_api_secret": "wrong"})
        outputs.append(wrong.test_cli_runner().invoke(args=["twilio", "purge"]).output)
        # A failure inside the sweep whose message quotes a SID, a number and a body.
        app = make_app(**settings)
        purger = runtime(app).purge
        purger.backoff_base = 0.01

        def leaky(self, sid):
            raise ValueError(f"cannot delete {sid} from {c['from']}: {c['body']}")

        monkeypatch.setattr("bot.purge.twilio_api.TwilioMessages.delete", leaky)
        outputs.append(app.test_cli_runner().invoke(args=["twilio", "purge"]).output)
        monkeypatch.undo()
        purger._api = None
        # The real sweep: the CLI (dry run, then for real) and the background thread.
        runner = app.test_cli_runner()
        outputs.append(runner.invoke(args=["twilio", "purge", "--dry-run"]).output)
        outputs.append(runner.invoke(args=["twilio", "purge", "--json"]).output)
        fake.add(age=old, user=c["from"], body=c["body"])
        app.test_client().get("/healthz")  # starts the sweeper thread
        deadline = time.monotonic() + 20
        while fake.remaining() != {not_final}:
            assert time.monotonic() < deadline, "the sweeper did not delete the records"
            time.sleep(0.02)
        outputs.append(app.test_client().get("/healthz").get_data(as_text=True))
        purger.stop()
    finally:
        fake.stop()
    for made in (wrong, app):
        runtime(made).store.dispose()

    out, err = capfd.readouterr()
    blobs = {str(p): p.read_bytes() for p in _files_under(tmp_path, Path(app.instance_path))}
    blobs["stdout"], blobs["stderr"] = out.encode(), err.encode()
    blobs["log records"] = caplog.text.encode()
    blobs["command output"] = "\n".join(outputs).encode()
    assert blobs[str(log_file)], "the log file was not written"
    assert b"purge sweep" in blobs[str(log_file)]  # the sweeps were logged, with counts
    assert b"ValueError" in blobs[str(log_file)] + blobs["command output"]
    assert b"rejected the credentials" in blobs["command output"]
    assert fake.statuses[429] and fake.statuses[404] and fake.statuses[409]
    assert _find(_needles(c), blobs) == []


# --- gunicorn ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_gunicorn_logs_no_query_string_or_sender_and_sends_no_version(tmp_path, library_dir):
    c = _canaries()
    with running_gunicorn(
        tmp_path, library_dir, workers=2, secret_key="privacy-test-secret-key-0123456789"
    ) as (port, proc):
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                health = conn.getresponse()
                health.read()
                if health.status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, (tmp_path / "gunicorn.out").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        server_header = health.getheader("Server") or ""

        query = urlencode({"From": c["from"], "MessageSid": c["sid"]})
        params = {"From": c["from"], "To": c["to"], "MessageSid": c["sid"], "Body": c["body"]}
        path = f"/sms?{query}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(
            "POST",
            path,
            body=urlencode(params),
            headers={
                "X-Twilio-Signature": as_twilio.sign(as_twilio.URL + path, params),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://example.org/?from={c['from']}",
                "User-Agent": f"TwilioProxy/1.1 {c['sid2']}",
            },
        )
        reply = conn.getresponse()
        body = reply.read()
        conn.request("GET", f"/sms?{query}")
        get = conn.getresponse()
        get.read()
        conn.close()
    assert reply.status == 200
    assert app_library.REPLIES["labor/en"].encode() in body
    assert get.status == 405
    assert server_header and not any(ch.isdigit() for ch in server_header), server_header
    access = (tmp_path / "access.log").read_text()
    assert '"POST /sms" 200' in access
    assert '"GET /sms" 405' in access
    assert "?" not in access
    blobs = {str(p): p.read_bytes() for p in _files_under(tmp_path)}
    assert _find(_needles(c), blobs) == []


def _storage_blob(limiter) -> bytes:
    """Everything a memory:// limiter holds: keys and values, as text."""
    storage, answered = limiter.storage, limiter.answered
    held = (dict(storage.events), dict(storage.storage), dict(storage.expirations))
    return repr((*held, dict(answered._seen), list(answered._order))).encode()


def test_a_replayed_canary_message_sid_is_kept_only_as_a_keyed_hash(make_app):
    c = _canaries()
    app = make_app()
    limiter = runtime(app).limiter
    client = app.test_client()
    form = {**as_twilio.params(c["body"], sender=c["from"]), "MessageSid": c["sid"]}
    assert as_twilio.messages(as_twilio.post(client, form))
    assert as_twilio.messages(as_twilio.post(client, form)) == []  # the replay: silence
    held = _storage_blob(limiter)
    assert limiter.sender_key(c["sid"])[:32].encode() in held  # kept, as its keyed hash
    assert _find(_needles(c), {"rate-limit storage": held}) == []


@pytest.mark.redis
def test_a_replayed_canary_message_sid_reaches_redis_only_as_an_expiring_keyed_hash(
    make_app,
):
    import redis

    from bot.ratelimit import REPLAY_SECONDS

    client_redis = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1)
    try:
        client_redis.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis at 127.0.0.1:6379 is unreachable")
    c = _canaries()
    app = make_app(rate_limit_storage_url="redis://127.0.0.1:6379/0", rate_limit_secret="s" * 32)
    limiter = runtime(app).limiter
    client = app.test_client()
    form = {**as_twilio.params(c["body"], sender=c["from"]), "MessageSid": c["sid"]}
    try:
        assert as_twilio.messages(as_twilio.post(client, form))
        assert as_twilio.messages(as_twilio.post(client, form)) == []
        hashed = limiter.sender_key(c["sid"])
        keys = [k for k in client_redis.scan_iter(match=f"*{hashed}*")]
        assert keys and all(0 < client_redis.ttl(k) <= REPLAY_SECONDS for k in keys)
        blobs = {}
        for key in client_redis.scan_iter(match="*"):
            kind = client_redis.type(key)
            value = {
                b"string": client_redis.get,
                b"list": lambda k: repr(client_redis.lrange(k, 0, -1)).encode(),
                b"zset": lambda k: repr(client_redis.zrange(k, 0, -1)).encode(),
                b"hash": lambda k: repr(client_redis.hgetall(k)).encode(),
            }.get(kind, lambda k: b"")(key)
            blobs[repr(key)] = key + b" " + (value or b"")
        assert _find(_needles(c), blobs) == []
    finally:
        for key in client_redis.scan_iter(match=f"*{limiter.sender_key(c['sid'])}*"):
            client_redis.delete(key)
        for key in client_redis.scan_iter(match=f"*{limiter.sender_key(c['from'])}*"):
            client_redis.delete(key)
        client_redis.close()
