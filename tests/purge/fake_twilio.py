"""A fake of Twilio's REST API (Messages, IncomingPhoneNumbers) as a real HTTP server on 127.0.0.1.

It behaves as Twilio's documentation says (pages cited in bot/purge/twilio_api.py):
- HTTP Basic auth with an API key SID and secret, for the account in the path; else 401, 20003;
- list pages newest first as JSON with `messages`, `page`, `page_size`, `next_page_uri` (a
  PageToken after the page's last message, so deleting does not shift later pages), filters To
  and From, PageSize at most 1000 (else 400, 20007);
- dates in RFC 2822 (`date_created`, `date_sent`, `date_updated`);
- DELETE answers 204; 404 (20404) for an unknown message; 20009 for a message that is not final
  or younger than a minute;
- on request, 429 (20429) and 500 answers, a delay, or a gate every request waits at;
- and, as a hostile or broken server would: an answer that trickles a byte at a time, one far
  larger than any page (streamed without a length, until the client hangs up), or a redirect.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import cycle
from urllib.parse import parse_qs, urlencode, urlsplit

API_VERSION = "2010-04-01"
FAULT_BODIES = {
    429: {"code": 20429, "message": "Too Many Requests"},
    500: {"code": 20500, "message": "Internal Server Error"},
    503: {"code": 20503, "message": "Service Unavailable"},
}


def new_sid(prefix: str) -> str:
    """A SID of Twilio's shape: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


@dataclass
class FakeMessage:
    """One message record as Twilio keeps it."""

    sid: str
    sender: str
    to: str
    body: str
    direction: str
    status: str
    date_created: datetime
    date_sent: datetime | None
    final: bool = True

    def as_json(self, account_sid: str) -> dict:
        def rfc2822(value: datetime | None) -> str | None:
            return format_datetime(value) if value is not None else None

        return {
            "sid": self.sid,
            "account_sid": account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "from": self.sender,
            "to": self.to,
            "direction": self.direction,
            "status": self.status,
            "num_segments": "1",
            "num_media": "0",
            "messaging_service_sid": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "USD",
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_sent or self.date_created),
            "uri": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{self.sid}.json",
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{self.sid}/Media.json"
            },
        }


