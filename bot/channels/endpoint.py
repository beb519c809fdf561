"""The Twilio transport: every Twilio webhook path (POST /sms, and /voice and its steps) is parsed,
size-capped and signature-checked here, then handed to its channel's handler.

TwilioEndpoint is plain WSGI in front of the Flask app rather than a Flask view: /sms is the one
hot path, and Flask's request context, routing, hooks and response object cost about as much CPU
as the whole answer (matching included), which halved the throughput against a bare Flask app
(bench/throughput.py). So Flask's before/after_request hooks and error handlers never see a
Twilio path; everything else (/healthz, the console) is ordinary Flask.

A channel is a Channel(handle, fallback) in the path table that bot.channels.init_app builds:
handle(form) returns (status, body, content type) for a form whose size and signature passed;
fallback is sent when the handler raises. The transport answers 405 to anything but POST, 413
past MAX_CONTENT_LENGTH and 403 without a good X-Twilio-Signature (or without a token, unless
DEV_INSECURE).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import ParseResult, unquote, urlparse

import click
from flask import Flask
from twilio.request_validator import RequestValidator
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request
from werkzeug.wsgi import get_current_url

from bot.runtime import BotRuntime, runtime

log = logging.getLogger(__name__)

#: Largest request body accepted: far above any real Twilio webhook, and room for a signed body of
#: 10,000 four-byte characters, percent-encoded.
MAX_CONTENT_LENGTH = 256 * 1024
#: Most form fields accepted: Twilio sends about 20 (some 40 with ten media attachments). A form of
#: 40,000 fields cost 60 ms to parse and 0.4-0.65 s to refuse for a wrong signature, so it is refused
#: (413) before either.
MAX_FORM_FIELDS = 100
FORM_URLENCODED = "application/x-www-form-urlencoded"
#: The error handler werkzeug registers for escapes that do not decode: it keeps them as escapes.
_UNDECODABLE = "werkzeug.url_quote"
XML = "application/xml; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"
NO_TOKEN_MESSAGE = (
    "This bot has no TWILIO_AUTH_TOKEN configured, so it cannot check that requests come from "
    "Twilio and refuses them. Set TWILIO_AUTH_TOKEN (or DEV_INSECURE=true for local tests only).\n"
)
BAD_SIGNATURE_MESSAGE = "Forbidden: bad or missing X-Twilio-Signature.\n"
#: The WSGI environ keys of X-Twilio-Signature and X-Twilio-Webhooks-Signature-Settings.
SIGNATURE_KEY = "HTTP_X_TWILIO_SIGNATURE"
SIGNATURE_SETTINGS_KEY = "HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS"
#: The algorithms X-Twilio-Webhooks-Signature-Settings may name; without it, HMAC_SHA1.
HMAC_SHA1 = "HMAC_SHA1"
HMAC_SHA256 = "HMAC_SHA256"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
#: What a channel answers: an HTTP status line, the body and its content type.
Answer = tuple[str, bytes, str]


class Form(dict[str, list[str]]):
    """A posted form: each field name with its values in order, readable by twilio's validator."""

    def getall(self, name: str) -> list[str]:
        """Every value of a field (the accessor twilio's validator looks for)."""
        return self[name]

    def first(self, name: str) -> str:
        """The first value of a field, or "" if the form has none."""
        values = self.get(name)
        return values[0] if values else ""


def form_from_pairs(pairs: Iterable[tuple[str, str]]) -> Form:
    """A Form from (name, value) pairs, repeated names kept in order."""
    form = Form()
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form


def parse_urlencoded(text: str) -> Form:
    """A url-encoded form, parsed as werkzeug parses it (urllib's parse_qsl, blank values kept).

    Written out because parse_qsl unquotes and type-checks every name and value, and a Twilio form
    has some twenty fields of which one or two hold an escape: this takes a third less time.
    A property test in tests/test_properties.py holds the two equal for any bytes.
    """
    form = Form()
    for field in text.split("&"):
        if not field:
            continue
        name, _, value = field.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = unquote(name, errors=_UNDECODABLE)
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value, errors=_UNDECODABLE)
        form.setdefault(name, []).append(value)
    return form


