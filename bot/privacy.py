"""Logging that never carries a sender, a recipient, a message body or a message id."""

from __future__ import annotations

import logging
import re
import sys
import traceback
from types import TracebackType

from flask import Flask

from bot.settings import Settings

REDACTED = "[redacted]"
#: Log format of every handler the bot installs; no field of it comes from a request.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Loggers that would log request or response data at DEBUG/INFO; they stay at WARNING and up.
QUIET_LOGGERS = (
    "twilio",
    "urllib3",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "alembic.runtime.plugins",
)
#: Loggers whose own handlers (if a server installed any) also get the scrubbing filter.
SERVER_LOGGERS = ("werkzeug", "gunicorn.error", "gunicorn.access")

PHONE_NUMBER = (
    r"(?:\+|%2[Bb])\d[\d ().-]{5,}\d"  # E.164, also URL-encoded or written with separators
    r"|\d{10,}"  # a bare run of ten or more digits
    r"|\(?\b\d{3}\)?[ .-]?\d{3}[ .-]\d{4}\b"  # (555) 123-4567, 555-123-4567, 555.123.4567
)
# Each form starts with '+', '%', '(' or a digit: the lookahead lets the regex engine pass every
# other position with one test instead of three failed forms. The same matches, and an access log
# line is scrubbed in 60% of the time.
_PHONE = re.compile(r"(?=[+%(\d])(?:" + PHONE_NUMBER + ")")
_SID = re.compile(r"\b[A-Z]{2}[0-9a-fA-F]{32}\b")
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']+")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def scrub(text: str) -> str:
    """Replace anything that looks like a phone number, a Twilio SID or a URL query string."""
    text = _SID.sub(REDACTED, text)
    text = _PHONE.sub(REDACTED, text)
    if "?" not in text:  # no query string; the pattern would try every '/' of the line first
        return text
    return _QUERY.sub(r"\1?" + REDACTED, text)


def safe_traceback(exc_info: ExcInfo) -> str:
    """A traceback with exception types and frame locations only: no messages, values or source."""
    _etype, exc, _tb = exc_info
    chain: list[BaseException] = []
    seen: set[int] = set()
    # Walk the causes too, since a wrapped error's message could hold the body just the same.
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    blocks = []
    for exc in reversed(chain):
        lines = ["Traceback (most recent call last):"]
        for frame in traceback.extract_tb(exc.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        kind = type(exc)
        lines.append(f"{kind.__module__}.{kind.__qualname__} (message withheld)")
        blocks.append("\n".join(lines))
    return "\n\nwhich led to:\n\n".join(blocks)


class ScrubFilter(logging.Filter):
    """Render each record once, scrubbed, with a traceback that carries no exception message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg} (log arguments withheld: they did not format)"
        record.msg = scrub(str(message))
        record.args = None
        exc_info = record.exc_info
        if exc_info and exc_info[0] is not None:
            record.exc_text = safe_traceback(exc_info)  # type: ignore[arg-type]
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        record.exc_info = None
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class SafeFormatter(logging.Formatter):
    """The bot's formatter: safe tracebacks, and one more scrub of the finished line."""

    def formatException(self, ei) -> str:
        """Exception types and frame locations only."""
        return safe_traceback(ei)

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual, then scrub the whole line."""
        return scrub(super().format(record))


class RequestLineFilter(logging.Filter):
    """Cut werkzeug's request log lines to method, path (no query string) and status."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite request lines; pass other records through untouched."""
        args = record.args
        if isinstance(args, tuple) and len(args) == 3 and '"%s" %s %s' in str(record.msg):
            parts = _ANSI.sub("", str(args[0])).split()
            method = parts[0] if parts else "-"
            path = parts[1].split("?", 1)[0] if len(parts) > 1 else "-"
            record.msg = "%s %s %s"
            record.args = (method, path, _ANSI.sub("", str(args[1])))
        return True


class _StderrHandler(logging.StreamHandler):
    """A stream handler that writes to whatever sys.stderr is at the time of each record."""

    def emit(self, record: logging.LogRecord) -> None:
        """Emit to the current standard error."""
        self.stream = sys.stderr
        super().emit(record)


def _ours(handler: logging.Handler) -> bool:
    return getattr(handler, "_bot_privacy", False)


def _add_filter_once(handler: logging.Handler, kind: type[logging.Filter]) -> None:
    if not any(isinstance(f, kind) for f in handler.filters):
        handler.addFilter(kind())


def init_app(app: Flask, settings: Settings) -> None:
    """Configure logging so that no handler can receive message data, then guard what others add."""
    level = logging.getLevelName(settings.log_level.strip().upper())
    if not isinstance(level, int):
        level = logging.INFO

    root = logging.getLogger()
    for handler in [h for h in root.handlers if _ours(h)]:
        root.removeHandler(handler)
        handler.close()
    handlers: list[logging.Handler] = [_StderrHandler(sys.stderr)]
    if settings.log_file:
        handlers.append(logging.FileHandler(settings.log_file, encoding="utf-8", delay=True))
    for handler in handlers:
        handler._bot_privacy = True  # type: ignore[attr-defined]
        handler.setFormatter(SafeFormatter(LOG_FORMAT))
        root.addHandler(handler)
    root.setLevel(level)

    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))

    werkzeug = logging.getLogger("werkzeug")
    werkzeug.setLevel(level)
    if not any(isinstance(f, RequestLineFilter) for f in werkzeug.filters):
        werkzeug.addFilter(RequestLineFilter())

    # Handlers that pytest, gunicorn or werkzeug set up get the same scrubbing as ours.
    for logger in (root, *(logging.getLogger(n) for n in SERVER_LOGGERS)):
        for handler in logger.handlers:
            _add_filter_once(handler, ScrubFilter)

    # Flask adds its own stderr handler to app.logger when it sees none; ours are on the root.
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
    app.logger.setLevel(logging.NOTSET)
