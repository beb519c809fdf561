"""Per-sender reply limits: quiet after N, emergencies under a limit of their own, keys never hold numbers."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import limits.storage.memory
import pytest

from bot import ratelimit, runtime
from bot.ratelimit import SenderLimiter
from bot.settings import Settings, SettingsError

ALICE = "+15551234567"
BOB = "+15557654321"
REDIS_URL = "redis://127.0.0.1:6379/0"


class FakeTime:
    """Stands in for the time module inside limits' memory storage, so windows pass instantly."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    return fake


def _memory_keys(limiter: SenderLimiter) -> list[str]:
    storage = limiter.storage
    assert isinstance(storage, limits.storage.memory.MemoryStorage)
    return [*storage.events, *storage.storage]


def _digits(number: str) -> str:
    return number.lstrip("+")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_replies_go_out_up_to_the_limit_then_the_sender_gets_silence(clock: FakeTime) -> None:
    limiter = SenderLimiter("3 per 10 minutes", secret="s" * 32, clock=clock.time)
    assert [limiter.allow(ALICE, "labor") for _ in range(5)] == [True, True, True, False, False]


def test_replies_resume_once_the_window_has_passed(clock: FakeTime) -> None:
    limiter = SenderLimiter("2 per 10 minutes", secret="s" * 32, clock=clock.time)
    assert [limiter.allow(ALICE, "labor") for _ in range(3)] == [True, True, False]
    clock.now += 10 * 60 + 1
    assert limiter.allow(ALICE, "labor") is True


def test_texts_refused_while_quiet_do_not_extend_the_silence(clock: FakeTime) -> None:
    limiter = SenderLimiter("2 per 10 minutes", secret="s" * 32, clock=clock.time)
    limiter.allow(ALICE, "labor")
    limiter.allow(ALICE, "labor")
    for _ in range(9):
        clock.now += 60
        assert limiter.allow(ALICE, "labor") is False
    clock.now += 61  # the first two replies are now more than ten minutes old
    assert limiter.allow(ALICE, "labor") is True


def test_emergencies_after_the_reply_limit_get_their_own_three_replies_by_default(
    clock: FakeTime,
) -> None:
    limiter = SenderLimiter("2 per 10 minutes", secret="s" * 32, clock=clock.time)
    assert [limiter.allow(ALICE, "labor") for _ in range(3)] == [True, True, False]
    # Three, then one more after the cap (EMERGENCY_AFTER_CAP), then silence for a while.
    assert [limiter.allow(ALICE, "emergency") for _ in range(5)] == [True] * 4 + [False]
    assert limiter.allow(ALICE, "labor") is False


def test_emergency_replies_do_not_use_up_the_other_replies(clock: FakeTime) -> None:
    limiter = SenderLimiter("2 per 10 minutes", secret="s" * 32, clock=clock.time)
    assert [limiter.allow(ALICE, "emergency") for _ in range(3)] == [True, True, True]
    assert [limiter.allow(ALICE, "labor") for _ in range(3)] == [True, True, False]


def test_the_emergency_limit_is_its_own_setting(clock: FakeTime) -> None:
    limiter = SenderLimiter(
        "1 per hour", secret="s" * 32, emergency_rate_limit="5 per hour", clock=clock.time
    )
    assert [limiter.allow(ALICE, "emergency") for _ in range(7)] == [True] * 6 + [False]


def test_the_emergency_allowance_returns_with_its_next_window(clock: FakeTime) -> None:
    limiter = SenderLimiter(
        "1 per hour", secret="s" * 32, emergency_rate_limit="1 per 10 minutes", clock=clock.time
    )
    assert [limiter.allow(ALICE, "emergency") for _ in range(3)] == [True, True, False]
    clock.now += 10 * 60 + 1
    assert [limiter.allow(ALICE, "emergency") for _ in range(3)] == [True, True, False]


def test_senders_are_limited_independently(clock: FakeTime) -> None:
    limiter = SenderLimiter("2 per 10 minutes", secret="s" * 32, clock=clock.time)
    assert [limiter.allow(ALICE, "labor") for _ in range(3)] == [True, True, False]
    assert [limiter.allow(BOB, "labor") for _ in range(3)] == [True, True, False]


