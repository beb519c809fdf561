"""The benchmarks: figures and PASS/FAIL lines against the targets, never tests.

Run each from the repository root as a module, e.g. `.venv/bin/python -m bench.throughput`.
harness.py starts gunicorn as production does and signs requests as Twilio does; corpus.py reads
the texts every benchmark sends.
"""

from __future__ import annotations

from pathlib import Path

#: The repository root: the bot's code, wsgi.py and gunicorn.conf.py.
ROOT = Path(__file__).resolve().parent.parent
#: The auth token and public URL every benchmark's bot runs with, and signs its requests for.
TOKEN = "bench-auth-token"
#: Signs the console's sessions: required with a token (the console is on, as in production).
SECRET_KEY = "bench-secret-key-0123456789abcdef"
BASE_URL = "https://bench.example.org"
HOST = "127.0.0.1"
