"""One background thread per process, started again in a process forked from one that had it."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable


class BackgroundThread:
    """A daemon thread running `target(stop_event)`, started on demand in each process.

    gunicorn forks workers from a master that may have started it: a thread does not survive a
    fork, so each process starts its own on its first request, after calling `on_fork` to drop
    what the parent's thread held (pooled connections, unflushed counts)."""

    def __init__(
        self, name: str, target: Callable[[threading.Event], None], on_fork: Callable[[], None]
    ) -> None:
        self.name = name
        self.target = target
        self.on_fork = on_fork
        self.thread: threading.Thread | None = None
        self.pid: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def ensure_running(self) -> None:
        """Start this process's thread if it has none (first request, or after fork)."""
        # No pid check here: in a forked child every thread but the forking one reports not
        # alive, so a fork already fails this test, and the check below tells a fork apart.
        thread = self.thread
        if thread is not None and thread.is_alive():
            return
        with self._lock:
            pid = os.getpid()
            if self.pid == pid and self.thread is not None and self.thread.is_alive():
                return
            if self.pid not in (None, pid):
                self.on_fork()
            self._stop = threading.Event()
            thread = threading.Thread(
                target=self.target, args=(self._stop,), name=self.name, daemon=True
            )
            thread.start()
            self.thread, self.pid = thread, pid

    def stop(self, timeout: float) -> None:
        """Stop the thread and wait for it (unless called from it)."""
        with self._lock:
            thread, self.thread, self.pid = self.thread, None, None
            self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def alive(self) -> bool:
        """True while this process's thread runs."""
        thread = self.thread
        return thread is not None and thread.is_alive() and self.pid == os.getpid()

    def started_here(self) -> bool:
        """True when the thread was started in this process (not inherited across a fork)."""
        return self.pid == os.getpid()
