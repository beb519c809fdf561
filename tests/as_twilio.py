"""Requests as Twilio makes them, for tests: signed webhook POSTs and the TwiML that comes back."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator

#: The auth token and public URL the test apps (tests/conftest.py `make_app`) are configured with.
TOKEN = "test-auth-token-0123456789abcdef"
URL = "https://bot.example.org"


def sign(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for a POST of params to url."""
    return RequestValidator(token).compute_signature(url, params)


def params(body: str, sender: str = "+15005550006", **extra: str) -> dict[str, str]:
    """The form fields of an incoming SMS as Twilio posts them, with a MessageSid of its own (the
    bot answers each MessageSid once)."""
    return {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+15005550001",
        "Body": body,
        "NumMedia": "0",
        **extra,
    }


def post(client, form: dict[str, str], *, url: str = URL + "/sms", token: str = TOKEN, **kw):
    """POST a form to /sms (path and query taken from url) with Twilio's signature for url."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"X-Twilio-Signature": sign(url, form, token), **kw.pop("headers", {})}
    return client.post(path, data=form, headers=headers, **kw)


def messages(response) -> list[str]:
    """The texts of the <Message> elements of a TwiML response (empty list for <Response/>)."""
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return [m.text or "" for m in root.iter("Message")]