def test_storage_keys_hold_a_keyed_hash_and_never_the_number(clock: FakeTime) -> None:
    limiter = SenderLimiter("2 per 10 minutes", secret="s" * 32, clock=clock.time)
    limiter.allow(ALICE, "emergency")
    keys = _memory_keys(limiter)
    assert keys
    for key in keys:
        assert _digits(ALICE) not in key
        assert _digits(ALICE)[-7:] not in key
    assert any(limiter.sender_key(ALICE) in key for key in keys)


def test_the_sender_key_changes_when_the_period_rotates(clock: FakeTime) -> None:
    limiter = SenderLimiter(
        "2 per 10 minutes", secret="s" * 32, rotate_seconds=3600, clock=clock.time
    )
    clock.now = 3600 * 1000 + 10
    before = limiter.sender_key(ALICE)
    limiter.allow(ALICE, "labor")
    clock.now += 60
    assert limiter.sender_key(ALICE) == before
    clock.now += 3600
    after = limiter.sender_key(ALICE)
    assert after != before
    limiter.allow(ALICE, "labor")
    keys = _memory_keys(limiter)
    assert any(before in key for key in keys) and any(after in key for key in keys)


def test_the_same_secret_gives_the_same_key_and_an_empty_one_a_random_secret(
    clock: FakeTime,
) -> None:
    shared = [SenderLimiter("2 per minute", secret="x" * 32, clock=clock.time) for _ in range(2)]
    assert shared[0].sender_key(ALICE) == shared[1].sender_key(ALICE)
    unshared = [SenderLimiter("2 per minute", clock=clock.time) for _ in range(2)]
    assert unshared[0].sender_key(ALICE) != unshared[1].sender_key(ALICE)


@pytest.mark.parametrize("rate", ["", "ten per minute", "0 per minute", "10 per fortnight"])
def test_an_unusable_rate_limit_is_a_clear_settings_error(rate: str) -> None:
    with pytest.raises(SettingsError, match="RATE_LIMIT"):
        SenderLimiter(rate)


@pytest.mark.parametrize("rate", ["", "three per minute", "0 per minute"])
def test_an_unusable_emergency_rate_limit_is_a_settings_error_naming_it(rate: str) -> None:
    with pytest.raises(SettingsError, match=r"^EMERGENCY_RATE_LIMIT: "):
        SenderLimiter("10 per minute", emergency_rate_limit=rate)


def test_the_limiter_takes_the_emergency_limit_from_the_settings() -> None:
    limiter = SenderLimiter.from_settings(Settings(emergency_rate_limit="7 per hour"))
    assert (limiter.emergency.amount, limiter.emergency.get_expiry()) == (7, 3600)


@pytest.mark.parametrize(
    "url", ["nosuch://:hunter2@x", "memcached://127.0.0.1:11211", "127.0.0.1:6379"]
)
def test_an_unusable_storage_url_is_a_clear_settings_error_without_its_password(url: str) -> None:
    with pytest.raises(SettingsError, match="RATE_LIMIT_STORAGE_URL") as raised:
        SenderLimiter("10 per minute", url)
    assert "hunter2" not in str(raised.value)


def test_limiter_for_builds_the_limiter_the_settings_ask_for() -> None:
    limiter = ratelimit.limiter_for(Settings(rate_limit="1 per hour"))
    assert isinstance(limiter, SenderLimiter)
    assert [limiter.allow(ALICE, "labor") for _ in range(2)] == [True, False]


