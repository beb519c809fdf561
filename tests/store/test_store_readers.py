"""Trained readers kept in the store: saved once per key, read back whole, only the newest kept."""

from __future__ import annotations

from bot.store import StoredReaders, StoreError
from bot.store.models import READERS_KEPT


def test_a_saved_reader_is_read_back_byte_for_byte(store):
    data = bytes(range(256)) * 1000
    assert store.saved_reader("k1") is None
    assert not store.has_saved_reader("k1")
    store.save_reader("k1", data)
    assert store.saved_reader("k1") == data
    assert store.has_saved_reader("k1")


def test_saving_a_key_again_keeps_the_first_bytes(store):
    store.save_reader("k1", b"first")
    store.save_reader("k1", b"second")  # another worker trained the same examples meanwhile
    assert store.saved_reader("k1") == b"first"


def test_only_the_newest_readers_are_kept(store):
    for i in range(READERS_KEPT + 3):
        store.save_reader(f"key{i:02d}", f"reader {i}".encode())
    kept = [i for i in range(READERS_KEPT + 3) if store.has_saved_reader(f"key{i:02d}")]
    assert kept == list(range(3, READERS_KEPT + 3))


def test_stored_readers_keep_once_and_never_ask_again(store):
    readers = StoredReaders(store)
    made = []

    def data() -> bytes:
        made.append(1)
        return b"weights"

    readers.keep_reader("k", data)
    readers.keep_reader("k", data)
    assert made == [1]
    assert readers.saved_reader("k") == b"weights"
    assert StoredReaders(store).saved_reader("missing") is None


class _BrokenStore:
    def saved_reader(self, key):
        raise StoreError("database down")

    has_saved_reader = saved_reader

    def save_reader(self, key, data):
        raise StoreError("database down")


def test_a_store_that_fails_means_training_not_an_error(caplog):
    readers = StoredReaders(_BrokenStore())
    assert readers.saved_reader("k") is None
    readers.keep_reader("k", lambda: b"weights")  # logged, not raised
    assert "could not" in caplog.text and "database down" not in caplog.text


def test_a_folder_keeps_readers_for_commands_that_check_files_before_any_database(tmp_path):
    folder = tmp_path / "readers"
    key = "ab" * 32
    StoredReaders(None, folder).keep_reader(key, lambda: b"weights")
    assert (folder / f"{key}.reader").read_bytes() == b"weights"
    assert not list(folder.glob("*.partial"))  # written whole, then renamed
    assert StoredReaders(None, folder).saved_reader(key) == b"weights"  # another process
    assert StoredReaders(None, folder).saved_reader("cd" * 32) is None


def test_the_folder_is_read_first_then_the_database_and_both_keep_what_one_lacks(store, tmp_path):
    folder = tmp_path / "readers"
    key = "ef" * 32
    store.save_reader(key, b"from the database")
    readers = StoredReaders(store, folder)
    assert readers.saved_reader(key) == b"from the database"  # no file yet
    readers.keep_reader(key, lambda: b"from the database")
    assert (folder / f"{key}.reader").read_bytes() == b"from the database"
    other = "12" * 32
    StoredReaders(None, folder).keep_reader(other, lambda: b"from the folder")
    assert StoredReaders(store, folder).saved_reader(other) == b"from the folder"
    StoredReaders(store, folder).keep_reader(other, lambda: b"from the folder")
    assert store.saved_reader(other) == b"from the folder"


def test_only_the_newest_reader_files_are_kept(tmp_path):
    import os

    folder = tmp_path / "readers"
    keys = [f"{i:064x}" for i in range(READERS_KEPT + 2)]
    for age, key in enumerate(reversed(keys)):
        StoredReaders(None, folder).keep_reader(key, lambda: b"w")
        os.utime(folder / f"{key}.reader", (1_000_000 - age, 1_000_000 - age))
    StoredReaders(None, folder).keep_reader("f" * 64, lambda: b"w")
    kept = {p.stem for p in folder.glob("*.reader")}
    assert len(kept) == READERS_KEPT and "f" * 64 in kept


def test_a_key_that_is_not_a_digest_never_names_a_file(tmp_path):
    folder = tmp_path / "readers"
    StoredReaders(None, folder).keep_reader("../../etc/passwd", lambda: b"w")
    assert not folder.exists() or not any(folder.iterdir())
    assert StoredReaders(None, folder).saved_reader("../../etc/passwd") is None


def test_a_database_without_tables_yet_keeps_nothing_and_says_nothing(tmp_path, caplog):
    # Before the first start or `flask db upgrade`: no warning on every `flask try` or check.
    from bot.store import Store

    store = Store(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        kept = StoredReaders(store, tmp_path / "readers")
        kept.keep_reader("abc123", lambda: b"weights")
        assert kept.saved_reader("abc123") == b"weights"  # from the folder
        assert StoredReaders(store).saved_reader("abc123") is None
    finally:
        store.dispose()
    assert caplog.records == []