@dataclass
class FakeTwilio:
    """The fake account and its server; start() before use, stop() after."""

    account_sid: str = field(default_factory=lambda: new_sid("AC"))
    api_key: str = field(default_factory=lambda: new_sid("SK"))
    api_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    numbers: list[str] = field(default_factory=lambda: ["+15005550001"])
    #: Seconds each request waits before it is answered.
    delay: float = 0.0
    #: Every n-th request is answered 429, 500 or 503 in turn (0: never).
    fault_every: int = 0
    #: Seconds between the bytes of each answer's body (0: all at once).
    trickle: float = 0.0
    #: Pad each answer to this many bytes, sent without a Content-Length (0: no padding).
    padding: int = 0
    #: Answer every request with a 302 to this URL (None: never).
    redirect_to: str | None = None

    def __post_init__(self) -> None:
        self.messages: dict[str, FakeMessage] = {}
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []  # (method, path); held in memory by the test
        self.users: set[str] = set()  # Basic-auth user names seen
        self.statuses: Counter[int] = Counter()
        self.deleted: Counter[str] = Counter()  # SID -> 204 answers
        self.vanish: set[str] = set()  # SIDs removed just before their DELETE arrives (-> 404)
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = 0  # requests held at the closed gate now
        self.body_bytes_sent = 0  # bytes of answer bodies the client took before it hung up
        self._faults = cycle([429, 500, 503])
        self._count = 0
        self.server: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()

    # -- the account's contents --

    def add(
        self,
        *,
        age: timedelta,
        inbound: bool = True,
        user: str = "+15005550006",
        bot: str | None = None,
        body: str = "hello",
        final: bool = True,
        sent: bool = True,
        sid: str | None = None,
    ) -> str:
        """Add a message `age` old between a user and a bot number; returns its SID."""
        bot = bot or self.numbers[0]
        created = datetime.now(UTC) - age
        message = FakeMessage(
            sid=sid or new_sid("SM"),
            sender=user if inbound else bot,
            to=bot if inbound else user,
            body=body,
            direction="inbound" if inbound else "outbound-reply",
            status=("received" if inbound else "delivered")
            if final
            else ("receiving" if inbound else "sent"),
            date_created=created,
            date_sent=created + timedelta(seconds=1) if sent else None,
            final=final,
        )
        with self.lock:
            self.messages[message.sid] = message
        return message.sid

    def remaining(self) -> set[str]:
        """The SIDs still in the account."""
        with self.lock:
            return set(self.messages)

    # -- the server --

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass  # request lines carry SIDs and numbers: never written anywhere

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.gate.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # -- answering --

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        with self.lock:
            self.requests.append((method, parts.path))
            self._count += 1
            count = self._count
        if not self.gate.is_set():
            with self.lock:
                self.waiting += 1
            self.gate.wait()
            with self.lock:
                self.waiting -= 1
        if self.delay:
            time.sleep(self.delay)
        if self.redirect_to is not None:
            handler.send_response(302)
            handler.send_header("Location", self.redirect_to)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        status, body = self._answer(handler, method, parts.path, parse_qs(parts.query), count)
        with self.lock:
            self.statuses[status] += 1
        data = b"" if body is None else json.dumps(body).encode()
        handler.send_response(status)
        if body is not None:
            handler.send_header("Content-Type", "application/json")
        if self.padding and body is not None:
            self._send_padded(handler, data)
            return
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if self.trickle:
            self._send_trickle(handler, data)
            return
        handler.wfile.write(data)

    def _send_trickle(self, handler: BaseHTTPRequestHandler, data: bytes) -> None:
        for index in range(len(data)):
            try:
                handler.wfile.write(data[index : index + 1])
                handler.wfile.flush()
            except OSError:
                return  # the client hung up
            with self.lock:
                self.body_bytes_sent += 1
            if self.server is None or self._stopping.wait(self.trickle):
                return

    def _send_padded(self, handler: BaseHTTPRequestHandler, data: bytes) -> None:
        # A JSON page whose last field is a string of `padding` bytes, sent until the client
        # stops reading; without a length, so only the connection's end says it is over.
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        chunk = b"x" * 65536
        parts = [data[:-1] + b', "padding": "']
        sent = 0
        try:
            for part in parts:
                handler.wfile.write(part)
            while sent < self.padding:
                handler.wfile.write(chunk)
                sent += len(chunk)
                with self.lock:
                    self.body_bytes_sent += len(chunk)
            handler.wfile.write(b'"}')
        except OSError:
            return  # the client hung up

    def _error(self, status: int, code: int, message: str) -> tuple[int, dict]:
        return status, {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }

    def _authorized(self, handler: BaseHTTPRequestHandler) -> bool:
        header = handler.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        with self.lock:
            self.users.add(user)
        return user == self.api_key and password == self.api_secret

    def _answer(
        self, handler: BaseHTTPRequestHandler, method: str, path: str, query: dict, count: int
    ) -> tuple[int, dict | None]:
        prefix = f"/{API_VERSION}/Accounts/{self.account_sid}/"
        if not self._authorized(handler) or not path.startswith(prefix):
            return self._error(401, 20003, "Authenticate")
        if self.fault_every and count % self.fault_every == 0:
            status = next(self._faults)
            return status, {**FAULT_BODIES[status], "more_info": "", "status": status}
        rest = path[len(prefix) :]
        if method == "GET" and rest == "Messages.json":
            return self._list(query)
        if method == "GET" and rest == "IncomingPhoneNumbers.json":
            return 200, self._numbers()
        if method == "DELETE" and rest.startswith("Messages/") and rest.endswith(".json"):
            return self._delete(rest[len("Messages/") : -len(".json")])
        return self._error(404, 20404, f"The requested resource {path} was not found")

    def _list(self, query: dict) -> tuple[int, dict]:
        def one(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        page_size = int(one("PageSize") or 50)
        if page_size > 1000:
            return self._error(400, 20007, "Page size too large")
        page = int(one("Page") or 0)
        to, sender, token = one("To"), one("From"), one("PageToken")
        with self.lock:
            found = [
                m
                for m in self.messages.values()
                if (to is None or m.to == to) and (sender is None or m.sender == sender)
            ]
        found.sort(key=lambda m: (m.date_created, m.sid), reverse=True)
        if token:
            stamp, _, after_sid = token[2:].partition("_")
            after = (datetime.fromtimestamp(float(stamp), UTC), after_sid)
            found = [m for m in found if (m.date_created, m.sid) < after]
        batch, more = found[:page_size], len(found) > page_size
        filters = {k: v for k, v in (("To", to), ("From", sender)) if v is not None}
        base = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"

        def uri(**params: object) -> str:
            return f"{base}?{urlencode({**filters, 'PageSize': page_size, **params})}"

        next_uri = None
        if more and batch:
            last = batch[-1]
            next_token = f"PA{last.date_created.timestamp()!r}_{last.sid}"
            next_uri = uri(Page=page + 1, PageToken=next_token)
        return 200, {
            "messages": [m.as_json(self.account_sid) for m in batch],
            "page": page,
            "page_size": page_size,
            "start": page * page_size,
            "end": page * page_size + max(len(batch) - 1, 0),
            "uri": uri(Page=page) if not token else uri(Page=page, PageToken=token),
            "first_page_uri": uri(Page=0),
            "next_page_uri": next_uri,
            "previous_page_uri": None,
        }

    def _numbers(self) -> dict:
        return {
            "incoming_phone_numbers": [
                {"sid": new_sid("PN"), "account_sid": self.account_sid, "phone_number": n}
                for n in self.numbers
            ],
            "page": 0,
            "page_size": 50,
            "start": 0,
            "end": len(self.numbers) - 1,
            "next_page_uri": None,
            "previous_page_uri": None,
            "first_page_uri": f"/{API_VERSION}/Accounts/{self.account_sid}/IncomingPhoneNumbers.json?PageSize=50&Page=0",
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/IncomingPhoneNumbers.json?PageSize=50&Page=0",
        }

    def _delete(self, sid: str) -> tuple[int, dict | None]:
        with self.lock:
            if sid in self.vanish:
                self.messages.pop(sid, None)
            message = self.messages.get(sid)
            if message is None:
                return self._error(404, 20404, "The requested resource was not found")
            young = datetime.now(UTC) - message.date_created < timedelta(minutes=1)
            if not message.final or young:
                return self._error(409, 20009, "Cannot delete this resource before it is complete")
            del self.messages[sid]
            self.deleted[sid] += 1
        return 204, None
