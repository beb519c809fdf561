"""The purge inside the running bot: its own thread, never in the way of /sms; /healthz and the CLI."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from bot.runtime import runtime
from tests import app_library, as_twilio
from tests.forking import in_a_forked_child
from tests.modules import loaded_by_a_new_worker

OLD = timedelta(minutes=90)


@pytest.fixture
def purge_app(make_app, purge_settings):
    """A factory of real apps with the purge pointed at the fake; their sweepers stop afterwards."""
    made = []

    def factory(**overrides):
        app = make_app(**{**purge_settings, **overrides})
        made.append(app)
        return app

    yield factory
    for app in made:
        if runtime(app).purge is not None:
            runtime(app).purge.stop()


def _wait_for(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def test_without_credentials_there_is_no_purge_and_no_wrapper(make_app):
    app = make_app()
    assert runtime(app).purge is None
    assert "purge" not in app.test_client().get("/healthz").get_json()


def test_sms_is_answered_while_the_sweeper_waits_on_a_stuck_twilio(purge_app, fake):
    for i in range(3):
        fake.add(age=OLD + timedelta(minutes=i))
    fake.gate.clear()  # Twilio answers nothing until the gate opens
    app = purge_app(purge_every_seconds=0.05)
    client = app.test_client()
    try:
        first = as_twilio.post(client, as_twilio.params("my boss took my passport"))
        assert first.status_code == 200  # and it started the sweeper thread
        _wait_for(lambda: fake.waiting >= 1)  # the sweeper is inside a request to Twilio now
        for _ in range(3):
            response = as_twilio.post(client, as_twilio.params("my boss took my passport"))
            assert response.status_code == 200
            assert as_twilio.messages(response) == [app_library.REPLIES["labor/en"]]
        health = client.get("/healthz").get_json()
        assert health["status"] == "ok" and health["purge"]["thread_alive"]
    finally:
        fake.gate.set()
    purger = runtime(app).purge
    _wait_for(lambda: purger.state.last_report is not None and fake.remaining() == set())


def test_an_unreachable_twilio_shows_on_healthz_and_sms_still_answers(purge_app, fake):
    fake.stop()
    app = purge_app(purge_every_seconds=0.05)
    purger = runtime(app).purge
    purger.backoff_base = 0.01
    client = app.test_client()
    assert as_twilio.post(client, as_twilio.params("housing")).status_code == 200
    _wait_for(lambda: purger.state.failing)
    # Retries follow each other 10 ms apart; during one /healthz says "sweeping", between two
    # it names the failure.
    _wait_for(lambda: client.get("/healthz").get_json()["purge"]["outcome"] == "twilio_unreachable")
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok"  # the bot itself is fine
    assert health["purge"]["failing"] is True
    response = as_twilio.post(client, as_twilio.params("housing"))
    assert as_twilio.messages(response) == [app_library.REPLIES["housing/en"]]


def test_healthz_shows_the_last_sweeps_counts(purge_app, fake):
    for i in range(2):
        fake.add(age=OLD + timedelta(minutes=i))
    fake.add(age=OLD, final=False)
    app = purge_app(purge_every_seconds=2)  # the first sweep within 2 s, the next 1.6 s later
    client = app.test_client()
    client.get("/healthz")  # starts the sweeper
    purger = runtime(app).purge
    _wait_for(lambda: purger.state.last_report is not None)
    sweep = client.get("/healthz").get_json()["purge"]["last_sweep"]
    assert (sweep["deleted"], sweep["not_final"], sweep["failed"]) == (2, 1, 0)


def test_flask_twilio_purge_prints_counts_and_dry_run_deletes_nothing(purge_app, fake):
    sids = [fake.add(age=OLD + timedelta(minutes=i)) for i in range(3)]
    fake.add(age=timedelta(minutes=30))
    fake.add(age=OLD, final=False)
    app = purge_app(purge_messages="false")  # the command works with the background purge off
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["twilio", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would delete: 4" in dry.output
    assert len(fake.remaining()) == 5

    result = runner.invoke(args=["twilio", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted: 3" in result.output
    assert "Not final yet (left for the next run): 1" in result.output
    assert "Failed: 0" in result.output
    assert not any(sid in result.output for sid in sids)

    shorter = runner.invoke(args=["twilio", "purge", "--older-than", "20", "--json"])
    assert json.loads(shorter.output)["deleted"] == 1
    assert len(fake.remaining()) == 1  # only the message Twilio calls not final


def test_flask_twilio_purge_with_wrong_credentials_says_what_to_fix(purge_app, fake):
    app = purge_app(twilio_api_secret="not-the-secret")
    result = app.test_cli_runner().invoke(args=["twilio", "purge"])
    assert result.exit_code == 1
    assert "rejected the credentials" in result.output
    assert "TWILIO_API_SECRET" in result.output


def test_flask_twilio_purge_without_credentials_says_what_to_set(make_app):
    result = make_app().test_cli_runner().invoke(args=["twilio", "purge"])
    assert result.exit_code != 0
    assert "TWILIO_ACCOUNT_SID" in result.output


def test_a_forked_worker_starts_its_own_sweeper_thread(purge_app, fake):
    app = purge_app(purge_every_seconds=3600)
    app.test_client().get("/healthz")
    purger = runtime(app).purge
    parents_thread = purger.background.thread
    assert purger.thread_alive()

    def child_has_its_own_sweeper() -> bool:
        app.test_client().get("/healthz")
        return purger.background.thread is not parents_thread and purger.thread_alive()

    assert in_a_forked_child(child_has_its_own_sweeper) == b"1"
    assert purger.background.thread is parents_thread and purger.thread_alive()


def test_a_worker_without_the_purge_never_loads_twilios_rest_client():
    # twilio.rest, requests and urllib3 cost a worker about 10 MB (bench/memory.py).
    assert loaded_by_a_new_worker(("twilio.rest", "requests", "bot.purge.purger")) == []
