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
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.settings import Settings

#: The host twilio-python sends every Message and IncomingPhoneNumber request to.
TWILIO_API_URL = "https://api.twilio.com"
#: Seconds Twilio may stay silent (connecting, or between two reads of an answer).
REQUEST_TIMEOUT = 10.0
#: Seconds one request may take in all, from sending it to the last byte of its answer: a server
#: that trickles a byte every few seconds never trips REQUEST_TIMEOUT, and held a sweep for 350 s.
REQUEST_SECONDS = 20.0
#: The largest answer read (a page of 200 messages is about 300 KB); a larger one is refused
#: as it arrives, so a hostile server cannot fill a worker's memory.
MAX_ANSWER_BYTES = 4 * 1024 * 1024
#: Messages per list page (Twilio's default is 50, its maximum 1000).
PAGE_SIZE = 200
#: Twilio's error code for a message that is not final yet.
NOT_FINAL = 20009
#: A channel prefix Twilio puts in front of an address (whatsapp:+1555...); a number is swept in
#: each form, since a WhatsApp conversation's records carry it.
CHANNEL_PREFIXES = ("", "whatsapp:")


class ApiError(Exception):
    """A request to Twilio failed; carries the HTTP status and Twilio's error code, never a URL.

    kind: rest (Twilio answered an error), network, too_slow (past REQUEST_SECONDS or the
    sweep's end), too_large (past MAX_ANSWER_BYTES) or redirect (detail: where to, scheme and
    host only).
    """

    def __init__(
        self, status: int | None, code: int | None, kind: str, detail: str | None = None
    ) -> None:
        super().__init__(f"{kind} (HTTP {status}, Twilio error {code})")
        self.status = status
        self.code = code
        self.kind = kind
        self.detail = detail

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


class BoundedHttpClient(TwilioHttpClient):
    """twilio-python's HTTP client with each request bounded in time and size, never redirected.

    twilio-python's own client gives requests a timeout per read only, and reads any answer
    whole into memory. This one sends the same request (the steps of TwilioHttpClient.request),
    streams the answer, gives every read the time left of the request (REQUEST_SECONDS, or less
    when the sweep's own end, set with until(), is nearer), and stops past MAX_ANSWER_BYTES.
    """

    def __init__(
        self,
        timeout: float = REQUEST_TIMEOUT,
        request_seconds: float = REQUEST_SECONDS,
        max_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        super().__init__(timeout=timeout)
        self.request_seconds = request_seconds
        self.max_bytes = max_bytes
        self._local = threading.local()

    @contextmanager
    def until(self, deadline: float) -> Iterator[None]:
        """Within the block, no request of this thread goes on past `deadline` (monotonic)."""
        before = getattr(self._local, "deadline", None)
        self._local.deadline = deadline
        try:
            yield
        finally:
            self._local.deadline = before

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send one request; raises ApiError when it is too slow, too large or redirected."""
        deadline = time.monotonic() + self.request_seconds
        outer = getattr(self._local, "deadline", None)
        if outer is not None:
            deadline = min(deadline, outer)
        wait = timeout or self.timeout

        def time_left() -> float:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ApiError(None, None, "too_slow")
            return min(wait, left)

        session = self.session or requests.Session()
        kwargs: dict[str, Any] = {
            "method": method.upper(),
            "url": url,
            "params": params,
            "headers": headers,
            "auth": auth,
            "hooks": self.request_hooks,
        }
        if headers and headers.get("Content-Type") in ("application/json", "application/scim+json"):
            kwargs["json"] = data
        else:
            kwargs["data"] = data
        prepared = session.prepare_request(requests.Request(**kwargs))
        options = session.merge_environment_settings(prepared.url, self.proxy, None, None, None)
        options["stream"] = True  # the body is read below, within the bounds
        try:
            answer = session.send(prepared, allow_redirects=False, timeout=time_left(), **options)
        except requests.Timeout:
            raise self._late(deadline) from None
        with closing(answer):
            status = int(answer.status_code)
            if 300 <= status < 400:
                # Twilio's API never redirects: say where to (scheme and host, never a path that
                # may hold an account SID), and never follow, which would hand over the key.
                where = urlsplit(answer.headers.get("Location", ""))
                detail = f"{where.scheme}://{where.hostname}" if where.hostname else None
                raise ApiError(status, None, "redirect", detail)
            body = self._read(answer, status, time_left, deadline)
        return Response(status, body.decode("utf-8", "replace"), answer.headers)

    def _read(self, answer: Any, status: int, time_left: Any, deadline: float) -> bytes:
        """The answer's body, read chunk by chunk within the time left and MAX_ANSWER_BYTES."""
        length = answer.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise ApiError(status, None, "too_large")
        raw, body = answer.raw, bytearray()
        try:
            while True:
                connection = getattr(raw, "connection", None)
                sock = getattr(connection, "sock", None)
                if sock is not None:
                    sock.settimeout(time_left())
                chunk = raw.read1(64 * 1024, decode_content=True)
                if not chunk:
                    return bytes(body)
                body += chunk
                if len(body) > self.max_bytes:
                    raise ApiError(status, None, "too_large")
                time_left()
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
            raise self._late(deadline) from None
        except (urllib3.exceptions.HTTPError, OSError):
            raise ApiError(None, None, "network") from None

    @staticmethod
    def _late(deadline: float) -> ApiError:
        """A timeout at the request's end is too_slow; one before it, Twilio silent: network."""
        if time.monotonic() >= deadline - 0.05:
            return ApiError(None, None, "too_slow")
        return ApiError(None, None, "network")


class HostRewritingHttpClient(BoundedHttpClient):
    """twilio-python's own HTTP client, sending every request to another scheme and host.

    twilio-python 9.13 builds each URL from the hard-coded https://api.twilio.com (ApiBase) and
    hands the full URL to its HttpClient (Client(http_client=...)); this is the one place every
    request passes, next pages included, so the host is swapped here.
    """

    def __init__(self, base_url: str, timeout: float = REQUEST_TIMEOUT, **bounds: Any) -> None:
        super().__init__(timeout=timeout, **bounds)
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


def build_client(settings: Settings, timeout: float = REQUEST_TIMEOUT, **bounds: Any) -> Client:
    """A twilio REST client authenticated with the API key, talking to TWILIO_API_BASE_URL;
    `bounds` (request_seconds, max_bytes) override REQUEST_SECONDS and MAX_ANSWER_BYTES."""
    base = settings.twilio_api_base_url.strip().rstrip("/") or TWILIO_API_URL
    http_client = (
        BoundedHttpClient(timeout, **bounds)
        if base == TWILIO_API_URL
        else HostRewritingHttpClient(base, timeout, **bounds)
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

    @contextmanager
    def until(self, deadline: float) -> Iterator[None]:
        """Within the block, no request goes on past `deadline` (time.monotonic())."""
        http_client = getattr(self.client, "http_client", None)
        if isinstance(http_client, BoundedHttpClient):
            with http_client.until(deadline):
                yield
        else:
            yield

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
