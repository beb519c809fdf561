"""A revision whose reader cannot be built never takes the bot down; a good one answers by it."""

from __future__ import annotations

import bot.core.examples_reader as examples_reader
from bot import runtime
from bot.live.snapshot import forget_built_snapshots
from tests import app_library, as_twilio
from tests.core.test_examples import good


def _reply(app, text: str) -> list[str]:
    response = as_twilio.post(app.test_client(), as_twilio.params(text))
    assert response.status_code == 200
    return as_twilio.messages(response)


def test_a_revision_with_examples_answers_through_its_reader(make_app):
    app = make_app()
    text = "they still owe me three weeks"  # no keyword of the test library: the menu
    assert _reply(app, text) == [runtime(app).live.snapshot.library.reply("menu", "en")]
    runtime(app).store.publish(good(), published_by="test", comment="examples")
    assert runtime(app).live.check() is True
    assert runtime(app).live.snapshot.matcher.reader is not None
    assert _reply(app, text) == [app_library.REPLIES["labor/en"]]


def test_a_revision_whose_reader_cannot_be_trained_keeps_the_old_one_serving(make_app, monkeypatch):
    app = make_app()
    live = runtime(app).live
    old = live.snapshot

    def broken(training, saved=None):
        raise MemoryError("no room to train")

    monkeypatch.setattr(examples_reader, "_trained", broken)
    forget_built_snapshots()  # a process that has not built these files before
    runtime(app).store.publish(good(), published_by="test", comment="examples")
    assert live.check() is False
    assert live.snapshot is old
    assert _reply(app, "my boss took my passport") == [app_library.REPLIES["labor/en"]]
    assert app.test_client().get("/healthz").json["reason"] == "library_invalid"


def test_a_published_reader_is_kept_and_another_worker_loads_it_without_training(
    make_app, monkeypatch
):
    from bot.core import reader_training
    from bot.library.prepare import check_bundle
    from bot.library.publishing import publish
    from bot.library.registry import deployment_registry_path

    first = make_app()
    runtime(first).live.start()  # migrates and publishes the test library
    store = runtime(first).store
    prepared = check_bundle(good(), deployment_registry_path(runtime(first).settings))
    assert publish(store, prepared, by="test", comment="examples").outcome == "published"
    examples_reader._trained.cache_clear()  # the next worker is another process
    forget_built_snapshots()

    def no_training(*args, **kwargs):
        raise AssertionError("a worker trained the reader that publishing kept")

    monkeypatch.setattr(reader_training, "train", no_training)
    second = make_app()  # the same database
    live = runtime(second).live
    live.start()
    assert live.snapshot.matcher.reader is not None
    assert _reply(second, "they still owe me three weeks") == [app_library.REPLIES["labor/en"]]


def test_a_worker_whose_store_lost_the_reader_trains_it_and_keeps_it_again(make_app):
    from bot.store.models import reader_weights

    app = make_app()
    runtime(app).live.start()
    store = runtime(app).store
    store.publish(good(), published_by="test", comment="examples")
    with store.engine.begin() as conn:
        conn.execute(reader_weights.delete())
    examples_reader._trained.cache_clear()  # as in a worker that starts now
    forget_built_snapshots()
    assert runtime(app).live.check() is True
    assert runtime(app).live.snapshot.matcher.reader is not None
    with store.engine.connect() as conn:
        assert conn.execute(reader_weights.select()).first() is not None


def test_a_check_on_the_command_line_keeps_the_reader_for_the_next_command(
    make_app, tmp_path, monkeypatch
):
    from bot.core import reader_training

    drafts = app_library.write_library(tmp_path / "drafts", good())
    checked = make_app().test_cli_runner().invoke(args=["library", "check", str(drafts)])
    assert checked.exit_code == 0, checked.output
    examples_reader._trained.cache_clear()  # the next command is another process

    def no_training(*args, **kwargs):
        raise AssertionError("the next command trained the reader the check kept")

    monkeypatch.setattr(reader_training, "train", no_training)
    other = make_app(database_url=f"sqlite:///{tmp_path / 'another.sqlite3'}")
    tried = other.test_cli_runner().invoke(
        args=["try", "--json", "--files", "--dir", str(drafts), "they still owe me three weeks"]
    )
    assert tried.exit_code == 0, tried.output
    assert '"topic": "labor"' in tried.stdout