class TooManyFields(RequestEntityTooLarge):
    """A form with more fields than any Twilio webhook has (413)."""

    description = f"More than {MAX_FORM_FIELDS} form fields."


def read_form(environ: dict[str, Any], max_length: int) -> Form:
    """The POSTed form; raises RequestEntityTooLarge past max_length bytes or MAX_FORM_FIELDS.

    Twilio always posts a url-encoded body with a Content-Length: that is parsed here the way
    werkzeug parses it, without its stream wrappers. Anything else (multipart, chunked, other types)
    goes through werkzeug's general form parser, so every shape gets the same form as before.
    """
    mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    length = environ.get("CONTENT_LENGTH", "")
    if mimetype == FORM_URLENCODED and length.isascii() and length.isdigit():
        size = int(length)
        if size > max_length:
            raise RequestEntityTooLarge()
        body = environ["wsgi.input"].read(size)
        # Counted on the bytes, before any parsing: a separator more than fields is harmless.
        if body.count(b"&") >= MAX_FORM_FIELDS:
            raise TooManyFields()
        try:
            text = body.decode()
        except UnicodeDecodeError:
            return Form()  # what werkzeug makes of a form that is not UTF-8: no fields
        return parse_urlencoded(text)
    request = Request(environ)
    request.max_content_length = max_length
    request.max_form_parts = MAX_FORM_FIELDS  # multipart: werkzeug stops parsing past it
    pairs = list(request.form.items(multi=True))
    if len(pairs) > MAX_FORM_FIELDS:  # url-encoded without a length: parsed whole, then refused
        raise TooManyFields()
    return form_from_pairs(pairs)


# Written here rather than imported: twilio's request_validator has these as module-level helpers
# (add_port, remove_port, get_signature_algorithm) outside its documented API, which an upgrade
# may change or drop. Its documented RequestValidator.validate() does the same check but always
# computes two signatures; signature_ok tries the URL as configured first, so a request signed
# as configured costs one. compute_signature is RequestValidator's documented method.


def signature_algorithm(settings_header: str | None) -> str:
    """The algorithm X-Twilio-Webhooks-Signature-Settings names ("key=...,algorithm=..."); a
    missing or empty header, or one without algorithm=, means the Auth Token's HMAC_SHA1."""
    for part in (settings_header or "").split(","):
        name, separator, value = part.partition("=")
        if separator and name.strip() == "algorithm" and value.strip():
            return value.strip()
    return HMAC_SHA1


def without_port(url: ParseResult) -> str:
    """The URL without its port (as it is when it has none)."""
    if not url.port:
        return url.geturl()
    return url._replace(netloc=url.netloc.rsplit(":", 1)[0]).geturl()


def with_port(url: ParseResult) -> str:
    """The URL with its scheme's default port written out (as it is when it has one)."""
    if url.port:
        return url.geturl()
    port = 443 if url.scheme == "https" else 80
    return url._replace(netloc=f"{url.netloc}:{port}").geturl()


def signature_ok(
    validator: RequestValidator, environ: dict[str, Any], url: str, form: Form
) -> bool:
    """Whether X-Twilio-Signature signs this URL and form."""
    signature = environ.get(SIGNATURE_KEY, "")
    if not signature:
        return False
    algorithm = signature_algorithm(environ.get(SIGNATURE_SETTINGS_KEY))
    if algorithm.upper() not in (HMAC_SHA1, HMAC_SHA256):
        return False
    given = signature.encode("utf-8", "replace")

    def signs(candidate: str) -> bool:
        computed = validator.compute_signature(candidate, form, algorithm).encode()
        return hmac.compare_digest(computed, given)

    try:
        if signs(url):
            return True
        # Twilio has signed the URL with and without its default port, as its validate() allows;
        # those forms are only worked out when the URL as configured does not match.
        parsed = urlparse(url)
        return signs(without_port(parsed)) or signs(with_port(parsed))
    except (TypeError, ValueError):
        return False  # a form no Twilio request has (odd multipart parts): not signed by Twilio


@dataclass(frozen=True)
class Channel:
    """One Twilio webhook behind the endpoint: its handler, and the answer sent when it fails."""

    #: the answer to a POST whose size and signature the endpoint has checked
    handle: Callable[[Form], Answer]
    #: sent when handle raises, so that Twilio never sees a 5xx
    fallback: Answer


