"""Per-sender reply limits, keyed by a rotating keyed hash of the sender, so auto-responders can't ping-pong.

Strategy: a moving window (limits.MovingWindowRateLimiter). It never lets more than N replies go
out in any M-minute span, with no double burst at a window edge as a fixed window allows, and a
text refused while quiet is not recorded, so a silenced auto-responder cannot extend its own
silence for ever: a person who shares the number gets answers again once old replies age out.

Privacy: the storage only ever sees BLAKE2b keyed with the period key over the sender (BLAKE2's
own MAC mode, RFC 7693: as strong as an HMAC and a third of its cost per message), where the
period key is HMAC-SHA256(base secret, period number) and the period rotates every
RATE_LIMIT_SECRET_ROTATE_SECONDS, so keys of one day cannot be linked to the next. The base secret
is RATE_LIMIT_SECRET, or random per process when empty: several processes or instances sharing
one Redis must share RATE_LIMIT_SECRET, or each keeps its own counters. Counters live in process
memory (memory://) or in Redis, never on disk here: every Redis key expires with its window, and
the Redis used must not persist (no RDB snapshots, no AOF) so that no hash outlives its window.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlparse

from limits import RateLimitItem, parse
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage, MovingWindowSupport, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bot.core.topics import EMERGENCY_TOPIC
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)

#: Storage namespaces of the limits; they appear in storage keys next to the hash.
REPLIES_NAMESPACE = "bot-replies"
EMERGENCY_NAMESPACE = "bot-emergency"
AFTER_CAP_NAMESPACE = "bot-emergency-after-cap"
#: Past EMERGENCY_RATE_LIMIT a sender still gets the emergency reply (one segment, checked, with
#: 911 and the hotline) this often: a person in danger texting again and again is never met with
#: silence for long, and a machine looping on danger words gets at most 12 more replies an hour.
EMERGENCY_AFTER_CAP = "1 per 5 minutes"
#: A MessageSid already answered gets silence for this long (seconds). Twilio's signature has no
#: time in it, so a captured request could be replayed to text its sender again; the storage
#: holds the sid only as a keyed hash, like a sender, and only for this window.
REPLAY_SECONDS = 900
REPLAY_NAMESPACE = "bot-answered"
#: With memory://, at most this many answered MessageSids are remembered (about 3 MB); past it
#: the oldest go first, so a sustained flood shortens the window instead of growing the worker.
REPLAY_MEMORY_ENTRIES = 20_000
#: After a storage error, answer without asking the storage for this long (seconds), so an
#: unreachable Redis costs one timeout per interval, not one per message.
RETRY_AFTER_ERROR_SECONDS = 5.0
#: A Redis that does not answer within this long (seconds) counts as down; the reply goes out.
REDIS_TIMEOUT_SECONDS = 0.5
#: The default of EMERGENCY_RATE_LIMIT (and of the limiter's emergency_rate_limit).
DEFAULT_EMERGENCY_RATE_LIMIT = Settings.emergency_rate_limit
#: A RATE_LIMIT_SECRET shorter than this is easy to guess, and phone numbers are few enough to try all.
MIN_SECRET_LENGTH = 16


def _rate(name: str, value: str, namespace: str) -> RateLimitItem:
    """A limit such as '10 per 10 minutes' from the setting called name; SettingsError if unusable."""
    try:
        item = parse(value)
    except ValueError:
        raise SettingsError(
            f"{name}: {value!r} is not a rate such as '10 per 10 minutes'"
        ) from None
    if item.amount < 1:
        raise SettingsError(f"{name}: {value!r} must allow at least one reply")
    item.namespace = namespace
    return item


class SenderLimiter:
    """Decides whether a reply may go to a sender: N per window, and emergency replies apart.

    Emergency replies have a limit of their own (EMERGENCY_RATE_LIMIT) and do not use up the
    others: a person in danger who has texted a lot still gets the emergency reply. Past that
    limit the emergency reply still goes out once every few minutes (EMERGENCY_AFTER_CAP), so a
    machine that keeps sending emergency words (an auto-responder the webhook did not recognise)
    gets a bounded number of replies an hour, and a person is never left in silence for long.
    """

    def __init__(
        self,
        rate_limit: str,
        storage_url: str = "memory://",
        secret: str = "",
        rotate_seconds: int = 86400,
        *,
        emergency_rate_limit: str = DEFAULT_EMERGENCY_RATE_LIMIT,
        storage_options: Mapping[str, object] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.replies = _rate("RATE_LIMIT", rate_limit, REPLIES_NAMESPACE)
        self.emergency = _rate("EMERGENCY_RATE_LIMIT", emergency_rate_limit, EMERGENCY_NAMESPACE)
        self.after_cap = _rate("EMERGENCY_AFTER_CAP", EMERGENCY_AFTER_CAP, AFTER_CAP_NAMESPACE)
        if rotate_seconds < 1:
            raise SettingsError("RATE_LIMIT_SECRET_ROTATE_SECONDS must be at least 1")
        self.storage = _storage(storage_url, storage_options or {})
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.answered = AnsweredMessages(self.storage)
        self.rotate_seconds = rotate_seconds
        self._base_secret = secret.encode("utf-8") if secret else secrets.token_bytes(32)
        self._clock = clock
        #: (period, BLAKE2b already keyed with that period's key): copying a keyed hash object
        #: costs less than keying a new one, on every text (measured: 1.2 against 2.0 us)
        self._period_hasher: tuple[int, Any] = (-1, None)
        self._retry_at = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SenderLimiter:
        """The limiter the settings describe."""
        return cls(
            settings.rate_limit,
            settings.rate_limit_storage_url,
            settings.rate_limit_secret,
            settings.rate_limit_secret_rotate_seconds,
            emergency_rate_limit=settings.emergency_rate_limit,
        )

    def sender_key(self, sender: str) -> str:
        """The storage identifier of a sender in the current period: a keyed hash, never the number."""
        period = int(self._clock() // self.rotate_seconds)
        cached_period, keyed = self._period_hasher
        if cached_period != period:
            key = hmac.new(self._base_secret, str(period).encode(), hashlib.sha256).digest()
            keyed = hashlib.blake2b(key=key, digest_size=32)
            # one tuple assignment: threads see the old pair or the new one, whole
            self._period_hasher = (period, keyed)
        hasher = keyed.copy()
        hasher.update(sender.encode("utf-8", "surrogatepass"))
        return hasher.hexdigest()

    def allow(self, sender: str, topic: str) -> bool:
        """True if the reply for this topic may go to this sender; never raises, allows on failure."""
        if time.monotonic() < self._retry_at:
            return True
        try:
            key = self.sender_key(sender)
            if topic == EMERGENCY_TOPIC:
                # The second limit is asked only once the first says no.
                return self.strategy.hit(self.emergency, key) or self.strategy.hit(
                    self.after_cap, key
                )
            return self.strategy.hit(self.replies, key)
        except Exception as exc:
            return self._storage_failed(exc)

    def _storage_failed(self, exc: Exception) -> bool:
        """Answer without limits for a while after the storage failed (True: let it through)."""
        self._retry_at = time.monotonic() + RETRY_AFTER_ERROR_SECONDS
        # The type only: a storage error's message could name the key.
        log.warning(
            "rate-limit storage failed (%s); replying without limits for %g s",
            type(exc).__name__,
            RETRY_AFTER_ERROR_SECONDS,
        )
        return True

    def first_delivery(self, message_sid: str) -> bool:
        """False when this MessageSid was answered within REPLAY_SECONDS: a replayed request.
        A request without one, or a storage that fails, is answered (never raises)."""
        if not message_sid or time.monotonic() < self._retry_at:
            return True
        try:
            return self.answered.first(self.sender_key(message_sid))
        except Exception as exc:
            return self._storage_failed(exc)


class AnsweredMessages:
    """The MessageSids answered in the last REPLAY_SECONDS, as keyed hashes (never the sid).

    With Redis (or any shared storage) a counter per hash that the storage expires: one round
    trip, and every worker and instance sees the same. In memory, a dict and a queue in expiry
    order, written by hand because limits' in-memory windows sweep every key once a second, a
    cost that grows with traffic: a key a text, an hour long, made the bot's own benchmark slower
    round by round. Here expiry costs only the entries that expire, and REPLAY_MEMORY_ENTRIES
    caps the memory.
    """

    def __init__(
        self,
        storage: Storage,
        seconds: int = REPLAY_SECONDS,
        max_entries: int = REPLAY_MEMORY_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shared = None if isinstance(storage, MemoryStorage) else storage
        self.seconds = seconds
        self.max_entries = max_entries
        self._clock = clock
        self._seen: dict[str, float] = {}
        self._order: deque[tuple[float, str]] = deque()
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        """True the first time a hash is seen within the window (and remember it); else False."""
        if self.shared is not None:
            return self.shared.incr(f"{REPLAY_NAMESPACE}/{key}", self.seconds) == 1
        key = key[:32]  # 128 bits tell messages apart; half the memory of the whole hash
        now = self._clock()
        with self._lock:
            order, seen = self._order, self._seen
            while order and (order[0][0] <= now or len(order) >= self.max_entries):
                _, old = order.popleft()
                seen.pop(old, None)
            if key in seen:
                return False
            expiry = now + self.seconds
            seen[key] = expiry
            order.append((expiry, key))
            return True


class _SweptMemoryStorage(MemoryStorage):
    """limits' in-process storage, sweeping expired entries itself at most once a second.

    limits' MemoryStorage starts a new timer thread for that on every call that finds the last one
    finished, which under steady traffic is one thread start per 10 ms, at ~0.6 ms of CPU each: the
    dearest step of a reply (measured with bench/throughput.py). Sweeping inline, on the caller's
    thread, keeps the same expiry without the threads. The override names limits' private method,
    so a limits upgrade must keep tests/test_ratelimit.py green.
    """

    STORAGE_SCHEME = ["bot-swept-memory"]  # noqa: RUF012 - limits reads a list; never registered under "memory": limits' own stays
    SWEEP_SECONDS = 1.0

    def __init__(self) -> None:
        super().__init__()
        self._next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the thread-per-call scheduling
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()


def _storage(url: str, options: Mapping[str, object]) -> Storage:
    """The limits storage for a URL, with short Redis timeouts unless the URL sets its own."""
    opts = dict(options)
    parsed = urlparse(url)
    if parsed.scheme.startswith(("redis", "rediss", "valkey")):
        query = parse_qs(parsed.query)
        for name in ("socket_timeout", "socket_connect_timeout"):
            if name not in query:
                opts.setdefault(name, REDIS_TIMEOUT_SECONDS)
    if parsed.scheme == "memory":
        return _SweptMemoryStorage()
    try:
        storage = storage_from_string(url, **opts)
    except ConfigurationError:
        # Not the URL itself: it may carry a Redis password.
        raise SettingsError(
            f"RATE_LIMIT_STORAGE_URL: cannot use a {parsed.scheme or 'schemeless'}:// URL here;"
            " use memory:// or redis://host:port/db"
        ) from None
    if not isinstance(storage, Storage) or not isinstance(storage, MovingWindowSupport):
        raise SettingsError(
            f"RATE_LIMIT_STORAGE_URL: {parsed.scheme}:// cannot hold moving-window limits;"
            " use memory:// or redis://"
        )
    return storage


#: Storage namespace of the remembered reply language.
LANGUAGE_NAMESPACE = "bot-language"
#: Longest language code kept: its ASCII bytes are stored as one integer, which Redis holds in
#: 64 bits. A longer code is not remembered (a bare menu number then gets the default language).
MAX_REMEMBERED_CODE = 8


class LanguageMemory:
    """The language of the last reply to a sender, for MENU_LANGUAGE_SECONDS, so that a bare menu
    number after a Spanish menu is answered in Spanish.

    Kept as the limiter keeps its counters: under the limiter's keyed hash of the sender, in the
    same storage, expiring after the window. What is stored is the language code and nothing else
    (its ASCII bytes as one integer, because a limits storage holds integers): no number, no text,
    no topic. Never raises: a storage failure forgets, and the reply goes out in the text's own
    language.
    """

    def __init__(self, limiter: SenderLimiter, seconds: int) -> None:
        self.limiter = limiter
        self.seconds = seconds

    def _key(self, sender: str) -> str:
        return f"{LANGUAGE_NAMESPACE}/{self.limiter.sender_key(sender)}"

    def remember(self, sender: str, lang: str, default: str = "") -> None:
        """Keep a sender's reply language for the window (replacing any kept before).

        The default language is kept only over another one: a sender who writes in it needs
        nothing kept, and reading first (2 us) is cheaper than writing each time (5 us).
        """
        if self.seconds <= 0 or not lang.isascii() or not 0 < len(lang) <= MAX_REMEMBERED_CODE:
            return
        kept = self.recall(sender)
        if kept == lang or (kept is None and lang == default):
            return
        try:
            key = self._key(sender)
            storage = self.limiter.storage
            storage.clear(key)
            storage.incr(key, self.seconds, amount=int.from_bytes(lang.encode("ascii"), "big"))
        except Exception as exc:
            log.warning("language memory: storage failed (%s)", type(exc).__name__)

    def recall(self, sender: str) -> str | None:
        """The language kept for a sender within the window, or None."""
        if self.seconds <= 0:
            return None
        try:
            value = int(self.limiter.storage.get(self._key(sender)) or 0)
        except Exception as exc:
            log.warning("language memory: storage failed (%s)", type(exc).__name__)
            return None
        if value <= 0 or value >= 1 << (8 * MAX_REMEMBERED_CODE):
            return None
        try:
            return value.to_bytes(MAX_REMEMBERED_CODE, "big").lstrip(b"\0").decode("ascii")
        except UnicodeDecodeError:
            return None


def language_memory_for(settings: Settings, limiter: object) -> LanguageMemory | None:
    """The sender language memory beside the app's limiter; None when MENU_LANGUAGE_SECONDS is 0
    or the limiter is not a SenderLimiter (tests may stand one in)."""
    if settings.menu_language_seconds <= 0 or not isinstance(limiter, SenderLimiter):
        return None
    return LanguageMemory(limiter, settings.menu_language_seconds)


def limiter_for(settings: Settings) -> SenderLimiter:
    """The app's limiter, from the settings; warns of weak ones, raises SettingsError for unusable."""
    if settings.rate_limit_secret and len(settings.rate_limit_secret) < MIN_SECRET_LENGTH:
        log.warning(
            "RATE_LIMIT_SECRET is shorter than %d characters; use a long random one",
            MIN_SECRET_LENGTH,
        )
    if not settings.rate_limit_secret and not settings.rate_limit_storage_url.startswith(
        "memory://"
    ):
        log.warning(
            "RATE_LIMIT_SECRET is empty: each process hashes senders with its own random secret,"
            " so processes sharing the rate-limit storage do not share counters"
        )
    return SenderLimiter.from_settings(settings)
