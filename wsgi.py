"""WSGI entry point for gunicorn and `flask --app wsgi`."""

import sys

from bot import create_app
from bot.settings import SettingsError

try:
    app = create_app()
except SettingsError as exc:
    # One line an operator can act on, not a traceback. Exit status 3 is gunicorn's "worker
    # failed to boot", which stops its master instead of starting the worker again and again.
    print(f"configuration error: {exc}", file=sys.stderr)
    raise SystemExit(3) from None
