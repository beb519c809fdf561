"""WSGI entry point for gunicorn and `flask --app wsgi`."""

from bot import create_app

app = create_app()
