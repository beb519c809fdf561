"""What a new operator sees: the start warnings (token, console key) only from servers, and `make run`'s port."""

from __future__ import annotations

import os
import runpy
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

FLASK = Path(sys.executable).parent / "flask"
TOKEN_WARNING = "TWILIO_AUTH_TOKEN is empty"
KEY_WARNING = "SECRET_KEY is empty"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh operator shell: no token, a throwaway database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TWILIO_AUTH_TOKEN", "DEV_INSECURE", "DATABASE_URL", "PORT", "SECRET_KEY")
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    env.update(extra)
    return env


def _flask(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(FLASK), "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow  # three flask commands, each a fresh process
def test_operator_commands_do_not_warn_about_the_missing_token(tmp_path):
    for args in (["db", "upgrade"], ["try", "my boss took my passport"], ["library", "history"]):
        done = _flask(tmp_path, *args)
        assert done.returncode == 0, done.stdout + done.stderr
        assert TOKEN_WARNING not in done.stdout + done.stderr, args
        assert KEY_WARNING not in done.stdout + done.stderr, args


@pytest.mark.slow
def test_flask_run_warns_once_that_dev_insecure_answers_anyone(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _flask(tmp_path, "db", "upgrade")
    process = subprocess.Popen(
        [str(FLASK), "--app", "wsgi", "run", "--port", str(port), "--no-reload"],
        cwd=PROJECT_ROOT,
        env=_env(tmp_path, DEV_INSECURE="true"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Running on" in line:
                break
    finally:
        process.terminate()
        process.wait(timeout=30)
    output = "".join(lines)
    assert "Running on" in output, output
    assert output.count("DEV_INSECURE is on and TWILIO_AUTH_TOKEN is empty") == 1, output
    assert output.count(KEY_WARNING) == 1, output


class _Log:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warning(self, message: str, *args: object) -> None:
        self.warnings.append(message % args if args else message)


class _Server:
    def __init__(self) -> None:
        self.log = _Log()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"TWILIO_AUTH_TOKEN": ""},
            ["TWILIO_AUTH_TOKEN is empty: /sms and /voice refuse every request (403)", KEY_WARNING],
        ),
        ({"TWILIO_AUTH_TOKEN": "", "DEV_INSECURE": "true"}, ["DEV_INSECURE is on", KEY_WARNING]),
        (
            {"TWILIO_AUTH_TOKEN": "", "DEV_INSECURE": "true", "SECRET_KEY": "k" * 40},
            ["DEV_INSECURE is on"],
        ),
        ({"TWILIO_AUTH_TOKEN": "a-real-token", "SECRET_KEY": "k" * 40}, []),
    ],
)
def test_gunicorn_warns_once_in_its_master_when_sms_has_no_token(monkeypatch, env, expected):
    monkeypatch.delenv("DEV_INSECURE", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    conf = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    server = _Server()
    conf["when_ready"](server)
    assert len(server.log.warnings) == len(expected)
    for said, start in zip(server.log.warnings, expected, strict=True):
        assert said.startswith(start)


@pytest.mark.skipif(
    shutil.which("make") is None,
    reason="make is not installed: apt-get install -y make, then pytest tests/test_operator_startup.py",
)
@pytest.mark.parametrize(
    ("environ_port", "argument", "served"),
    [(None, None, "5000"), ("5001", None, "5001"), (None, "PORT=5002", "5002")],
)
def test_make_run_serves_on_the_port_given_in_the_environment_or_on_the_command_line(
    environ_port, argument, served
):
    env = {k: v for k, v in os.environ.items() if k != "PORT"}
    if environ_port:
        env["PORT"] = environ_port
    command = ["make", "-n", "run", *([argument] if argument else [])]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"--port {served} " in done.stdout
    assert f"http://127.0.0.1:{served}" in done.stdout
