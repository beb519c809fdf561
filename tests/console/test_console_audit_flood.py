"""Strangers cannot flood the audit trail: refused logins are counted, not written row by row,
and operators' actions stay findable by filter and page."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import runtime
from bot.console.storage import ConsoleStore
from tests.console.conftest import csrf_token


def _refuse(app, names: list[str]) -> None:
    stranger = app.test_client()
    token = csrf_token(stranger)
    for name in names:
        answer = stranger.post(
            "/console/login",
            data={"username": name, "password": "wrong password!", "csrf_token": token},
        )
        assert answer.status_code == 401


def test_300_refused_logins_add_no_audit_row_and_are_counted(console_app, admin):
    console = ConsoleStore(runtime(console_app).store)
    before = console.audit_entries(10_000)
    _refuse(console_app, [f"nobody{i}" for i in range(290)] + ["editor"] * 10)
    assert console.audit_entries(10_000) == before
    counted = console.login_refusals(datetime.now(UTC).date())
    assert sum(r.count for r in counted) == 300
    assert {r.reason for r in counted} == {"failed", "limited"}
    # Tries at a real account are told apart from made-up names; made-up names are not kept.
    assert {r.account for r in counted} == {"editor", ""}
    assert sum(r.count for r in counted if r.account == "editor") == 10
    page = admin.get("/console/audit").get_data(as_text=True)
    assert "Refused logins" in page and ">300<" in page


def test_made_up_names_add_at_most_two_rows_a_day_however_many(console_app):
    _refuse(console_app, [f"stranger{i}" for i in range(200)])
    counted = ConsoleStore(runtime(console_app).store).login_refusals(datetime.now(UTC).date())
    assert len(counted) <= 2


def test_an_operators_publish_stays_findable_by_action_actor_and_page(console_app, admin):
    console = ConsoleStore(runtime(console_app).store)
    console.audit("maria", "publish", "revision 2 (0123456789ab): new shelter hours")
    for _ in range(250):
        console.audit("jose", "draft_discard", "")
    needle = "new shelter hours"
    assert needle not in admin.get("/console/audit").get_data(as_text=True)  # off page one
    assert needle in admin.get("/console/audit?action=publish").get_data(as_text=True)
    assert needle in admin.get("/console/audit?actor=maria").get_data(as_text=True)
    assert needle in admin.get("/console/audit?page=3").get_data(as_text=True)
    assert needle not in admin.get("/console/audit?actor=jose").get_data(as_text=True)
    second = admin.get("/console/audit?page=2").get_data(as_text=True)
    assert "page=3" in second and "page=1" in second  # links to the pages around it


def test_a_bad_page_or_filter_is_a_clear_answer_not_an_error(admin):
    for query in (
        "page=0",
        "page=-3",
        "page=abc",
        "page=99999999999999999999",
        "actor=" + "x" * 500,
    ):
        assert admin.get(f"/console/audit?{query}").status_code in (200, 400)


def test_refusals_are_counted_and_the_audit_filtered_on_both_databases(store):
    store.migrate()
    console = ConsoleStore(store)
    console.add_account("ana", "a long password", "editor")
    for name, reason in [("ana", "failed"), ("ana", "failed"), ("zed", "failed"), ("x", "limited")]:
        console.count_refusal(name, reason)
    today = datetime.now(UTC).date()
    counted = {(r.account, r.reason): r.count for r in console.login_refusals(today)}
    assert counted == {("ana", "failed"): 2, ("", "failed"): 1, ("", "limited"): 1}
    for i in range(5):
        console.audit("ana" if i % 2 else "bo", "publish" if i == 3 else "login", str(i))
    assert [e.detail for e in console.audit_entries(2, 1)] == ["3", "2"]
    assert [e.detail for e in console.audit_entries(10, 0, actor="ana")] == ["3", "1"]
    assert [e.detail for e in console.audit_entries(10, 0, action="publish")] == ["3"]
    assert console.audit_actions() == ["login", "publish"]
