"""The first start publishes a large bundled library from a short-lived child process, so that no
worker holds the check's peak; a small library, or a child that fails, is published in place."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import bot.live.bootstrap as bootstrap
import bot.live.first_publish as first_publish
from bot import runtime
from bot.live.first_publish import CHILD_MIN_EXAMPLE_BYTES, examples_bytes
from bot.store.engine import NotMigrated

ROOT = Path(__file__).resolve().parent.parent


def test_the_bundled_library_is_large_and_the_test_library_is_not(library_dir):
    assert examples_bytes(ROOT) >= CHILD_MIN_EXAMPLE_BYTES
    assert examples_bytes(library_dir) < CHILD_MIN_EXAMPLE_BYTES


@pytest.mark.slow  # a child process checks and publishes the bundled library
def test_a_large_library_is_published_by_a_child_and_the_worker_only_loads_it(
    make_app, monkeypatch, tmp_path
):
    def not_here(*args, **kwargs):
        raise AssertionError("the worker checked and published the library itself")

    monkeypatch.setattr(bootstrap, "publish_bundled", not_here)
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"  # not the tests' bundled_database
    app = make_app(library_dir=str(ROOT), database_url=empty)
    with pytest.raises(NotMigrated):  # a first start: not even tables yet
        runtime(app).store.live_revision_id()
    live = runtime(app).live
    live.start()
    assert live.snapshot.revision_id is not None
    assert live.snapshot.matcher.reader is not None
    assert runtime(app).store.live_revision().published_by == bootstrap.AUTO_PUBLISHER


def test_a_child_that_fails_leaves_the_publish_to_the_worker(make_app, monkeypatch, caplog):
    monkeypatch.setattr(first_publish, "CHILD_MIN_EXAMPLE_BYTES", 0)
    monkeypatch.setattr(first_publish.sys, "executable", "/bin/false")
    app = make_app()
    with caplog.at_level(logging.WARNING, logger="bot.live.first_publish"):
        runtime(app).live.start()
    assert "publishing process exited with 1" in caplog.text
    assert runtime(app).live.snapshot.revision_id is not None


def test_a_small_library_is_published_in_the_worker_without_a_child(make_app, monkeypatch):
    def no_child(*args, **kwargs):
        raise AssertionError("a child process for a small library")

    monkeypatch.setattr(first_publish.subprocess, "run", no_child)
    app = make_app()
    runtime(app).live.start()
    assert runtime(app).live.snapshot.revision_id is not None
