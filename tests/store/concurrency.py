"""Running the same work on several Store instances at once, as workers of one deployment do."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.store import Store

T = TypeVar("T")


def run_at_once(stores: Sequence[Store], work: Callable[[int, Store], T]) -> list[T]:
    """Start work(i, store) on one thread per store at the same moment; raise the first error.

    Every store is disposed afterwards. Results come back in completion order."""
    barrier = threading.Barrier(len(stores))
    results: list[T] = []
    errors: list[BaseException] = []

    def run(i: int, store: Store) -> None:
        barrier.wait()
        try:
            results.append(work(i, store))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.dispose()
    if errors:
        raise errors[0]
    return results
