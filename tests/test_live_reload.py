"""The live library: first start, reload across workers, broken revisions, a database gone away."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from bot import runtime
from bot.live import AUTO_COMMENT, AUTO_PUBLISHER, Snapshot
from bot.store import StoreUnavailable
from tests import app_library, as_twilio
from tests.forking import in_a_forked_child

NEW_LABOR = "Work, new text: call the hotline 1-888-373-7888 or text 233733."


def _reply(app, text: str = "my boss took my passport") -> list[str]:
    response = as_twilio.post(app.test_client(), as_twilio.params(text))
    assert response.status_code == 200
    return as_twilio.messages(response)


def _down(*_args, **_kwargs):
    raise StoreUnavailable("database is unavailable: connection refused")


def test_first_start_on_an_empty_database_publishes_the_bundled_library_once(make_app):
    app = make_app()
    store = runtime(app).store
    assert _reply(app) == [app_library.REPLIES["labor/en"]]
    history = store.history()
    assert len(history) == 1
    assert (history[0].published_by, history[0].comment) == (AUTO_PUBLISHER, AUTO_COMMENT)
    assert runtime(app).live.snapshot.revision_id == history[0].id
    # A second worker (or a restart) finds it live and publishes nothing more.
    other = make_app()
    assert _reply(other) == [app_library.REPLIES["labor/en"]]
    assert len(runtime(other).store.history()) == 1


def test_workers_starting_at_once_publish_the_bundled_library_once(make_app):
    apps = [make_app() for _ in range(4)]
    barrier = threading.Barrier(len(apps))
    errors: list[BaseException] = []

    def start(app):
        try:
            barrier.wait()
            runtime(app).live.start()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(runtime(apps[0]).store.history()) == 1
    ids = {runtime(a).live.snapshot.revision_id for a in apps}
    assert len(ids) == 1
    assert all(runtime(a).live.current_health().status == "ok" for a in apps)


def test_the_bundled_library_is_published_as_publish_would_transliterate_it(make_app, tmp_path):
    # A curly apostrophe would force UCS-2; publish swaps it for a plain one, and so does first start.
    library = app_library.write_library(
        tmp_path / "curly",
        app_library.bundle(labor_en="Work: don\u2019t wait, call 1-888-373-7888."),
    )
    app = make_app(library_dir=str(library))
    assert _reply(app) == ["Work: don't wait, call 1-888-373-7888."]


def test_a_bundled_library_that_fails_the_checks_is_not_published(make_app, tmp_path):
    library = app_library.write_library(
        tmp_path / "unverified", app_library.bundle(labor_en="Work: call 1-555-010-9999 now.")
    )
    app = make_app(library_dir=str(library))
    client = app.test_client()
    response = as_twilio.post(client, as_twilio.params("hello"))
    assert response.status_code == 200
    assert runtime(app).store.history() == []
    assert client.get("/healthz").status_code == 503


def test_a_new_revision_goes_live_in_another_worker_after_a_check(make_app):
    publisher, worker = make_app(), make_app()
    assert _reply(worker) == [app_library.REPLIES["labor/en"]]
    before = runtime(worker).live.snapshot
    revision = runtime(publisher).store.publish(
        app_library.bundle(labor_en=NEW_LABOR), published_by="test", comment="new labor text"
    )
    assert _reply(worker) == [app_library.REPLIES["labor/en"]]  # not before the worker checks
    assert runtime(worker).live.check() is True
    assert _reply(worker) == [NEW_LABOR]
    after = runtime(worker).live.snapshot
    assert (after.revision_id, after.digest) == (revision.id, revision.digest)
    assert after.digest != before.digest
    health = worker.test_client().get("/healthz").json
    assert (health["status"], health["revision"]) == ("ok", revision.id)


def test_the_background_thread_picks_up_a_new_revision_without_a_restart(make_app):
    publisher, worker = make_app(), make_app(reload_seconds=0.05)
    assert _reply(worker) == [
        app_library.REPLIES["labor/en"]
    ]  # the first request starts the thread
    assert runtime(worker).live.background.alive()
    runtime(publisher).store.publish(
        app_library.bundle(labor_en=NEW_LABOR), published_by="test", comment="new labor text"
    )
    deadline = time.monotonic() + 10
    while _reply(worker) != [NEW_LABOR]:
        assert time.monotonic() < deadline, "the new revision never went live"
        time.sleep(0.05)


def test_a_rollback_goes_live_the_same_way(make_app):
    app = make_app()
    assert _reply(app) == [app_library.REPLIES["labor/en"]]
    first = runtime(app).live.snapshot.revision_id
    store = runtime(app).store
    store.publish(app_library.bundle(labor_en=NEW_LABOR), published_by="test", comment="new")
    runtime(app).live.check()
    assert _reply(app) == [NEW_LABOR]
    store.make_live(first)
    runtime(app).live.check()
    assert _reply(app) == [app_library.REPLIES["labor/en"]]


def test_publishing_a_broken_library_leaves_the_live_revision_unchanged(make_app, tmp_path):
    app = make_app()
    assert _reply(app) == [app_library.REPLIES["labor/en"]]
    store = runtime(app).store
    live_before = store.live_revision_id()
    broken = app_library.bundle()
    del broken["responses/es/labor.txt"]  # a missing translation: the library does not load
    directory = app_library.write_library(tmp_path / "broken", broken)
    result = app.test_cli_runner().invoke(
        args=["library", "publish", str(directory), "--comment", "broken"]
    )
    assert result.exit_code != 0
    assert store.live_revision_id() == live_before
    runtime(app).live.check()
    assert _reply(app) == [app_library.REPLIES["labor/en"]]


def test_a_live_revision_that_does_not_load_keeps_the_old_library_and_degrades(make_app):
    app = make_app()
    assert _reply(app) == [app_library.REPLIES["labor/en"]]
    live = runtime(app).live
    old = live.snapshot
    broken = app_library.bundle(labor_en=NEW_LABOR)
    del broken["responses/es/labor.txt"]
    # Straight through the store, skipping publish's checks, as an older bot version might.
    runtime(app).store.publish(broken, published_by="test", comment="broken")
    assert live.check() is False
    assert live.snapshot is old
    assert _reply(app) == [app_library.REPLIES["labor/en"]]
    health = app.test_client().get("/healthz")
    assert health.status_code == 200
    assert health.json["status"] == "degraded"
    assert health.json["reason"] == "library_invalid"
    assert health.json["revision"] == old.revision_id


def test_an_unreachable_database_keeps_replies_right_from_memory_and_degrades_health(
    make_app, monkeypatch
):
    app = make_app()
    assert _reply(app) == [app_library.REPLIES["labor/en"]]
    live, store = runtime(app).live, runtime(app).store
    revision = live.snapshot.revision_id
    monkeypatch.setattr(store, "live_revision_id", _down)
    monkeypatch.setattr(store, "add_counts", _down)
    live.check()
    assert _reply(app) == [app_library.REPLIES["labor/en"]]
    assert _reply(app, "no me pagan") == [app_library.REPLIES["labor/es"]]
    health = app.test_client().get("/healthz")
    assert health.status_code == 200
    assert health.json == {
        "status": "degraded",
        "reason": "database_unreachable",
        "revision": revision,
        "digest": live.snapshot.digest,
    }
    monkeypatch.undo()
    live.check()
    assert app.test_client().get("/healthz").json["status"] == "ok"


def test_an_unreachable_database_at_start_serves_the_bundled_files(make_app, tmp_path):
    # A directory where the SQLite file should be: every connection fails, as with a dead server.
    (tmp_path / "not-a-file.sqlite3").mkdir()
    app = make_app(database_url=f"sqlite:///{tmp_path / 'not-a-file.sqlite3'}")
    assert _reply(app) == [app_library.REPLIES["labor/en"]]
    health = app.test_client().get("/healthz")
    assert health.status_code == 200
    assert health.json["status"] == "degraded"
    assert health.json["reason"] == "database_unreachable"
    assert health.json["revision"] is None
    assert health.json["digest"] == runtime(app).live.snapshot.digest


def test_a_database_that_comes_back_is_used_again(make_app, monkeypatch):
    app = make_app()
    live, store = runtime(app).live, runtime(app).store
    monkeypatch.setattr(store, "live_revision", _down)
    live.start()
    assert live.snapshot.revision_id is None
    assert live.current_health().reason == "database_unreachable"
    monkeypatch.undo()
    assert live.check() is True
    assert isinstance(live.snapshot.revision_id, int)
    assert live.current_health().status == "ok"
    assert len(store.history()) == 1


def test_a_slow_database_never_delays_a_reply(make_app, monkeypatch):
    app = make_app(reload_seconds=0.05)
    client = app.test_client()
    assert as_twilio.post(client, as_twilio.params("hello")).status_code == 200  # starts the thread
    store = runtime(app).store
    entered = threading.Event()

    def slow(*_args, **_kwargs):
        entered.set()
        time.sleep(3)
        raise StoreUnavailable("timed out")

    monkeypatch.setattr(store, "live_revision_id", slow)
    monkeypatch.setattr(store, "add_counts", slow)
    assert entered.wait(5), "the background check never ran"
    worst = 0.0
    for _ in range(20):
        started = time.perf_counter()
        response = as_twilio.post(client, as_twilio.params("my boss took my passport"))
        worst = max(worst, time.perf_counter() - started)
        assert as_twilio.messages(response) == [app_library.REPLIES["labor/en"]]
    assert worst < 0.5, f"a reply took {worst:.3f}s while the database hung"


def test_a_reload_swaps_the_whole_library_at_once(make_app):
    app = make_app()
    live, store = runtime(app).live, runtime(app).store
    live.start()

    def index(snapshot: Snapshot, lang: str, word: str) -> str | None:
        found = re.search(rf"{word} (\d)", snapshot.reply("labor", lang).decode())
        return found.group(1) if found else None

    seen: list[tuple[str | None, str | None]] = []
    stop = threading.Event()

    def read():
        while not stop.is_set():
            snapshot = live.snapshot
            seen.append((index(snapshot, "en", "Work"), index(snapshot, "es", "Trabajo")))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    for i in range(5):
        bundle = app_library.bundle(
            labor_en=f"Work {i}: call 1-888-373-7888.", labor_es=f"Trabajo {i}: 1-888-373-7888."
        )
        store.publish(bundle, published_by="test", comment=f"churn {i}")
        assert live.check() is True
    stop.set()
    for reader in readers:
        reader.join(10)
    assert seen
    assert all(en == es for en, es in seen)
    assert index(live.snapshot, "en", "Work") == "4"


def test_a_forked_worker_starts_its_own_thread_and_drops_its_parents_counts(make_app):
    from datetime import date

    app = make_app(reload_seconds=0.05)
    live = runtime(app).live
    live.start()
    live.ensure_running()
    live.counts.add(date.today(), "labor", "en")
    parents_thread = live.background.thread

    def child_has_its_own_thread_and_no_counts() -> bool:
        live.ensure_running()
        return (
            live.background.thread is not parents_thread
            and live.background.alive()
            and live.counts.pending() == {}
        )

    assert in_a_forked_child(child_has_its_own_thread_and_no_counts) == b"1"
    assert live.background.thread is parents_thread and live.background.alive()
    assert live.counts.pending() == {(date.today(), "labor", "en"): 1}


def test_gunicorn_hooks_load_the_library_before_the_first_request(make_app):
    import runpy

    config = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    app = make_app()

    class Worker:
        wsgi = app

    config["post_worker_init"](Worker())
    assert runtime(app).live.started
    assert runtime(app).live.background.alive()
    config["worker_exit"](None, Worker())
    assert not runtime(app).live.background.alive()


@pytest.mark.parametrize("seconds", [0, 0.0])
def test_reload_seconds_zero_does_not_spin(make_app, seconds):
    app = make_app(reload_seconds=seconds)
    live = runtime(app).live
    calls = []
    original = live.check

    def counting():
        calls.append(1)
        return original()

    live.check = counting  # type: ignore[method-assign]
    live.start()
    live.ensure_running()
    time.sleep(0.5)
    assert 1 <= len(calls) <= 15


def test_any_first_request_starts_the_reload_thread_from_the_outermost_layer(make_app):
    from bot.runtime import BackgroundJobs

    app = make_app()
    assert isinstance(app.wsgi_app, BackgroundJobs)  # outside the Twilio endpoint and ProxyFix
    assert not runtime(app).live.background.alive()
    assert app.test_client().get("/healthz").status_code == 200  # a Flask path, not /sms
    assert runtime(app).live.background.alive()


def test_a_second_app_on_the_same_revision_shares_its_snapshot_and_a_rollback_reuses_it(make_app):
    from bot.live.snapshot import revision_snapshot

    first = make_app()
    runtime(first).live.start()
    second = make_app()  # the same database: the same revision
    runtime(second).live.start()
    one, two = runtime(first).live.snapshot, runtime(second).live.snapshot
    assert one.matcher is two.matcher and one.library is two.library
    # The same files published again as a new revision: shared, under its own id.
    store = runtime(first).store
    again = store.get_revision(one.revision_id)
    renamed = type(again)(**{**vars(again), "id": again.id + 1})
    shared = revision_snapshot(renamed)
    assert shared.revision_id == again.id + 1 and shared.matcher is one.matcher
