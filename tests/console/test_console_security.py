"""The console's security: hashing, CSRF, cookies, idle timeout, secret key, login limits,
headers, roles, and CONSOLE=false."""

from __future__ import annotations

import re

import pytest

from bot import runtime
from bot.console.storage import ConsoleStore
from bot.settings import SettingsError
from tests import app_library, as_twilio


@pytest.mark.real_argon2
def test_passwords_are_stored_as_argon2id_hashes(console_app, helpers):
    store = runtime(console_app).store
    with store.engine.connect() as conn:
        hashes = [r[0] for r in conn.exec_driver_sql("SELECT password_hash FROM console_account")]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(helpers.PASSWORD not in h for h in hashes)
    params = dict(p.split("=") for p in hashes[0].split("$")[3].split(","))
    # OWASP's argon2id floor: m >= 19 MiB, t >= 2.
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2


def test_wrong_user_and_wrong_password_get_the_same_answer(console_app, helpers):
    client = console_app.test_client()
    unknown = helpers.login(client, "nobody", helpers.PASSWORD)
    wrong = helpers.login(client, "editor", "not the password")
    assert unknown.status_code == wrong.status_code == 401

    def message(r):
        return re.search(r'role="alert">([^<]*)<', r.get_data(as_text=True)).group(1)

    assert message(unknown) == message(wrong) == "Wrong name or password."


def test_login_is_limited_per_account_name(make_app, helpers):
    app = make_app(console_login_limit="3 per hour")
    runtime(app).live.start()
    ConsoleStore(runtime(app).store).add_account("ana", helpers.PASSWORD, "editor")
    client = app.test_client()
    for _ in range(3):
        assert helpers.login(client, "ana", "wrong password!").status_code == 401
    limited = helpers.login(client, "ana", helpers.PASSWORD)  # right password, too late
    assert limited.status_code == 401
    assert "Too many failed logins" in limited.get_data(as_text=True)
    # Another address is limited by the name just the same.
    other = app.test_client()
    other_env = {"REMOTE_ADDR": "10.9.9.9"}
    token = helpers.csrf_token(other)
    r = other.post(
        "/console/login",
        data={"username": "ana", "password": helpers.PASSWORD, "csrf_token": token},
        environ_base=other_env,
    )
    assert "Too many failed logins" in r.get_data(as_text=True)


def test_login_is_limited_per_address_across_names(make_app, helpers):
    app = make_app(console_login_limit="3 per hour")
    runtime(app).live.start()
    ConsoleStore(runtime(app).store).add_account("ana", helpers.PASSWORD, "editor")
    client = app.test_client()
    for name in ("x1", "x2", "x3", "x4", "x5", "x6"):  # twice CONSOLE_LOGIN_LIMIT per address
        helpers.login(client, name, "wrong password!")
    r = helpers.login(client, "ana", helpers.PASSWORD)
    assert "Too many failed logins" in r.get_data(as_text=True)


def test_console_forms_need_a_csrf_token(console_app, helpers):
    client = console_app.test_client()
    r = client.post("/console/login", data={"username": "admin", "password": helpers.PASSWORD})
    assert r.status_code == 400
    assert client.get("/console/").status_code == 302  # not logged in
    editor = console_app.test_client()
    helpers.login(editor, "editor")
    refused = editor.post("/console/topics/labor", data={"reply_en": "x"})
    assert refused.status_code == 400
    assert ConsoleStore(runtime(console_app).store).draft() is None  # nothing was saved
    wrong = editor.post("/console/topics/labor", data={"reply_en": "x", "csrf_token": "forged"})
    assert wrong.status_code == 400


def test_sms_needs_no_csrf_token(console_app):
    client = console_app.test_client()
    r = as_twilio.post(client, as_twilio.params("my boss took my passport"))
    assert r.status_code == 200
    assert as_twilio.messages(r) == [app_library.REPLIES["labor/en"]]


def _session_cookie(response) -> str:
    """The session's Set-Cookie header (a login also sets the browser's device cookie)."""
    [cookie] = [
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("console_session=")
    ]
    return cookie


def test_session_cookie_is_httponly_lax_and_secure_behind_https(console_app, helpers):
    r = helpers.login(console_app.test_client(), "editor")
    cookie = _session_cookie(r)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_session_cookie_is_not_secure_on_plain_http(make_app, helpers):
    app = make_app(public_base_url="http://127.0.0.1:5000")
    runtime(app).live.start()
    ConsoleStore(runtime(app).store).add_account("ana", helpers.PASSWORD, "editor")
    cookie = _session_cookie(helpers.login(app.test_client(), "ana"))
    assert "HttpOnly" in cookie and "Secure" not in cookie


def test_an_idle_session_ends(editor, monkeypatch):
    import time as real_time

    assert editor.get("/console/").status_code == 200
    later = real_time.time() + 31 * 60
    monkeypatch.setattr("bot.console.security.time.time", lambda: later)
    r = editor.get("/console/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/console/login")


