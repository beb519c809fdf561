"""Database faults on PostgreSQL: the bot keeps answering from memory, and publishing stays atomic."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

from bot import create_app, runtime
from bot.core.library import load_library, reply_path
from bot.core.matcher import build_matcher, match
from bot.library.prepare import publishable_bundle
from bot.settings import PROJECT_ROOT, Settings
from bot.store import Store, StoreError
from tests.bundled import kept_readers

if TYPE_CHECKING:
    from tests.faults.conftest import Cluster

pytestmark = pytest.mark.slow

TOKEN = "faults-test-token-0123456789abcdef"
SECRET_KEY = "faults-test-secret-key-0123456789abcdef"
BASE_URL = "https://bot.example.org"
SENDER = "+15550001111"
#: How long the app may take to notice the database went or came back; a bound, not a benchmark.
PATIENCE_SECONDS = 30.0
MARKER = "Revision two of the labor reply."
#: One sender posts every text here; these tests are about the database, not the limiter.
NO_LIMIT = "1000000 per minute"
FLASK = str(Path(sys.executable).parent / "flask")


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting {PATIENCE_SECONDS:g}s for {what}")
        time.sleep(0.05)


def _post(client: FlaskClient, text: str) -> tuple[int, bytes]:
    params = {"Body": text, "From": SENDER, "To": "+15559990000"}
    signature = RequestValidator(TOKEN).compute_signature(f"{BASE_URL}/sms", params)
    response = client.post("/sms", data=params, headers={"X-Twilio-Signature": signature})
    return response.status_code, response.get_data()


def _is_twiml(body: bytes) -> bool:
    try:
        return ET.fromstring(body).tag == "Response"
    except ET.ParseError:
        return False


def _second_revision() -> dict[str, str]:
    """The bundled library with one more line in the English labor reply."""
    bundle = publishable_bundle(str(PROJECT_ROOT), saved=kept_readers())
    bundle[reply_path("labor", "en")] += f"\n{MARKER}"
    return bundle


def _texts(bundle: dict[str, str]) -> tuple[list[str], str]:
    """Texts covering every topic and language, some noise, and one that matches English labor."""
    library = load_library(bundle)
    matcher = build_matcher(library)
    texts = ["", "STOP", "3", "🆘🆘", "\x00\x1b[31m", "asdf qwerty", "x" * 1600]
    for topic in library.topics:
        for keywords in topic.keywords.values():
            texts += [kw for kw in keywords[:2] if match(kw, matcher).topic == topic.id]
    labor = next(
        kw
        for kw in library.topic("labor").keywords["en"]
        if (found := match(kw, matcher)).topic == "labor" and found.lang == "en"
    )
    return texts, labor


@pytest.fixture
def app(pg_cluster: Cluster) -> Iterator[Flask]:
    application = create_app(
        Settings(
            twilio_auth_token=TOKEN,
            secret_key=SECRET_KEY,
            public_base_url=BASE_URL,
            database_url=pg_cluster.create_database(),
            reload_seconds=0.1,
            rate_limit=NO_LIMIT,
            emergency_rate_limit=NO_LIMIT,
            # One sender sends every text here, whose replies must depend on the text alone.
            menu_language_seconds=0,
        )
    )
    yield application
    if not pg_cluster.running():
        pg_cluster.start()
    runtime(application).live.stop()
    runtime(application).store.dispose()


class Pounder(threading.Thread):
    """Posts texts back to back until stopped, remembering every answer that was not right."""

    def __init__(self, app: Flask, expected: dict[str, bytes]) -> None:
        super().__init__(daemon=True)
        self.client = app.test_client()
        self.expected = expected
        self.sent = 0
        self.wrong: list[tuple[str, int, bytes]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            for text, before in self.expected.items():
                status, body = _post(self.client, text)
                self.sent += 1
                right = body == before or MARKER.encode() in body  # old or newer revision
                if status != 200 or not _is_twiml(body) or not right:
                    self.wrong.append((text, status, body))


def test_replies_come_from_memory_while_the_database_is_down_and_a_newer_revision_follows(
    app: Flask, pg_cluster: Cluster
) -> None:
    live = runtime(app).live
    live.start()
    client = app.test_client()
    bundle = publishable_bundle(str(PROJECT_ROOT), saved=kept_readers())
    texts, labor_text = _texts(bundle)
    before = {text: _post(client, text) for text in texts}
    assert all(status == 200 and _is_twiml(body) for status, body in before.values())
    assert client.get("/healthz").json["status"] == "ok"
    first_revision = client.get("/healthz").json["revision"]

    pounder = Pounder(app, {text: body for text, (_, body) in before.items()})
    pounder.start()
    try:
        pg_cluster.stop()
        _wait_for(lambda: client.get("/healthz").json["status"] == "degraded", "degraded")
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json["reason"] == "database_unreachable"
        assert health.json["revision"] == first_revision
        assert {text: _post(client, text) for text in texts} == before

        pg_cluster.start()
        publisher = Store(runtime(app).store.url)
        try:
            newer = publisher.publish(_second_revision(), published_by="test", comment="meanwhile")
        finally:
            publisher.dispose()

        def serving_newer() -> bool:
            body = client.get("/healthz").json
            return body["status"] == "ok" and body["revision"] == newer.id

        _wait_for(serving_newer, f"healthz ok on revision {newer.id}")
        status, body = _post(client, labor_text)
        assert status == 200 and MARKER.encode() in body
    finally:
        pounder.halt.set()
        pounder.join()
    assert pounder.sent > len(texts)
    assert pounder.wrong == []

    # Counts kept in memory while the database was away are written once it is back.
    live.stop()
    total = len(texts) * 2 + 1 + pounder.sent
    today = datetime.now(UTC).date()
    assert sum(row.count for row in runtime(app).store.counts(today)) == total


def test_a_worker_started_while_the_database_is_down_answers_from_the_bundled_files(
    pg_cluster: Cluster,
) -> None:
    database_url = pg_cluster.create_database()
    pg_cluster.stop()
    app = create_app(
        Settings(
            twilio_auth_token=TOKEN,
            secret_key=SECRET_KEY,
            public_base_url=BASE_URL,
            database_url=database_url,
            reload_seconds=0.1,
            rate_limit=NO_LIMIT,
            emergency_rate_limit=NO_LIMIT,
            # One sender sends every text here, whose replies must depend on the text alone.
            menu_language_seconds=0,
        )
    )
    try:
        client = app.test_client()
        texts, _ = _texts(publishable_bundle(str(PROJECT_ROOT), saved=kept_readers()))
        during = {text: _post(client, text) for text in texts}
        assert all(status == 200 and _is_twiml(body) for status, body in during.values())
        health = client.get("/healthz").json
        assert (health["status"], health["reason"], health["revision"]) == (
            "degraded",
            "database_unreachable",
            None,
        )

        pg_cluster.start()
        _wait_for(lambda: client.get("/healthz").json["status"] == "ok", "healthz ok")
        assert client.get("/healthz").json["revision"] is not None
        assert {text: _post(client, text) for text in texts} == during
    finally:
        if not pg_cluster.running():
            pg_cluster.start()
        runtime(app).live.stop()
        runtime(app).store.dispose()


# --- Publishing that dies halfway -------------------------------------------------------------


@pytest.fixture
def store(pg_cluster: Cluster) -> Iterator[Store]:
    """A migrated store on a fresh database of the throwaway cluster, with one revision live."""
    db = Store(pg_cluster.create_database())
    db.migrate()
    db.publish(
        publishable_bundle(str(PROJECT_ROOT), saved=kept_readers()),
        published_by="test",
        comment="first",
    )
    yield db
    db.dispose()


def _libpq_url(store: Store) -> str:
    return store.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _assert_consistent_with_only(store: Store, revision_id: int) -> None:
    """Only this revision exists, it is live, and its files still match its digest."""
    with psycopg.connect(_libpq_url(store), autocommit=True) as conn:
        assert conn.execute("SELECT id FROM library_revision").fetchall() == [(revision_id,)]
        assert conn.execute("SELECT id, revision_id FROM live_revision").fetchall() == [
            (1, revision_id)
        ]
    live = store.live_revision()  # raises StoreError if the content does not match the digest
    assert live is not None and live.id == revision_id


def _library_dir(tmp_path: Path) -> Path:
    """A copy of the bundled library files with the second revision's labor reply."""
    directory = tmp_path / "library"
    shutil.copytree(PROJECT_ROOT / "responses", directory / "responses")
    for name in ("keywords.yaml", "numbers.yaml"):
        shutil.copy(PROJECT_ROOT / name, directory / name)
    labor = directory / reply_path("labor", "en")
    labor.write_text(labor.read_text(encoding="utf-8") + f"\n{MARKER}\n", encoding="utf-8")
    return directory


