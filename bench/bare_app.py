"""The bare reference app for bench/throughput.py: POST /sms answers one constant TwiML reply.

No signature check, no form parsing, no matching: what Flask + gunicorn cost on their own, so the
bot's throughput can be read as a ratio of it. Run it under the bot's own gunicorn settings:

    .venv/bin/gunicorn -c gunicorn.conf.py bench.bare_app:app
"""

from __future__ import annotations

from flask import Flask, Response

TWIML = (
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Message>'
    b"Free, private help. Call 1-888-373-7888 or text 233733. In danger now? Call 911."
    b"</Message></Response>"
)

app = Flask(__name__)


@app.post("/sms")
def sms() -> Response:
    """The same reply to every message."""
    return Response(TWIML, status=200, mimetype="application/xml")


@app.get("/healthz")
def healthz() -> Response:
    """Ready check for the benchmark."""
    return Response(b'{"status": "ok"}', status=200, mimetype="application/json")