class TwilioEndpoint:
    """The WSGI endpoint of every Twilio path, in front of the Flask app, which gets the rest."""

    def __init__(
        self,
        rt: BotRuntime,
        flask_app: WSGIApp,
        config: Mapping[str, Any],
        channels: Mapping[str, Channel],
    ) -> None:
        self.rt = rt
        self.flask_app = flask_app
        self.config = config
        #: the path table: PATH_INFO -> the channel that answers it
        self.channels = dict(channels)
        base = rt.settings.public_base_url.strip().rstrip("/")
        self.public_base_url = base or None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer a Twilio path here; hand any other path to Flask."""
        channel = self.channels.get(environ.get("PATH_INFO", ""))
        if channel is None:
            return self.flask_app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            return MethodNotAllowed(valid_methods=["POST"])(environ, start_response)
        try:
            status, body, content_type = self.answer(environ, channel)
        except Exception as exc:
            if isinstance(exc, HTTPException) and (exc.code or 500) < 500:
                return exc(environ, start_response)  # a clear 4xx, e.g. 413 for an oversized body
            # The type only: the message of an error raised while matching could quote the body.
            log.error("answered with the fallback reply after %s", type(exc).__name__)
            status, body, content_type = channel.fallback
        return _respond(start_response, status, body, content_type)

    def signed_url(self, environ: dict[str, Any]) -> str:
        """The URL Twilio signed: PUBLIC_BASE_URL + path when set, else the (proxy-fixed) URL."""
        if self.public_base_url is None:
            return get_current_url(environ)
        path = environ.get("SCRIPT_NAME", "").rstrip("/") + environ.get("PATH_INFO", "")
        url = self.public_base_url + path
        query = environ.get("QUERY_STRING", "")
        return f"{url}?{query}" if query else url

    def answer(self, environ: dict[str, Any], channel: Channel) -> Answer:
        """Status, body and content type of the answer to one POST to a channel's path."""
        rt = self.rt
        settings = rt.settings
        if settings.twilio_auth_token and not environ.get(SIGNATURE_KEY):
            # Refused before the body is read: a request without a signature is not Twilio's.
            return "403 FORBIDDEN", BAD_SIGNATURE_MESSAGE.encode(), _TEXT
        form = read_form(environ, self.config["MAX_CONTENT_LENGTH"])
        if settings.twilio_auth_token:
            if not signature_ok(rt.validator, environ, self.signed_url(environ), form):
                return "403 FORBIDDEN", BAD_SIGNATURE_MESSAGE.encode(), _TEXT
        elif not settings.dev_insecure:
            return "403 FORBIDDEN", NO_TOKEN_MESSAGE.encode(), _TEXT  # a refusal, never a 5xx
        return channel.handle(form)


def _respond(
    start_response: StartResponse, status: str, body: bytes, content_type: str
) -> Iterator[bytes]:
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ]
    start_response(status, headers)
    return iter((body,))


def _server_name(_handler: object) -> str:
    """The Server header of werkzeug's development server, without its or Python's version."""
    return "werkzeug"


def init_app(app: Flask, channels: Mapping[str, Channel]) -> None:
    """Put the Twilio endpoint with this path table in front of the app, behind the proxy fix."""
    rt = runtime(app)
    settings = rt.settings
    # The development server (flask run) writes "Werkzeug/x.y Python/x.y" in every Server header
    # and offers no setting for it; gunicorn (gunicorn.conf.py) sends no version.
    WSGIRequestHandler.version_string = _server_name  # type: ignore[method-assign]
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.wsgi_app = TwilioEndpoint(  # type: ignore[method-assign]
        rt, app.wsgi_app, app.config, channels
    )
    # Outside the endpoint, so that the Twilio paths see the forwarded scheme and host as well.
    if not settings.public_base_url and settings.proxy_hops > 0:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    # Only a server says it: `flask try`, `check`, `history` and the like never answer /sms.
    # gunicorn says it once, in its master (gunicorn.conf.py), not once per worker.
    if _loaded_by_flask_run():
        for warning in settings.start_warnings():
            log.warning(warning)


def _loaded_by_flask_run() -> bool:
    """Whether `flask run` (the development server) is loading this app."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.command.name == "run"
