"""Failed logins slow an attacker without locking the owner out: limits per account and address
together, per address, and per account in growing windows; a browser that logged in before keeps
a way in; behind the shipped nginx the address counted is the client's, not the proxy's."""

from __future__ import annotations

import pytest

from bot import runtime
from bot.console.storage import ConsoleStore
from tests.console.conftest import PASSWORD, csrf_token

LIMITED = "Too many failed logins"
PROXY = "127.0.0.1"  # the shipped nginx on the same host, as gunicorn sees it


class _Clock:
    """Stands in for the time module of limits' in-memory storage, which keeps the windows."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> _Clock:
    clock = _Clock()
    monkeypatch.setattr("limits.storage.memory.time", clock)
    return clock


@pytest.fixture
def guarded(make_app):
    """The deployment the README calls simplest: PUBLIC_BASE_URL set, PROXY_HOPS=0, nginx in
    front (every request from 127.0.0.1, the client in X-Forwarded-For); one account, ana."""
    app = make_app(console_login_limit="5 per 15 minutes", proxy_hops=0)
    runtime(app).live.start()
    ConsoleStore(runtime(app).store).add_account("ana", PASSWORD, "editor")
    return app


def browser(app, address: str):
    """A browser behind the proxy at a client address."""
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address})
    return client


def attempt(client, name: str, password: str):
    token = csrf_token(client)
    return client.post(
        "/console/login", data={"username": name, "password": password, "csrf_token": token}
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response.location.endswith("/console/")


def test_made_up_names_from_one_address_behind_the_proxy_lock_out_no_one_else(guarded):
    attacker = browser(guarded, "198.51.100.7")
    for i in range(10):
        assert attempt(attacker, f"nobody{i}", "wrong password!").status_code == 401
    assert LIMITED in attempt(attacker, "nobody", "wrong password!").get_data(as_text=True)
    assert logged_in(attempt(browser(guarded, "203.0.113.5"), "ana", PASSWORD))


def test_wrong_passwords_from_ten_addresses_never_block_the_owners_own_browser(guarded):
    own = browser(guarded, "203.0.113.5")
    assert logged_in(attempt(own, "ana", PASSWORD))
    own.post("/console/logout", data={"csrf_token": csrf_token(own, "/console/")})
    for i in range(10):
        attempt(browser(guarded, f"198.51.100.{i + 1}"), "ana", "wrong password!")
    assert LIMITED in attempt(browser(guarded, "192.0.2.1"), "ana", PASSWORD).get_data(
        as_text=True
    )  # a browser never used before waits
    assert logged_in(attempt(own, "ana", PASSWORD))  # the owner's own browser does not


def test_guessing_from_many_addresses_meets_longer_and_longer_waits(guarded, clock):
    def spray(count: int, start: int) -> None:
        for i in range(count):
            attempt(browser(guarded, f"198.51.100.{start + i}"), "ana", "wrong password!")

    spray(5, 1)
    assert LIMITED in attempt(browser(guarded, "192.0.2.1"), "ana", PASSWORD).get_data(as_text=True)
    clock.now += 16 * 60  # past the first window
    spray(5, 11)
    clock.now += 16 * 60  # past the first window again: the hour's window still holds
    assert LIMITED in attempt(browser(guarded, "192.0.2.2"), "ana", PASSWORD).get_data(as_text=True)
    clock.now += 61 * 60
    assert logged_in(attempt(browser(guarded, "192.0.2.3"), "ana", PASSWORD))


def test_the_owners_browser_has_a_limit_of_its_own(guarded):
    own = browser(guarded, "203.0.113.5")
    assert logged_in(attempt(own, "ana", PASSWORD))
    own.post("/console/logout", data={"csrf_token": csrf_token(own, "/console/")})
    for _ in range(5):
        assert attempt(own, "ana", "wrong password!").status_code == 401
    assert LIMITED in attempt(own, "ana", PASSWORD).get_data(as_text=True)


def test_with_proxy_hops_the_address_is_the_one_the_declared_proxies_saw(make_app):
    app = make_app(public_base_url="", proxy_hops=1, console_login_limit="5 per 15 minutes")
    runtime(app).live.start()
    ConsoleStore(runtime(app).store).add_account("ana", PASSWORD, "editor")
    attacker = browser(app, "198.51.100.7")
    attacker.environ_base["HTTP_X_FORWARDED_PROTO"] = "http"
    for i in range(10):
        attempt(attacker, f"nobody{i}", "wrong password!")
    other = browser(app, "203.0.113.5")
    other.environ_base["HTTP_X_FORWARDED_PROTO"] = "http"
    assert logged_in(attempt(other, "ana", PASSWORD))


def test_a_forwarded_address_from_a_client_that_is_not_a_local_proxy_is_ignored(guarded):
    # Straight at gunicorn from elsewhere (BIND=0.0.0.0): X-Forwarded-For is the client's to
    # write, so it cannot choose the address its failures are counted against.
    liar = guarded.test_client()
    for i in range(10):  # twice CONSOLE_LOGIN_LIMIT per address
        liar.environ_base.update(
            {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": f"192.0.2.{i}"}
        )
        attempt(liar, f"nobody{i}", "wrong password!")
    assert LIMITED in attempt(liar, "nobody", "wrong password!").get_data(as_text=True)


def test_a_stolen_device_cookie_guesses_no_faster_than_anyone(guarded, clock):
    own = browser(guarded, "203.0.113.5")
    assert logged_in(attempt(own, "ana", PASSWORD))
    own.post("/console/logout", data={"csrf_token": csrf_token(own, "/console/")})
    for _ in range(5):
        attempt(own, "ana", "wrong password!")
    clock.now += 16 * 60  # past the first window: five more
    for _ in range(5):
        assert attempt(own, "ana", "wrong password!").status_code == 401
    clock.now += 16 * 60  # past it again: the hour's window holds this cookie too
    assert LIMITED in attempt(own, "ana", PASSWORD).get_data(as_text=True)
