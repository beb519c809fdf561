"""The bot under real gunicorn on a free loopback port, for tests that need forked workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.settings import PROJECT_ROOT
from tests import as_twilio


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_gunicorn(
    tmp_path: Path, library_dir: Path, *, workers: int, secret_key: str, **env: str
) -> Iterator[tuple[int, subprocess.Popen]]:
    """(port, process) of gunicorn serving wsgi:app with its files under tmp_path; stopped after.

    Its database is tmp_path/db/bot.sqlite3, its logs tmp_path/bot.log and access.log, and what it
    prints tmp_path/gunicorn.out; `env` adds or overrides environment variables.
    """
    port = free_port()
    environment = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "TWILIO_AUTH_TOKEN": as_twilio.TOKEN,
        "SECRET_KEY": secret_key,
        "PUBLIC_BASE_URL": as_twilio.URL,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'bot.sqlite3'}",
        "LIBRARY_DIR": str(library_dir),
        "LOG_FILE": str(tmp_path / "bot.log"),
        "LOG_LEVEL": "DEBUG",
        "ACCESS_LOG": str(tmp_path / "access.log"),
        **env,
    }
    out = (tmp_path / "gunicorn.out").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(PROJECT_ROOT / "gunicorn.conf.py"),
            "wsgi:app",
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        yield port, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        out.close()
