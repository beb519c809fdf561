"""Anonymous daily counts: upserts, concurrency, and refusing anything that is not a topic id."""

from __future__ import annotations

from datetime import date

import pytest

from bot.store import CountRow, Store
from tests.store.concurrency import run_at_once

DAY = date(2026, 3, 1)


def test_add_counts_upserts(store):
    store.add_counts({(DAY, "shelter", "en"): 1})
    store.add_counts({(DAY, "shelter", "en"): 1})
    store.add_counts({(DAY, "shelter", "es"): 1})
    store.add_counts({(date(2026, 3, 2), "labor", "en"): 3})
    assert store.counts(DAY) == [
        CountRow(DAY, "shelter", "en", 2),
        CountRow(DAY, "shelter", "es", 1),
        CountRow(date(2026, 3, 2), "labor", "en", 3),
    ]
    assert store.counts(date(2026, 3, 2)) == [CountRow(date(2026, 3, 2), "labor", "en", 3)]
    assert sum(row.count for row in store.counts(DAY)) == 6


def test_add_counts_adds_a_whole_batch_to_the_counts_already_there(store):
    store.add_counts({(DAY, "shelter", "en"): 2})
    store.add_counts(
        {(DAY, "shelter", "en"): 3, (DAY, "labor", "es"): 1, (date(2026, 3, 2), "menu", "en"): 4}
    )
    assert store.counts(DAY) == [
        CountRow(DAY, "labor", "es", 1),
        CountRow(DAY, "shelter", "en", 5),
        CountRow(date(2026, 3, 2), "menu", "en", 4),
    ]
    store.add_counts({})
    assert sum(row.count for row in store.counts(DAY)) == 10


def test_add_counts_writes_nothing_when_one_key_is_refused(store):
    with pytest.raises(ValueError) as caught:
        store.add_counts({(DAY, "shelter", "en"): 1, (DAY, "my boss hit me", "en"): 1})
    assert "my boss hit me" not in str(caught.value)
    assert store.counts(DAY) == []


def test_concurrent_batches_lose_no_counts(store, database_url):
    workers, each = 6, 10

    def count(_i: int, s: Store) -> None:
        for _ in range(each):
            s.add_counts({(DAY, "menu", "en"): 1, (DAY, "labor", "es"): 2})

    run_at_once([Store(database_url) for _ in range(workers)], count)
    assert store.counts(DAY) == [
        CountRow(DAY, "labor", "es", 2 * workers * each),
        CountRow(DAY, "menu", "en", workers * each),
    ]


def test_concurrent_workers_lose_no_counts(store, database_url):
    workers, each = 6, 20

    def count(_i: int, s: Store) -> None:
        for _ in range(each):
            s.add_counts({(DAY, "menu", "en"): 1})

    run_at_once([Store(database_url) for _ in range(workers)], count)
    assert store.counts(DAY) == [CountRow(DAY, "menu", "en", workers * each)]


@pytest.mark.parametrize(
    ("topic", "lang"),
    [
        ("+1 555 123 4567", "en"),
        ("i need help please", "en"),
        ("shelter", "hola necesito ayuda"),
        ("x" * 65, "en"),
        ("", "en"),
    ],
)
def test_add_counts_refuses_message_data_without_echoing_it(store, topic, lang):
    with pytest.raises(ValueError) as caught:
        store.add_counts({(DAY, topic, lang): 1})
    assert (topic or "\0") not in str(caught.value)
    assert store.counts(DAY) == []
