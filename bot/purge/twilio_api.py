"""Twilio's REST API as the purge uses it: the bot's numbers, its messages page by page, one delete.

What Twilio documents, and this module relies on:
- Message resource: list (filters To, From, PageSize; newest first; `next_page_uri` for the next
  page) and delete (`DELETE /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json`, 204; it also
  deletes the message's media; "Message bodies may persist for up to 30 days after an HTTP DELETE
  request in our database backups"); `date_created` / `date_sent` are RFC 2822 timestamps in GMT.
  https://www.twilio.com/docs/messaging/api/message-resource
- Error 20009 "Cannot delete this resource before it is complete": wait at least a minute, and
  try again later. https://www.twilio.com/docs/api/errors/20009
- 429 Too Many Requests (20429): never processed, safe to retry after backing off.
  https://www.twilio.com/docs/api/errors/20429
- Responses, error bodies (`code`, `message`, `more_info`, `status`) and paging:
  https://www.twilio.com/docs/usage/twilios-response ; PageSize at most 1000:
  https://www.twilio.com/docs/api/errors/20007
- Authentication: HTTP Basic with an API key SID as user name and its secret as password, the
  recommended way; the auth token is for local testing. https://www.twilio.com/docs/usage/requests-to-twilio
- IncomingPhoneNumber resource (the account's numbers, `phone_number` in E.164):
  https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource

Nothing here logs or keeps a number, a body or a SID: records are handed to the caller and dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.settings import Settings

#: The host twilio-python sends every Message and IncomingPhoneNumber request to.
TWILIO_API_URL = "https://api.twilio.com"
#: Seconds one HTTP request to Twilio may take before it counts as failed.
REQUEST_TIMEOUT = 10.0
#: Messages per list page (Twilio's default is 50, its maximum 1000).
PAGE_SIZE = 200
#: Twilio's error code for a message that is not final yet.
NOT_FINAL = 20009
#: A channel prefix Twilio puts in front of an address (whatsapp:+1555...); a number is swept in
#: each form, since a WhatsApp conversation's records carry it.
CHANNEL_PREFIXES = ("", "whatsapp:")


class ApiError(Exception):
    """A request to Twilio failed; carries the HTTP status and Twilio's error code, never a URL."""

    def __init__(self, status: int | None, code: int | None, kind: str) -> None:
        super().__init__(f"{kind} (HTTP {status}, Twilio error {code})")
        self.status = status
        self.code = code
        self.kind = kind

    @property
    def retryable(self) -> bool:
        """429, 5xx and network failures are worth another try after a pause."""
        return self.kind == "network" or self.status == 429 or (self.status or 0) >= 500

    @property
    def credentials_rejected(self) -> bool:
        """401 or 403: the account SID, the API key or its secret is wrong or revoked."""
        return self.status in (401, 403)


@dataclass(frozen=True)
class MessageRecord:
    """What the purge needs of one message: its SID and its dates (never its body or numbers)."""

    sid: str
    date_created: datetime | None
    date_sent: datetime | None


class HostRewritingHttpClient(TwilioHttpClient):
    """twilio-python's own HTTP client, sending every request to another scheme and host.

    twilio-python 9.13 builds each URL from the hard-coded https://api.twilio.com (ApiBase) and
    hands the full URL to its HttpClient (Client(http_client=...)); this is the one place every
    request passes, next pages included, so the host is swapped here.
    """

    def __init__(self, base_url: str, timeout: float = REQUEST_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        parts = urlsplit(base_url.strip().rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("TWILIO_API_BASE_URL must be an http(s) URL")
        self._scheme, self._netloc, self._prefix = parts.scheme, parts.netloc, parts.path

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        """Send the request to the configured host instead of Twilio's."""
        parts = urlsplit(url)
        url = urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment)
        )
        return super().request(method, url, *args, **kwargs)


def build_client(settings: Settings, timeout: float = REQUEST_TIMEOUT) -> Client:
    """A twilio REST client authenticated with the API key, talking to TWILIO_API_BASE_URL."""
    base = settings.twilio_api_base_url.strip().rstrip("/") or TWILIO_API_URL
    http_client = (
        TwilioHttpClient(timeout=timeout)
        if base == TWILIO_API_URL
        else HostRewritingHttpClient(base, timeout)
    )
    return Client(
        username=settings.twilio_api_key.strip(),
        password=settings.twilio_api_secret.strip(),
        account_sid=settings.twilio_account_sid.strip(),
        http_client=http_client,
    )


def as_api_error(exc: BaseException) -> ApiError | None:
    """The ApiError for an exception raised by twilio-python or requests; None if it is neither."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, TwilioRestException):
        return ApiError(exc.status, _int(exc.code), "rest")
    if isinstance(exc, requests.RequestException):
        return ApiError(None, None, "network")
    if isinstance(exc, TwilioException):
        # A list page that is not 200 raises TwilioException("Unable to fetch page", response).
        response = exc.args[1] if len(exc.args) > 1 else None
        status = getattr(response, "status_code", None)
        return ApiError(status, _error_code(getattr(response, "text", "")), "rest")
    return None


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _error_code(text: str) -> int | None:
    try:
        body = json.loads(text)
    except (TypeError, ValueError):
        return None
    return _int(body.get("code")) if isinstance(body, dict) else None


class TwilioMessages:
    """The Message and IncomingPhoneNumber resources of one account, as the purge reads them."""

    def __init__(self, client: Client, page_size: int = PAGE_SIZE) -> None:
        self.client = client
        self.page_size = page_size

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioMessages:
        """The account the settings name, through an API key."""
        return cls(build_client(settings))

    def account_numbers(self) -> list[str]:
        """Every phone number of the account (IncomingPhoneNumbers), in E.164."""
        try:
            return [
                n.phone_number
                for n in self.client.incoming_phone_numbers.stream(page_size=self.page_size)
                if n.phone_number
            ]
        except Exception as exc:
            raise _translated(exc) from None

    def first_page(self, *, to: str | None = None, sender: str | None = None) -> Any:
        """The newest page of messages to or from an address."""
        kwargs: dict[str, Any] = {"page_size": self.page_size}
        if to is not None:
            kwargs["to"] = to
        if sender is not None:
            kwargs["from_"] = sender
        try:
            return self.client.messages.page(**kwargs)
        except Exception as exc:
            raise _translated(exc) from None

    def next_page(self, page: Any) -> Any | None:
        """The page after this one (Twilio's next_page_uri), or None after the last."""
        try:
            return page.next_page()
        except Exception as exc:
            raise _translated(exc) from None

    @staticmethod
    def records(page: Any) -> Iterator[MessageRecord]:
        """The messages of a page, reduced to SID and dates."""
        for message in page:
            yield MessageRecord(message.sid, message.date_created, message.date_sent)

    def delete(self, sid: str) -> None:
        """Delete one message record; raises ApiError (404: already gone, 20009: not final)."""
        try:
            self.client.messages(sid).delete()
        except Exception as exc:
            raise _translated(exc) from None


def _translated(exc: BaseException) -> BaseException:
    """ApiError for what Twilio or the network answered; anything else as it is."""
    return as_api_error(exc) or exc