def test_an_unreachable_redis_lets_every_reply_out_and_logs_no_number(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = SenderLimiter("1 per hour", f"redis://127.0.0.1:{_closed_port()}/0", secret="s" * 32)
    with caplog.at_level(logging.WARNING, logger="bot.ratelimit"):
        assert all(limiter.allow(ALICE, topic) for topic in ["labor", "labor", "emergency"] * 3)
    assert "failed" in caplog.text
    assert _digits(ALICE) not in caplog.text
    assert limiter.sender_key(ALICE) not in caplog.text


def test_a_storage_that_raises_lets_the_reply_out(clock: FakeTime) -> None:
    limiter = SenderLimiter("1 per hour", secret="s" * 32, clock=clock.time)

    class Broken:
        def hit(self, *args: object, **kwargs: object) -> bool:
            raise RuntimeError(ALICE)

    limiter.strategy = Broken()  # type: ignore[assignment]
    assert limiter.allow(ALICE, "labor") is True
    assert limiter.allow(ALICE, "labor") is True


# --- Against the machine's Redis -------------------------------------------------------------


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A random key prefix on the Redis at 127.0.0.1:6379; its keys are deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = (
            f"Redis at 127.0.0.1:6379 is unreachable ({type(exc).__name__}): start one "
            "(apt-get install -y redis-server; redis-server --daemonize yes), then "
            "pytest tests/test_ratelimit.py"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so the Redis tests must run", pytrace=False)
        pytest.skip(message)
    prefix = f"bot-test-{secrets.token_hex(6)}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def _redis_keys(prefix: str) -> dict[str, int]:
    import redis

    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        return {key: client.ttl(key) for key in client.scan_iter(match=f"{prefix}:*")}
    finally:
        client.close()


@pytest.mark.redis
def test_redis_holds_expiring_hashed_keys_and_limits_like_memory(redis_prefix: str) -> None:
    limiter = SenderLimiter(
        "2 per 10 minutes",
        REDIS_URL,
        secret="s" * 32,
        emergency_rate_limit="1 per 10 minutes",
        storage_options={"key_prefix": redis_prefix},
    )
    assert [limiter.allow(ALICE, "labor") for _ in range(3)] == [True, True, False]
    assert [limiter.allow(ALICE, "emergency") for _ in range(3)] == [True, True, False]
    assert limiter.allow(BOB, "labor") is True
    keys = _redis_keys(redis_prefix)
    assert len(keys) == 4  # Alice's replies, emergency and after the cap; Bob's replies
    for key, ttl in keys.items():
        assert _digits(ALICE) not in key and _digits(BOB) not in key
        assert 0 < ttl <= 600
    assert any(limiter.sender_key(ALICE) in key for key in keys)


@pytest.mark.redis
def test_instances_sharing_redis_and_the_secret_share_counters(redis_prefix: str) -> None:
    first, second = (
        SenderLimiter(
            "2 per 10 minutes",
            REDIS_URL,
            secret="shared" * 6,
            storage_options={"key_prefix": redis_prefix},
        )
        for _ in range(2)
    )
    assert first.allow(ALICE, "labor") is True
    assert second.allow(ALICE, "labor") is True
    assert first.allow(ALICE, "labor") is False
    assert second.allow(ALICE, "labor") is False


@pytest.mark.redis
def test_workers_sharing_redis_share_the_emergency_limit(redis_prefix: str) -> None:
    workers = [
        SenderLimiter(
            "1 per 10 minutes",
            REDIS_URL,
            secret="shared" * 6,
            emergency_rate_limit="3 per 10 minutes",
            storage_options={"key_prefix": redis_prefix},
        )
        for _ in range(2)
    ]
    allowed = [workers[i % 2].allow(ALICE, "emergency") for i in range(6)]
    assert allowed == [True, True, True, True, False, False]  # 3, one after the cap, silence
    assert workers[0].allow(BOB, "emergency") is True


# --- Through the webhook -----------------------------------------------------------------------


def test_the_webhook_goes_quiet_after_the_limit_but_still_sends_emergency_replies(
    tmp_path: Path,
) -> None:
    from twilio.request_validator import RequestValidator

    from bot import create_app
    from bot.core.matcher import match

    token, base = "ratelimit-test-token-0123456789", "https://bot.example.org"
    app = create_app(
        Settings(
            twilio_auth_token=token,
            secret_key="ratelimit-test-secret-key-0123456789",
            public_base_url=base,
            database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
            rate_limit="2 per 10 minutes",
            daily_counts=False,
        )
    )
    snapshot = runtime(app).live.snapshot
    emergency = next(
        kw
        for kw in snapshot.library.topic("emergency").keywords["en"]
        if match(kw, snapshot.matcher).topic == "emergency"
    )
    client = app.test_client()

    def messages(text: str, sender: str = ALICE) -> int:
        params = {"Body": text, "From": sender}
        signature = RequestValidator(token).compute_signature(f"{base}/sms", params)
        response = client.post("/sms", data=params, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200
        return len(ET.fromstring(response.get_data()).findall("Message"))

    try:
        assert [messages("menu") for _ in range(3)] == [1, 1, 0]
        assert [messages(emergency) for _ in range(5)] == [1, 1, 1, 1, 0]
        assert messages("menu", BOB) == 1
    finally:
        runtime(app).live.stop()
        runtime(app).store.dispose()
