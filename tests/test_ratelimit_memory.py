"""The in-process rate-limit storage expires entries without starting a thread per request."""

import threading
import time

from bot.ratelimit import SenderLimiter


def test_limiting_in_memory_starts_no_timer_thread_per_request(monkeypatch):
    limiter = SenderLimiter("3 per 1 second", "memory://")
    started = []
    monkeypatch.setattr(threading, "Timer", lambda *a, **k: started.append(a) or None)
    for n in range(12):
        limiter.allow(f"+1555000{n % 4:04d}", "labor")
        time.sleep(0.015)  # longer than limits' own 10 ms expiry timer
    assert started == []


def test_entries_still_expire_so_a_quiet_sender_is_answered_again():
    limiter = SenderLimiter("2 per 1 second", "memory://")
    assert [limiter.allow("+15550001111", "labor") for _ in range(3)] == [True, True, False]
    time.sleep(1.1)
    assert limiter.allow("+15550001111", "labor") is True
    events = limiter.storage.events
    time.sleep(1.1)
    limiter.allow("+15550002222", "labor")  # any call sweeps what has expired
    assert len([entries for entries in events.values() if entries]) == 1  # the first one is gone
