"""The Twilio webhook (POST /sms, for SMS and WhatsApp) and the load balancers' /healthz."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlparse

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    add_port,
    get_signature_algorithm,
    remove_port,
)
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import WSGIRequestHandler

from bot import runtime
from bot.core.matcher import MENU_TOPIC, STOP_TOPIC, match
from bot.live import EMPTY_TWIML, FALLBACK_TWIML

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)

#: Twilio never sends a longer Body; only this much of one is matched.
MAX_BODY_CHARS = 1600
#: Largest request body accepted: far above any real Twilio webhook, and room for a signed body of
#: 10,000 four-byte characters, percent-encoded.
MAX_CONTENT_LENGTH = 256 * 1024
XML = "application/xml"
NO_TOKEN_MESSAGE = (
    "This bot has no TWILIO_AUTH_TOKEN configured, so it cannot check that requests come from "
    "Twilio and refuses them. Set TWILIO_AUTH_TOKEN (or DEV_INSECURE=true for local tests only).\n"
)


class SenderLimiter(Protocol):
    """What runtime(app).limiter must offer (bot.ratelimit): may this sender get this reply now?"""

    def allow(self, sender: str, topic: str) -> bool:
        """False when the sender has had enough replies for now; the bot then sends nothing."""
        ...


def _twiml(body: bytes) -> Response:
    response = Response(body, status=200, mimetype=XML)
    response.headers["Cache-Control"] = "no-store"
    return response


def _signature_url() -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + path when set, else the (proxy-fixed) request URL."""
    base = runtime(current_app).settings.public_base_url.strip().rstrip("/")
    if not base:
        return request.url
    url = base + request.script_root + request.path
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


class _FormValues:
    """The form as twilio's validator reads it (getall), without a failed getall per field."""

    def __init__(self, form: MultiDict[str, str]) -> None:
        self._form = form

    def __iter__(self) -> Iterator[str]:
        return iter(self._form)

    def getall(self, name: str) -> list[str]:
        return self._form.getlist(name)


def _signature_ok(validator: RequestValidator) -> bool:
    """Whether X-Twilio-Signature signs this request's public URL and form."""
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return False
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    if algorithm.upper() not in (HMAC_SHA1, HMAC_SHA256):
        return False
    url, form = _signature_url(), _FormValues(request.form)
    try:
        given = signature.encode("utf-8", "replace")
        parsed = urlparse(url)
        # The URL as configured first, then with and without its default port (Twilio has signed
        # both, as its validate() allows), each HMAC compared in constant time.
        return any(
            hmac.compare_digest(validator.compute_signature(u, form, algorithm).encode(), given)
            for u in (url, remove_port(parsed), add_port(parsed))
        )
    except (TypeError, ValueError):
        return False  # a form no Twilio request has (odd multipart parts): not signed by Twilio


@bp.post("/sms")
def sms() -> Response:
    """Answer one incoming SMS or WhatsApp message with the TwiML reply of its topic."""
    rt = runtime(current_app)
    settings = rt.settings
    if settings.twilio_auth_token:
        if not _signature_ok(rt.validator):
            return Response(
                "Forbidden: bad or missing X-Twilio-Signature.\n", 403, mimetype="text/plain"
            )
    elif not settings.dev_insecure:
        return Response(NO_TOKEN_MESSAGE, 403, mimetype="text/plain")  # a refusal, never a 5xx

    live = rt.live
    assert live is not None
    snapshot = live.snapshot
    text = request.form.get("Body", "")[:MAX_BODY_CHARS]
    if text.strip():
        found = match(text, snapshot.library)
        topic, lang = found.topic, found.lang
    else:
        # No text (a picture only, or an empty message): show the menu.
        topic, lang = MENU_TOPIC, snapshot.library.default_language
    if topic == STOP_TOPIC:
        body = EMPTY_TWIML
    else:
        limiter: SenderLimiter | None = rt.limiter
        # A sender over the limit gets silence, and nothing is counted.
        if limiter is not None and not limiter.allow(request.form.get("From", ""), topic):
            return _twiml(EMPTY_TWIML)
        body = snapshot.reply(topic, lang)
    if settings.daily_counts:
        live.counts.add(datetime.now(UTC).date(), topic, lang)
    return _twiml(body)


def _sms_error(exc: Exception) -> Response:
    """Anything that fails while answering still gets the hotline, as a 200 Twilio will deliver."""
    if isinstance(exc, HTTPException) and (exc.code or 500) < 500:
        return exc  # type: ignore[return-value] - a clear 4xx, e.g. 413 for an oversized body
    if request.endpoint != "webhook.sms":
        return InternalServerError()  # type: ignore[return-value]
    # The type only: the message of an error raised while matching could quote the body.
    log.error("answered with the fallback reply after %s", type(exc).__name__)
    return _twiml(FALLBACK_TWIML)


bp.register_error_handler(Exception, _sms_error)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Status for load balancers: ok, or degraded with a one-word reason; the revision served."""
    live = runtime(current_app).live
    assert live is not None
    try:
        snapshot = live.snapshot
    except Exception:
        return jsonify(status="down", reason="no_library", revision=None, digest=None), 503
    health = live.current_health()
    body = {"status": health.status, "revision": snapshot.revision_id, "digest": snapshot.digest}
    if health.reason:
        body["reason"] = health.reason
    return jsonify(body), 200


def _start_background() -> None:
    """Each worker process starts its reload thread on its first request (so after any fork)."""
    live = runtime(current_app).live
    if live is not None:
        live.ensure_running()


def _server_name(_handler: object) -> str:
    """The Server header of werkzeug's development server, without its or Python's version."""
    return "werkzeug"


def init_app(app: Flask) -> None:
    """Register the routes, the proxy handling and the per-request hooks."""
    settings = runtime(app).settings
    if settings.twilio_auth_token:
        runtime(app).validator = RequestValidator(settings.twilio_auth_token)
    app.register_blueprint(bp)
    app.before_request(_start_background)
    # The development server (flask run) writes "Werkzeug/x.y Python/x.y" in every Server header
    # and offers no setting for it; gunicorn (gunicorn.conf.py) sends no version.
    WSGIRequestHandler.version_string = _server_name  # type: ignore[method-assign]
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    if not settings.public_base_url and settings.proxy_hops > 0:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    if not settings.twilio_auth_token:
        if settings.dev_insecure:
            log.warning(
                "DEV_INSECURE is on and TWILIO_AUTH_TOKEN is empty: /sms answers ANYONE without "
                "checking Twilio's signature. Never run this way where the internet can reach it."
            )
        else:
            log.warning("TWILIO_AUTH_TOKEN is empty: /sms refuses every request (403)")
