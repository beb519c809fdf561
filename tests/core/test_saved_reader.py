"""A trained reader kept as bytes: loaded back bit for bit, and anything else refused, not read."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.core import examples_reader, reader_training
from bot.core.examples_reader import library_reader
from bot.core.library import load_library
from bot.core.reader import select_examples, train_reader
from bot.core.saved_reader import reader_bytes, reader_from_bytes, saved_reader_key
from tests.core.test_examples import good
from tests.core.test_reader import TRAINING, _same_reader

TOPICS = ("emergency", "labor")


@pytest.fixture(scope="module")
def trained():
    return train_reader(TRAINING, TOPICS)


def _kept():
    kept, order, _ = select_examples(TRAINING, TOPICS)
    return kept, order


def test_a_kept_reader_loads_back_with_the_same_weights_and_scores(trained):
    key = saved_reader_key(trained.digest, TOPICS)
    kept, order = _kept()
    loaded = reader_from_bytes(reader_bytes(trained, key), key, kept, order)
    assert loaded is not None
    _same_reader(loaded, trained)
    text = "nos encerraron en la bodega"
    assert loaded.scores(text) == trained.scores(text)


def test_keys_differ_with_the_examples_and_with_the_topics():
    assert saved_reader_key("a", TOPICS) != saved_reader_key("b", TOPICS)
    assert saved_reader_key("a", TOPICS) != saved_reader_key("a", ("labor", "emergency"))


def _damaged(data: bytes, how: str) -> bytes:
    end = data.index(b"\n")
    header = json.loads(data[:end])
    if how == "cut":
        return data[:-10]
    if how == "longer":
        return data + b"\0\0"
    if how == "format":
        header["format"] = 99
    if how == "shape":
        header["sections"]["weights"]["shape"] = [1 << 30, 2]
    if how == "dtype":
        header["sections"]["bias"]["dtype"] = "<f8"
    return json.dumps(header).encode() + data[end:]


@pytest.mark.parametrize("how", ["cut", "longer", "format", "shape", "dtype"])
def test_damaged_or_foreign_bytes_are_not_read_but_trained_instead(trained, how):
    key = saved_reader_key(trained.digest, TOPICS)
    kept, order = _kept()
    assert reader_from_bytes(_damaged(reader_bytes(trained, key), how), key, kept, order) is None


def test_bytes_kept_under_another_key_or_not_a_reader_are_not_read(trained):
    key = saved_reader_key(trained.digest, TOPICS)
    kept, order = _kept()
    data = reader_bytes(trained, key)
    assert reader_from_bytes(data, saved_reader_key("other", TOPICS), kept, order) is None
    assert reader_from_bytes(b"not a reader", key, kept, order) is None
    assert reader_from_bytes(b"", key, kept, order) is None
    assert reader_from_bytes(b"[1, 2]\n", key, kept, order) is None


class FakeSavedReaders:
    """SavedReaders over a dict, counting what it was asked."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}
        self.reads = 0

    def saved_reader(self, key: str) -> bytes | None:
        self.reads += 1
        return self.kept.get(key)

    def keep_reader(self, key, data) -> None:
        self.kept.setdefault(key, data())


def _forget_trained_readers() -> None:
    """Empty the process's cache of readers, as a freshly started worker has it."""
    examples_reader._trained.cache_clear()


def good_library():
    return load_library(good())


def test_a_worker_loads_the_reader_publishing_kept_instead_of_training_it(monkeypatch):
    saved = FakeSavedReaders()
    library = good_library()
    _forget_trained_readers()
    trained = library_reader(library, saved)
    assert trained is not None and len(saved.kept) == 1
    (data,) = saved.kept.values()
    assert len(data) > trained.weights.nbytes  # the arrays themselves, not a reference

    _forget_trained_readers()

    def no_training(*args, **kwargs):
        raise AssertionError("trained although a reader was kept")

    monkeypatch.setattr(reader_training, "train", no_training)
    loaded = library_reader(good_library(), saved)
    assert loaded is not None and loaded is not trained
    _same_reader(loaded, trained)
    assert not loaded.weights.flags.writeable  # read in place from the kept bytes
    assert np.array_equal(loaded.probabilities("no me pagan"), trained.probabilities("no me pagan"))


def test_a_reader_kept_for_other_examples_is_never_loaded(monkeypatch):
    saved = FakeSavedReaders()
    _forget_trained_readers()
    library_reader(good_library(), saved)
    (key,) = saved.kept
    saved.kept = {saved_reader_key("other examples", TOPICS): saved.kept[key]}
    _forget_trained_readers()
    trained_again = []
    real_train = reader_training.train
    monkeypatch.setattr(
        reader_training, "train", lambda *a, **k: trained_again.append(1) or real_train(*a, **k)
    )
    assert library_reader(good_library(), saved) is not None
    assert trained_again == [1]
    assert key in saved.kept  # and kept for the next worker
