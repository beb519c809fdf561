"""One sweeper at a time, on SQLite and PostgreSQL; a killed sweeper leaves no lock behind."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from bot.purge.lock import lock_for
from bot.purge.purger import Purger
from bot.purge.sweep import Budget
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent
OLD = timedelta(minutes=90)

HOLD_LOCK = """
import sys, time
from bot.store import Store
from bot.purge.lock import lock_for
with lock_for(Store(sys.argv[1])).hold() as held:
    print("held" if held else "busy", flush=True)
    time.sleep(120)
"""


def _wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def test_two_sweepers_at_once_do_not_both_delete(store, fake, purge_settings):
    sids = {fake.add(age=OLD + timedelta(minutes=i), inbound=i % 2 == 0) for i in range(6)}
    settings = Settings(**purge_settings)
    first, second = Purger(settings, store), Purger(settings, store)
    fake.gate.clear()  # every request waits: the first sweeper stops inside its sweep
    results = {}
    thread = threading.Thread(target=lambda: results.setdefault("first", first.run_once()))
    thread.start()
    try:
        _wait_for(lambda: fake.waiting >= 1)
        requests_before = len(fake.requests)
        assert second.run_once() is None  # the lock is held: nothing done
        assert second.state.outcome == "locked"
        assert len(fake.requests) == requests_before  # not one request to Twilio
    finally:
        fake.gate.set()
        thread.join(30)
    report = results["first"]
    assert report.deleted == len(sids) and report.gone == 0
    assert fake.remaining() == set() and max(fake.deleted.values()) == 1
    # Released: the next sweep gets the lock again.
    assert second.run_once(budget=Budget.of()).deleted == 0


def test_a_killed_sweeper_leaves_no_lock_behind(store):
    lock = lock_for(store)
    url = store.url.render_as_string(hide_password=False)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, url], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "held"
        with lock.hold() as held:
            assert not held
    finally:
        proc.kill()
        proc.wait(10)

    def free() -> bool:
        with lock.hold() as held:
            return held

    _wait_for(free)  # PostgreSQL ends the dead client's session; SQLite's file lock died with it


def test_the_lock_is_taken_again_after_a_sweep_released_it(store):
    lock = lock_for(store)
    with lock.hold() as held:
        assert held
        with lock_for(store).hold() as other:
            assert not other
    with lock_for(store).hold() as again:
        assert again
