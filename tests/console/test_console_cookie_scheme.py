"""The session cookie is Secure whenever the browser's request was https, as seen through the proxy."""

from __future__ import annotations

from bot import runtime
from bot.console.storage import ConsoleStore
from tests.console.conftest import PASSWORD, csrf_token


def _login_cookie(app, **headers: str) -> str:
    runtime(app).live.start()
    ConsoleStore(runtime(app).store).add_account("ana", PASSWORD, "editor")
    client = app.test_client()
    client.environ_base.update(
        {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    )
    token = csrf_token(client)
    answer = client.post(
        "/console/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    [cookie] = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("console_session=")]
    return cookie


PROXIED = {"X-Forwarded-Host": "bot.example.org", "X-Forwarded-For": "203.0.113.9"}


def test_behind_the_proxy_without_a_public_url_an_https_login_gets_a_secure_cookie(make_app):
    app = make_app(public_base_url="", proxy_hops=1)
    # Flask-WTF checks an https form's Referer against the host, as a browser would send it.
    https = {"X-Forwarded-Proto": "https", "Referer": "https://bot.example.org/console/login"}
    cookie = _login_cookie(app, **PROXIED, **https)
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_behind_the_proxy_a_plain_http_login_gets_a_cookie_without_secure(make_app):
    app = make_app(public_base_url="", proxy_hops=1)
    cookie = _login_cookie(app, **PROXIED, **{"X-Forwarded-Proto": "http"})
    assert "Secure" not in cookie


def test_a_forwarded_scheme_is_ignored_when_no_proxy_is_declared(make_app):
    app = make_app(public_base_url="http://127.0.0.1:5000", proxy_hops=0)
    cookie = _login_cookie(app, **PROXIED, **{"X-Forwarded-Proto": "https"})
    assert "Secure" not in cookie  # anyone could send the header; only a declared proxy counts
