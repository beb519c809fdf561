"""Logout, a password reset, disabling an account and a role change end the sessions they concern,
in every worker; and no session lives for ever, however busy."""

from __future__ import annotations

import pytest

from bot import runtime
from bot.console.storage import ConsoleStore
from tests.console.conftest import PASSWORD, csrf_token, login


def _copy_of(app, client):
    """Another browser holding a copy of the client's session cookie, as a thief would."""
    thief = app.test_client()
    cookie = client.get_cookie("console_session", path="/console")
    assert cookie is not None
    thief.set_cookie("console_session", cookie.value, path="/console")
    return thief


def _opens_console(client) -> bool:
    return client.get("/console/").status_code == 200


def test_a_cookie_copied_before_logout_opens_nothing_after_it(console_app):
    owner = console_app.test_client()
    assert login(owner, "editor").status_code == 302
    thief = _copy_of(console_app, owner)
    assert _opens_console(thief)
    owner.post("/console/logout", data={"csrf_token": csrf_token(owner, "/console/")})
    assert not _opens_console(thief)
    assert not _opens_console(owner)


def test_logout_in_one_worker_ends_the_session_in_every_worker(make_app):
    first, second = make_app(), make_app()  # two workers: one database, one SECRET_KEY
    runtime(first).live.start()
    runtime(second).live.start()
    ConsoleStore(runtime(first).store).add_account("ana", PASSWORD, "editor")
    owner = first.test_client()
    assert login(owner, "ana").status_code == 302
    elsewhere = _copy_of(second, owner)
    assert _opens_console(elsewhere)
    owner.post("/console/logout", data={"csrf_token": csrf_token(owner, "/console/")})
    assert not _opens_console(elsewhere)


@pytest.mark.parametrize(
    ("action", "form"),
    [
        ("password", {"password": "a brand new password"}),
        ("disable", {}),
        ("role", {"role": "publisher"}),
    ],
)
def test_an_admins_change_to_an_account_ends_that_accounts_sessions(
    console_app, editor, admin, action, form
):
    assert _opens_console(editor)
    done = admin.post(
        f"/console/accounts/editor/{action}",
        data={**form, "csrf_token": csrf_token(admin, "/console/accounts")},
    )
    assert done.status_code == 302
    assert not _opens_console(editor)
    assert _opens_console(admin)  # the admin's own session goes on


def test_a_session_in_constant_use_still_ends_after_its_longest_life(editor, monkeypatch):
    import time as real_time

    from bot.console.security import SESSION_MAX_SECONDS

    start = real_time.time()
    for minutes in range(0, SESSION_MAX_SECONDS // 60 - 1, 20):  # a request every 20 minutes
        monkeypatch.setattr("bot.console.security.time.time", lambda m=minutes: start + m * 60)
        assert _opens_console(editor), minutes
    monkeypatch.setattr("bot.console.security.time.time", lambda: start + SESSION_MAX_SECONDS + 60)
    assert not _opens_console(editor)