def _publish_command(store: Store, directory: Path) -> list[str]:
    return [FLASK, "--app", "wsgi", "library", "publish", str(directory), "-m", "t", "--by", "t"]


def _cli_env(store: Store) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _libpq_url(store),
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": SECRET_KEY,
        "PYTHONPATH": str(PROJECT_ROOT),
    }


def test_a_publish_killed_inside_its_transaction_leaves_the_previous_revision_live(
    store: Store, tmp_path: Path
) -> None:
    first = store.live_revision_id()
    assert first is not None
    directory = _library_dir(tmp_path)
    with (
        psycopg.connect(_libpq_url(store)) as blocker,
        psycopg.connect(_libpq_url(store), autocommit=True) as observer,
    ):
        # Reads go on, but the publish blocks on moving the live pointer, after it has inserted
        # its revision row: the moment a kill hurts most.
        blocker.execute("LOCK TABLE live_revision IN EXCLUSIVE MODE")
        process = subprocess.Popen(
            _publish_command(store, directory),
            cwd=PROJECT_ROOT,
            env=_cli_env(store),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:

            def publisher_waits_inside_its_transaction() -> bool:
                row = observer.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND backend_xid IS NOT NULL AND query ILIKE '%live_revision%'"
                ).fetchone()
                return bool(row and row[0] == 1)

            _wait_for(publisher_waits_inside_its_transaction, "the publish to reach the lock")
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
        blocker.rollback()

        def publisher_backend_gone() -> bool:
            row = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL"
                " AND pid <> pg_backend_pid()"
            ).fetchone()
            return bool(row and row[0] == 0)

        _wait_for(publisher_backend_gone, "the killed publisher's transaction to end")

    _assert_consistent_with_only(store, first)

    # Nothing is wedged: the same publish, run to the end, makes the second revision live.
    done = subprocess.run(
        _publish_command(store, directory),
        cwd=PROJECT_ROOT,
        env=_cli_env(store),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    live = store.live_revision()
    assert live is not None and live.id != first
    assert MARKER in live.bundle[reply_path("labor", "en")]


def test_a_publish_that_breaks_a_constraint_leaves_the_previous_revision_live(
    store: Store, tmp_path: Path
) -> None:
    first = store.live_revision_id()
    assert first is not None
    with psycopg.connect(_libpq_url(store), autocommit=True) as conn:
        # The revision row goes in, then moving the live pointer breaks this check.
        conn.execute(
            f"ALTER TABLE live_revision ADD CONSTRAINT faults_pinned CHECK (revision_id <= {first})"
        )
    with pytest.raises(StoreError):
        store.publish(_second_revision(), published_by="test", comment="refused")
    _assert_consistent_with_only(store, first)

    done = subprocess.run(
        _publish_command(store, _library_dir(tmp_path)),
        cwd=PROJECT_ROOT,
        env=_cli_env(store),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Error:" in done.stderr and "Traceback" not in done.stderr
    _assert_consistent_with_only(store, first)
