"""Shared test fixtures."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.live.bootstrap import publish_bundled as _PUBLISH_BUNDLED
from bot.settings import PROJECT_ROOT
from tests import app_library, as_twilio
from tests.bundled import KEPT_READERS_FOLDER

# --- Database fixtures (bot.store) ------------------------------------------------------------
#
# `database_url` is parametrized over SQLite and PostgreSQL; `store` is a migrated Store on it.
# PostgreSQL is the server at 127.0.0.1:5432 (trust auth, user postgres or root, database test,
# or only BOT_TEST_POSTGRES_URL when that is set). Each test session creates its own database bot_test_<random> and
# drops it at the end; each test gets a fresh schema in it, so parallel runs never collide.
# PostgreSQL tests are skipped when the server is unreachable, unless CI is set: then they fail.

POSTGRES_CANDIDATES = (
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)


def _postgres_admin_url() -> tuple[str | None, str]:
    """A URL that can create databases on the test server, or None and why not."""
    import psycopg

    override = os.environ.get("BOT_TEST_POSTGRES_URL")
    candidates = [override] if override else list(POSTGRES_CANDIDATES)
    reason = ""
    for url in candidates:
        try:
            with psycopg.connect(url, connect_timeout=2, autocommit=True) as conn:
                conn.execute("SELECT 1")
            return url, ""
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None, reason


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (per xdist worker), dropped afterwards."""
    import psycopg

    admin, reason = _postgres_admin_url()
    if admin is None:
        message = f"the test PostgreSQL server is unreachable ({reason})"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
            pytest.fail(f"{message}; CI is set, so the PostgreSQL tests must run", pytrace=False)
        pytest.skip(
            f"{message}: start PostgreSQL on 127.0.0.1:5432 with a trusted 'postgres' user "
            "(or set BOT_TEST_POSTGRES_URL), then run pytest again; "
            "set CI=1 to make this a failure"
        )
    name = f"bot_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(admin, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: an SQLite file, or a fresh schema in the session's PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'instance' / 'bot.sqlite3'}"
        return
    import psycopg

    base = request.getfixturevalue("postgres_database_url")
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        # Every connection of the Store starts with this schema first on its search_path.
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def store(database_url: str) -> Iterator[object]:
    """A migrated bot.store.Store on each backend."""
    from bot.store import Store

    db = Store(database_url)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()


# --- App fixtures (webhook, live reload, privacy) ---------------------------------------------
#
# `make_app(**settings)` builds the real app (create_app) on the small library of
# tests/app_library.py, with an SQLite file in tmp_path; tests/as_twilio.py sends requests signed
# the way Twilio signs them. Every app made is stopped (background thread, counts, engine) afterwards.


#: Signs the console's sessions in tests (SECRET_KEY is required once a token is set).
TEST_SECRET_KEY = "test-secret-key-" + "0" * 48


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    """The test library written as files, as LIBRARY_DIR would point at it."""
    return app_library.write_library(tmp_path / "library", app_library.bundle())


@pytest.fixture(scope="session")
def bundled_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file in which the bundled library went live as a first start publishes it, made
    once per test process. An app of make_app on the bundled library starts from a copy of it:
    the first start's check and publish of nine languages (seconds) are tested where they are
    the subject (tests/test_first_publish.py, tests/live), not paid again by every page test."""
    from bot.settings import Settings
    from bot.store import Store, StoredReaders

    path = tmp_path_factory.mktemp("bundled") / "bot.sqlite3"
    store = Store(f"sqlite:///{path}")
    try:
        store.migrate()
        readers = StoredReaders(store, KEPT_READERS_FOLDER)
        # The function as imported with this file: a test may have replaced the module's own
        # (tests/test_first_publish.py) before its first app asks for this database.
        _PUBLISH_BUNDLED(store, Settings(library_dir=str(PROJECT_ROOT)), readers)
    finally:
        store.dispose()
    return path


@pytest.fixture
def make_app(tmp_path: Path, library_dir: Path, request: pytest.FixtureRequest) -> Iterator[object]:
    """A factory of real apps on the test library; settings may be overridden by keyword. An app
    on the bundled library (library_dir=PROJECT_ROOT) with the default database starts with the
    bundled library live (bundled_database)."""
    import logging
    import shutil

    from bot import create_app, runtime
    from bot.settings import Settings

    made = []
    root_level = logging.getLogger().level
    database = tmp_path / "db" / "bot.sqlite3"

    def factory(**overrides: object):
        bundled = str(overrides.get("library_dir")) == str(PROJECT_ROOT)
        if bundled and "database_url" not in overrides and not database.exists():
            database.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(request.getfixturevalue("bundled_database"), database)
        values: dict[str, object] = {
            "twilio_auth_token": as_twilio.TOKEN,
            "secret_key": TEST_SECRET_KEY,
            "database_url": f"sqlite:///{database}",
            "public_base_url": as_twilio.URL,
            "library_dir": str(library_dir),
            "reload_seconds": 3600.0,
            "daily_counts": True,
            # Tests send many texts from one number; the limiter has tests of its own.
            "rate_limit": "100000 per minute",
            "emergency_rate_limit": "100000 per minute",
        }
        values.update(overrides)
        app = create_app(Settings(**values))
        made.append(app)
        return app

    yield factory
    for app in made:
        bot_runtime = runtime(app)
        bot_runtime.live.stop()
        bot_runtime.store.dispose()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_bot_privacy", False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(root_level)


@pytest.fixture
def app(make_app):
    """A real app with its library loaded (first start published it)."""
    from bot import runtime

    app = make_app()
    runtime(app).live.start()
    return app


@pytest.fixture
def client(app):
    """A test client of `app`."""
    return app.test_client()
