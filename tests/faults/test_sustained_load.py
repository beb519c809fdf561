"""The real gunicorn server, driven by bench/load.py for a moment, answers every signed text with TwiML."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_gunicorn_under_concurrent_signed_load_answers_every_request_with_twiml() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load",
            "--seconds",
            "2",
            "--warmup",
            "0.5",
            "--connections",
            "8",
            "--generated",
            "200",
            "--prepared",
            "500",
            "--json",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(done.stdout)
    assert figures["errors"] == 0, figures["error_kinds"]
    assert figures["requests"] > 0
