"""Console accounts: the `flask users` commands and the account store on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot import runtime
from bot.console.storage import AccountError, ConsoleStore


def _run(app, *args: str, stdin: str | None = None):
    result = app.test_cli_runner().invoke(args=list(args), input=stdin)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def cli_app(make_app):
    return make_app()


def test_users_add_reads_the_password_from_stdin_and_the_account_logs_in(cli_app, helpers):
    r = _run(cli_app, "users", "add", "Ana", "--role", "publisher", stdin="a long password\n")
    assert r.exit_code == 0, r.output
    assert "Created publisher account 'ana'" in r.output
    runtime(cli_app).live.start()
    assert helpers.login(cli_app.test_client(), "ana", "a long password").status_code == 302


def test_users_list_disable_and_reset_password(cli_app, helpers):
    _run(cli_app, "users", "add", "ana", "--role", "admin", stdin="a long password\n")
    _run(cli_app, "users", "add", "bo", "--role", "editor", stdin="another password\n")
    listed = _run(cli_app, "users", "list").output
    assert "ana" in listed and "admin" in listed and "bo" in listed and "editor" in listed
    assert _run(cli_app, "users", "disable", "bo").exit_code == 0
    assert "(disabled)" in _run(cli_app, "users", "list").output
    r = _run(cli_app, "users", "reset-password", "ana", stdin="a brand new password\n")
    assert r.exit_code == 0, r.output
    runtime(cli_app).live.start()
    client = cli_app.test_client()
    assert helpers.login(client, "ana", "a long password").status_code == 401
    assert helpers.login(client, "ana", "a brand new password").status_code == 302
    assert helpers.login(cli_app.test_client(), "bo", "another password").status_code == 401


def test_users_add_refuses_bad_input_with_a_message(cli_app):
    short = _run(cli_app, "users", "add", "ana", "--role", "editor", stdin="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    _run(cli_app, "users", "add", "ana", "--role", "editor", stdin="a long password\n")
    twice = _run(cli_app, "users", "add", "ana", "--role", "editor", stdin="a long password\n")
    assert twice.exit_code == 1 and "already an account" in twice.output
    bad_role = _run(cli_app, "users", "add", "bo", "--role", "root", stdin="a long password\n")
    assert bad_role.exit_code == 2
    unknown = _run(cli_app, "users", "disable", "nobody")
    assert unknown.exit_code == 1 and "no account" in unknown.output


def test_account_changes_are_audited_from_the_cli(cli_app):
    _run(cli_app, "users", "add", "ana", "--role", "admin", stdin="a long password\n")
    _run(cli_app, "users", "disable", "ana")
    actions = [e.action for e in ConsoleStore(runtime(cli_app).store).audit_entries()]
    assert actions == ["account_disable", "account_add"]


def test_the_account_store_works_on_both_databases(store):
    console = ConsoleStore(store)
    ana = console.add_account("ana", "a long password", "publisher")
    assert ana.can("editor") and ana.can("publisher") and not ana.can("admin")
    assert console.verify("ANA", "a long password") == ana
    assert console.verify("ana", "wrong password") is None
    assert console.verify("nobody", "a long password") is None
    with pytest.raises(AccountError):
        console.add_account("ana", "a long password", "editor")
    changed = console.set_role("ana", "admin")
    assert changed.role == "admin" and changed.session_epoch == ana.session_epoch + 1
    console.set_active("ana", False)
    assert console.verify("ana", "a long password") is None


def test_the_draft_and_the_audit_work_on_both_databases(store):
    console = ConsoleStore(store)
    assert console.draft() is None
    console.change_draft(lambda b: b, start=({"keywords.yaml": "x: ñ\n"}, 3), by="ana")
    console.change_draft(
        lambda b: {"keywords.yaml": "y: ñ\n", "responses/en/a.txt": "hi\n"},
        start=({}, 4),
        by="bo",
    )
    draft = console.draft()
    assert draft.bundle == {"keywords.yaml": "y: ñ\n", "responses/en/a.txt": "hi\n"}
    # The draft keeps the revision it was started from; only the first edit's start counts.
    assert (draft.base_revision_id, draft.updated_by) == (3, "bo")
    console.discard_draft()
    assert console.draft() is None
    console.audit("ana", "login", "admin")
    console.audit("ana", "publish", "revision 2")
    assert [(e.actor, e.action) for e in console.audit_entries()] == [
        ("ana", "publish"),
        ("ana", "login"),
    ]


def test_operators_saving_different_topics_at_once_keep_both_edits(store):
    import threading

    console = ConsoleStore(store)
    start = ({"keywords.yaml": "k\n"}, 1)
    barrier = threading.Barrier(2)

    def edit(name: str) -> None:
        def change(bundle: dict[str, str]) -> dict[str, str]:
            return {**bundle, f"responses/en/{name}.txt": name}

        barrier.wait()
        console.change_draft(change, start=start, by=name)

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("ana", "bo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    draft = console.draft()
    assert {"responses/en/ana.txt", "responses/en/bo.txt"} <= set(draft.bundle)
    assert draft.base_revision_id == 1


def test_an_edit_that_fails_leaves_the_draft_as_it_was(store):
    console = ConsoleStore(store)
    console.change_draft(lambda b: b, start=({"keywords.yaml": "k\n"}, 1), by="ana")

    def broken(bundle: dict[str, str]) -> dict[str, str]:
        raise ValueError("no")

    with pytest.raises(ValueError):
        console.change_draft(broken, start=({}, None), by="bo")
    assert console.draft().bundle == {"keywords.yaml": "k\n"}