def test_a_disabled_account_or_new_password_ends_open_sessions(console_app, editor, helpers):
    console = ConsoleStore(runtime(console_app).store)
    assert editor.get("/console/").status_code == 200
    console.reset_password("editor", "another password 1")
    assert editor.get("/console/").status_code == 302
    helpers.login(editor, "editor", "another password 1")
    assert editor.get("/console/").status_code == 200
    console.set_active("editor", False)
    assert editor.get("/console/").status_code == 302
    assert helpers.login(editor, "editor", "another password 1").status_code == 401


def test_secret_key_is_required_when_a_token_is_set(make_app):
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        make_app(secret_key="")


def test_without_a_token_the_secret_key_is_random_per_process_and_servers_say_so(make_app):
    first = make_app(secret_key="", twilio_auth_token="", dev_insecure=True)
    second = make_app(secret_key="", twilio_auth_token="", dev_insecure=True)
    assert first.secret_key and second.secret_key and first.secret_key != second.secret_key
    said = runtime(first).settings.start_warnings()
    assert any(w.startswith("SECRET_KEY is empty") for w in said)
    assert not any(
        w.startswith("SECRET_KEY")
        for w in runtime(
            make_app(secret_key="k" * 40, twilio_auth_token="")
        ).settings.start_warnings()
    )


def test_every_console_page_has_csp_and_no_inline_script(console_app, admin):
    for path in (
        "/console/login",
        "/console/",
        "/console/topics/labor",
        "/console/try",
        "/console/history",
        "/console/stats",
        "/console/audit",
        "/console/accounts",
    ):
        r = admin.get(path)
        assert r.status_code == 200, path
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["X-Frame-Options"] == "DENY"
        html = r.get_data(as_text=True)
        # Every script is a file of the console's own; no inline code, handlers or style.
        assert all(
            re.search(r'src="/console/static/', s) for s in re.findall(r"<script[^>]*>", html)
        )
        assert not re.search(r"<script[^>]*>\s*[^<\s]", html)
        assert not re.search(r"\son[a-z]+=", html)
        assert " style=" not in html and "<style" not in html
        assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in html


def test_an_editor_gets_403_on_publish_rollback_and_accounts(editor, helpers):
    assert editor.get("/console/publish").status_code == 403
    assert helpers.post(editor, "/console/publish", {"comment": "x"}).status_code == 403
    assert helpers.post(editor, "/console/history/1/rollback").status_code == 403
    assert editor.get("/console/accounts").status_code == 403
    assert (
        helpers.post(
            editor, "/console/accounts", {"username": "eve", "password": "x" * 12, "role": "admin"}
        ).status_code
        == 403
    )
    assert editor.get("/console/audit").status_code == 403


def test_a_publisher_gets_403_on_accounts(publisher):
    assert publisher.get("/console/accounts").status_code == 403


def test_not_logged_in_goes_to_the_login_page(console_app):
    r = console_app.test_client().get("/console/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/console/login")


def test_console_false_turns_the_console_off(make_app):
    app = make_app(console=False, secret_key="")
    runtime(app).live.start()
    client = app.test_client()
    assert client.get("/console/login").status_code == 404
    assert client.get("/console/").status_code == 404
    assert as_twilio.messages(
        as_twilio.post(client, as_twilio.params("my boss took my passport"))
    ) == [app_library.REPLIES["labor/en"]]


def test_the_login_page_says_how_to_create_the_first_account(make_app):
    app = make_app()
    runtime(app).live.start()
    page = app.test_client().get("/console/login").get_data(as_text=True)
    assert "flask --app wsgi users add" in page


def test_behind_a_proxy_logins_are_limited_by_the_forwarded_address(make_app, helpers):
    app = make_app(console_login_limit="2 per hour", proxy_hops=1)
    runtime(app).live.start()
    ConsoleStore(runtime(app).store).add_account("ana", helpers.PASSWORD, "editor")

    def attempt(client, name, password, forwarded):
        token = helpers.csrf_token(client)
        return client.post(
            "/console/login",
            data={"username": name, "password": password, "csrf_token": token},
            headers={"X-Forwarded-For": forwarded},
        )

    attacker = app.test_client()
    for name in ("x1", "x2", "x3", "x4"):  # twice CONSOLE_LOGIN_LIMIT per address
        attempt(attacker, name, "wrong password!", "203.0.113.9")
    assert "Too many" in attempt(attacker, "x5", "wrong", "203.0.113.9").get_data(as_text=True)
    # Another person behind the same proxy is not locked out by the attacker's failures.
    assert attempt(app.test_client(), "ana", helpers.PASSWORD, "198.51.100.7").status_code == 302


def test_unusable_console_settings_stop_the_app_with_a_clear_message(make_app):
    with pytest.raises(SettingsError, match="CONSOLE_LOGIN_LIMIT"):
        make_app(console_login_limit="lots")
    with pytest.raises(SettingsError, match="CONSOLE_IDLE_MINUTES"):
        make_app(console_idle_minutes=0)
