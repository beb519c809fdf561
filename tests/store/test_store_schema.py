"""The store's schema: what the migrations create, and that nothing in it can hold message data."""

from __future__ import annotations

import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import bot.console.models  # noqa: F401 - the console's tables are on the same MetaData
from bot.store import NotMigrated, Store, StoreUnavailable, normalize_url, schema
from bot.store.models import metadata
from tests.store.concurrency import run_at_once

EXPECTED_COLUMNS = {
    "library_revision": {"id", "published_at", "published_by", "comment", "content", "digest"},
    "live_revision": {"id", "revision_id"},
    "daily_count": {"day", "topic", "lang", "count"},
    "alembic_version": {"version_num"},
    "console_account": {
        "id",
        "name",
        "password_hash",
        "role",
        "active",
        "created_at",
        "session_epoch",
    },
    "console_draft": {"id", "base_revision_id", "content", "updated_at", "updated_by"},
    "console_audit": {"id", "at", "actor", "action", "detail"},
    "console_login_refusal": {"day", "account", "reason", "count"},
    "reader_weights": {"key", "saved_at", "data"},
}

#: The newest migration.
HEAD = "0004"

#: Words a column holding message data would be named after.
FORBIDDEN = ("phone", "number", "sender", "from", "to_", "body", "message", "sid", "msisdn", "text")


def _columns(store: Store) -> dict[str, set[str]]:
    with store.engine.connect() as conn:
        inspector = inspect(conn)
        return {
            t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()
        }


def test_migrations_create_exactly_the_expected_tables(store):
    assert sorted(inspect(store.engine).get_table_names()) == sorted(EXPECTED_COLUMNS)
    assert store.schema_revision() == HEAD


def test_no_column_could_hold_a_number_or_a_message(store):
    columns = _columns(store)
    assert columns == EXPECTED_COLUMNS
    for table, names in columns.items():
        for name in names:
            assert not any(word in f"{table}.{name}" for word in FORBIDDEN), (table, name)


def test_models_match_the_migrations(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_migrate_is_idempotent(store):
    assert store.migrate() == HEAD
    assert sorted(inspect(store.engine).get_table_names()) == sorted(EXPECTED_COLUMNS)


def test_workers_migrating_at_once_do_not_collide(database_url):
    run_at_once([Store(database_url) for _ in range(4)], lambda _i, s: s.migrate())
    check = Store(database_url)
    assert check.schema_revision() == HEAD
    check.dispose()


def test_an_unmigrated_database_says_how_to_fix_it(database_url):
    s = Store(database_url)
    try:
        assert s.schema_revision() is None
        with pytest.raises(NotMigrated, match="flask db upgrade"):
            s.live_revision_id()
    finally:
        s.dispose()


def test_sqlite_file_gets_its_folder(tmp_path):
    path = tmp_path / "a" / "b" / "bot.sqlite3"
    s = Store(f"sqlite:///{path}")
    s.migrate()
    s.dispose()
    assert path.is_file()


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u:p@db:5432/bot", "postgresql+psycopg"),
        ("postgres://u:p@db/bot", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db/bot", "postgresql+psycopg"),
        ("sqlite:////tmp/x.sqlite3", "sqlite"),
    ],
)
def test_postgresql_urls_use_psycopg_3(given, driver):
    assert normalize_url(given).drivername == driver


def test_a_dead_database_fails_fast_with_a_clear_error():
    s = Store("postgresql://nobody:secret@127.0.0.1:1/none")
    assert s.engine.pool._pre_ping
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        s.live_revision_id()
    assert time.monotonic() - started < 5
    assert "unavailable" in str(caught.value)
    assert "secret" not in str(caught.value)
    s.dispose()


def test_a_migration_locked_out_by_another_worker_is_retried_on_sqlite_only(
    database_url, monkeypatch
):
    store = Store(database_url)
    real_migrate = schema._migrate
    calls = []

    def locked_once(engine):
        calls.append(1)
        if len(calls) == 1:
            raise StoreUnavailable("database x is unavailable: database is locked")
        return real_migrate(engine)

    monkeypatch.setattr(schema, "_migrate", locked_once)
    monkeypatch.setattr(schema, "SQLITE_LOCKED_RETRY_SECONDS", 0.01)
    if store.dialect == "sqlite":
        assert store.migrate() == HEAD
        assert len(calls) == 2
    else:
        with pytest.raises(StoreUnavailable):
            store.migrate()
    store.dispose()
