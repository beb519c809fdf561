"""The language remembered per sender: under the limiter's keyed hash, the code and nothing else."""

from __future__ import annotations

import time

from bot.ratelimit import LANGUAGE_NAMESPACE, LanguageMemory, SenderLimiter, language_memory_for
from bot.settings import Settings

SECRET = "a-long-random-secret-for-tests-0123"


def memory(seconds: int = 1800) -> LanguageMemory:
    return LanguageMemory(SenderLimiter("10 per minute", "memory://", SECRET), seconds)


def test_a_language_is_kept_per_sender_and_replaced():
    kept = memory()
    kept.remember("+15005550006", "es", default="en")
    assert kept.recall("+15005550006") == "es"
    assert kept.recall("+15005550007") is None
    kept.remember("+15005550006", "en", default="en")  # the default replaces another language
    assert kept.recall("+15005550006") == "en"


def test_the_default_language_alone_is_not_written():
    kept = memory()
    kept.remember("+15005550006", "en", default="en")
    assert kept.recall("+15005550006") is None
    assert not kept.limiter.storage.storage


def test_the_stored_key_is_a_hash_and_the_value_the_code():
    kept = memory()
    kept.remember("+15005550006", "zh-Hans")
    [(key, value)] = kept.limiter.storage.storage.items()
    assert key.startswith(LANGUAGE_NAMESPACE) and "5005550006" not in key
    assert value.to_bytes(8, "big").lstrip(b"\0") == b"zh-Hans"


def test_a_code_longer_than_eight_letters_is_not_kept():
    kept = memory()
    kept.remember("+15005550006", "sr-Latn-RS")
    assert kept.recall("+15005550006") is None


def test_it_expires_with_its_window():
    kept = memory(seconds=1)
    kept.remember("+15005550006", "es")
    time.sleep(1.2)
    assert kept.recall("+15005550006") is None


def test_a_failing_storage_forgets_and_never_raises():
    kept = memory()

    class Broken:
        def get(self, _key):
            raise ConnectionError("down")

        clear = incr = get

    kept.limiter.storage = Broken()
    kept.remember("+15005550006", "es")
    assert kept.recall("+15005550006") is None


def test_zero_seconds_keeps_nothing():
    assert language_memory_for(Settings(menu_language_seconds=0), object()) is None
    settings = Settings(menu_language_seconds=60)
    assert language_memory_for(settings, SenderLimiter("10 per minute")) is not None
