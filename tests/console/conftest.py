"""Console fixtures: a real app on the test library, accounts of each role, logged-in clients."""

from __future__ import annotations

import re

import pytest

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/console/login") -> str:
    """The CSRF token a console page carries for this client's session."""
    page = client.get(path)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, f"no csrf token on {path} ({page.status_code})"
    return found.group(1)


def login(client, name: str, password: str = PASSWORD):
    """Log in through the form, as a browser does."""
    token = csrf_token(client)
    return client.post(
        "/console/login", data={"username": name, "password": password, "csrf_token": token}
    )


def post(client, path: str, data: dict | None = None, page: str = "/console/try"):
    """POST a console form with the session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page)})


@pytest.fixture(autouse=True)
def cheap_hashes(request, monkeypatch):
    """argon2id at test cost (the production cost is 64 MiB a hash, ~0.4 s here); a test marked
    real_argon2 keeps the production hasher."""
    if request.node.get_closest_marker("real_argon2"):
        return
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        "bot.console.storage._hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def console_app(make_app):
    """The real app with the console on, its library published, and an account of each role."""
    from bot import runtime
    from bot.console.storage import ConsoleStore

    app = make_app()
    runtime(app).live.start()
    accounts = ConsoleStore(runtime(app).store)
    for role in ("editor", "publisher", "admin"):
        accounts.add_account(role, PASSWORD, role)
    return app


def _client_as(app, role: str):
    client = app.test_client()
    response = login(client, role)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def editor(console_app):
    """A client logged in as an editor."""
    return _client_as(console_app, "editor")


@pytest.fixture
def publisher(console_app):
    """A client logged in as a publisher."""
    return _client_as(console_app, "publisher")


@pytest.fixture
def admin(console_app):
    """A client logged in as an admin."""
    return _client_as(console_app, "admin")


@pytest.fixture
def helpers():
    """The module's helpers for tests (conftest is not imported by test modules)."""
    from types import SimpleNamespace

    return SimpleNamespace(PASSWORD=PASSWORD, csrf_token=csrf_token, login=login, post=post)
