"""Fixtures of the purge tests: a fake Twilio account served on 127.0.0.1, and settings for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.purge.fake_twilio import FakeTwilio


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    """A fake Twilio account with one number, running until the test ends."""
    server = FakeTwilio().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def purge_settings(fake: FakeTwilio) -> dict[str, object]:
    """Settings (as keyword arguments) that point the purge at the fake with its API key."""
    return {
        "twilio_account_sid": fake.account_sid,
        "twilio_api_key": fake.api_key,
        "twilio_api_secret": fake.api_secret,
        "twilio_api_base_url": fake.url,
        "purge_messages": "auto",
    }
