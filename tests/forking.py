"""Run a check in a forked child, as gunicorn forks a worker, and bring its answer back."""

from __future__ import annotations

import os
import select
import signal
from collections.abc import Callable


def in_a_forked_child(check: Callable[[], bool], timeout: float = 20) -> bytes:
    """b"1" if `check()` was true in a forked child, b"0" if false or it raised, else b"timeout"."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child reports in one byte, then leaves without running any cleanup
        ok = False
        try:
            ok = check()
        finally:
            os.write(write_end, b"1" if ok else b"0")
            os._exit(0)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], timeout)
        answer = os.read(read_end, 1) if ready else b"timeout"
    finally:
        os.close(read_end)
        if not ready:
            os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    return answer
