"""Publishing, history and rollback of library revisions, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC

import pytest
from sqlalchemy import text

from bot.core.library import bundle_digest, read_bundle, write_bundle
from bot.store import Revision, Store, StoreError, UnknownRevision
from tests.store.concurrency import run_at_once

V1 = {"keywords.yaml": "topics: []\n", "responses/en/menu.txt": "Menu\n"}
V2 = {**V1, "responses/es/menu.txt": "Menú ¿sí?\n"}
V3 = {**V2, "responses/en/menu.txt": "Menu, changed\n"}


def _publish(store: Store, bundle: dict[str, str], comment: str = "c") -> Revision:
    return store.publish(bundle, published_by="ops", comment=comment)


def test_an_empty_store_has_nothing_live(store):
    assert store.live_revision_id() is None
    assert store.live_revision() is None
    assert store.history() == []


def test_publish_makes_a_revision_live(store):
    rev = _publish(store, V1, "first")
    assert isinstance(rev, Revision)
    assert rev.bundle == V1 and type(rev.bundle) is dict
    assert rev.digest == bundle_digest(V1)
    assert rev.published_by == "ops" and rev.comment == "first"
    assert rev.published_at.tzinfo is not None and rev.published_at.utcoffset() == UTC.utcoffset(
        None
    )
    assert store.live_revision_id() == rev.id
    assert store.live_revision() == rev
    assert store.get_revision(rev.id) == rev
    with pytest.raises(dataclasses.FrozenInstanceError):
        rev.comment = "x"  # type: ignore[misc]


def test_history_rollback_and_roll_forward(store):
    r1, r2, r3 = (
        _publish(store, V1, "one"),
        _publish(store, V2, "two"),
        _publish(store, V3, "three"),
    )
    assert r1.id < r2.id < r3.id
    history = store.history()
    assert [h.id for h in history] == [r3.id, r2.id, r1.id]
    assert [h.live for h in history] == [True, False, False]
    assert [h.comment for h in history] == ["three", "two", "one"]
    assert history[0].files == 3 and history[0].digest == r3.digest
    assert [h.id for h in store.history(limit=2)] == [r3.id, r2.id]

    assert store.make_live(r1.id) == r1
    assert store.live_revision_id() == r1.id
    assert store.live_revision().bundle == V1
    assert [h.live for h in store.history()] == [False, False, True]
    assert store.make_live(r3.id).id == r3.id
    assert store.live_revision_id() == r3.id


def test_rollback_to_an_unknown_revision_is_an_error(store):
    rev = _publish(store, V1)
    with pytest.raises(UnknownRevision, match="no library revision 999"):
        store.make_live(999)
    with pytest.raises(UnknownRevision):
        store.get_revision(999)
    assert store.live_revision_id() == rev.id


def test_publishing_the_live_bundle_again_creates_nothing(store):
    rev = _publish(store, V1)
    again = store.publish(dict(reversed(list(V1.items()))), published_by="other", comment="again")
    assert again == rev
    assert len(store.history()) == 1
    # The same content as an older, non-live revision is a new revision (with its own comment).
    _publish(store, V2)
    back = _publish(store, V1, "back to v1")
    assert back.id not in (rev.id,) and back.digest == rev.digest
    assert store.live_revision_id() == back.id


def test_export_round_trip(store, tmp_path):
    rev = _publish(store, V3)
    write_bundle(store.get_revision(rev.id).bundle, tmp_path / "out")
    assert read_bundle(tmp_path / "out") == V3


def test_a_failure_inside_publish_leaves_the_previous_revision_live(store, monkeypatch):
    before = _publish(store, V1)

    def explode(self, conn, revision_id):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Store, "_point_live", explode)
    with pytest.raises(RuntimeError, match="disk on fire"):
        _publish(store, V2)
    monkeypatch.undo()
    assert store.live_revision_id() == before.id
    assert [h.id for h in store.history()] == [before.id]  # the new row was rolled back


def test_a_constraint_error_inside_publish_leaves_the_previous_revision_live(store, monkeypatch):
    before = _publish(store, V1)
    point_live = Store._point_live

    def dangling(self, conn, revision_id):
        point_live(self, conn, revision_id + 1000)  # no such revision: foreign key violation

    monkeypatch.setattr(Store, "_point_live", dangling)
    with pytest.raises(StoreError):
        _publish(store, V2)
    monkeypatch.undo()
    assert store.live_revision_id() == before.id
    assert [h.id for h in store.history()] == [before.id]
    assert _publish(store, V2).id != before.id  # and the store still works


def test_publish_refuses_what_is_not_a_bundle(store):
    for bad in ({}, {"keywords.yaml": 1}, ["keywords.yaml"]):
        with pytest.raises(ValueError):
            store.publish(bad, published_by="ops", comment="")  # type: ignore[arg-type]
    assert store.live_revision_id() is None


def test_a_damaged_revision_is_refused(store):
    rev = _publish(store, V1)
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE library_revision SET digest = 'x' WHERE id = :id"), {"id": rev.id}
        )
    with pytest.raises(StoreError, match="damaged"):
        store.live_revision()


def test_publish_if_empty_publishes_once_when_workers_race(store, database_url):
    results = run_at_once(
        [Store(database_url) for _ in range(4)],
        lambda i, s: s.publish_if_empty(
            {"keywords.yaml": f"worker {i}\n"}, published_by="w", comment=""
        ),
    )
    live = store.live_revision()
    assert live is not None
    assert [r.id for r in results] == [live.id] * 4
    assert [h.id for h in store.history()] == [live.id]
    # With a live revision, publish_if_empty leaves it alone.
    assert store.publish_if_empty(V1, published_by="w", comment="").id == live.id


def test_history_counts_files_in_the_database_without_fetching_any_revisions_files(store):
    from sqlalchemy import event

    _publish(store, V1, "one")
    _publish(store, {**V3, **{f"responses/en/t{i}.txt": "x\n" for i in range(40)}}, "big")
    fetched: list[list[str]] = []

    def columns(conn, cursor, statement, parameters, context, executemany):
        if cursor.description:
            fetched.append([d[0] for d in cursor.description])

    event.listen(store.engine, "after_cursor_execute", columns)
    try:
        history = store.history()
    finally:
        event.remove(store.engine, "after_cursor_execute", columns)
    assert [h.files for h in history] == [43, 2]
    assert fetched and all("content" not in names for names in fetched)


@pytest.mark.parametrize("revision_id", [0, -1, 2**31, 2**63, 10**30])
def test_a_revision_id_beyond_any_stored_one_is_unknown_not_a_database_error(store, revision_id):
    _publish(store, V1)
    with pytest.raises(UnknownRevision):
        store.get_revision(revision_id)
    with pytest.raises(UnknownRevision):
        store.make_live(revision_id)
