"""A revision number far beyond any stored one is a page that does not exist, never a 500."""

from __future__ import annotations

import pytest

from tests.console.conftest import PASSWORD, login

HUGE = [2**31, 2**63, 10**30]


@pytest.mark.parametrize("revision_id", HUGE)
def test_the_history_zip_of_a_huge_revision_number_is_404(editor, revision_id):
    assert editor.get(f"/console/history/{revision_id}.zip").status_code == 404


@pytest.mark.parametrize("revision_id", HUGE)
def test_a_diff_with_a_huge_revision_number_is_answered_as_an_unknown_one(editor, revision_id):
    unknown = editor.get("/console/history/diff?a=1&b=999")
    huge = editor.get(f"/console/history/diff?a=1&b={revision_id}")
    assert unknown.status_code == 302
    assert (huge.status_code, huge.location) == (unknown.status_code, unknown.location)


@pytest.fixture
def outreach_editor(make_app):
    """An editor's client on an app with BOT_NUMBER set, so outreach files can be made."""
    from bot import runtime
    from bot.console.storage import ConsoleStore

    app = make_app(bot_number="+15095550100")
    runtime(app).live.start()
    ConsoleStore(runtime(app).store).add_account("editor", PASSWORD, "editor")
    client = app.test_client()
    assert login(client, "editor").status_code == 302
    return client


@pytest.mark.parametrize("revision_id", HUGE)
def test_an_outreach_download_of_a_huge_revision_number_is_answered_as_an_unknown_one(
    outreach_editor, revision_id
):
    query = "file=qr&kind=png&body=help&revision="
    assert outreach_editor.get(f"/console/outreach/download?{query}1").status_code == 200
    unknown = outreach_editor.get(f"/console/outreach/download?{query}999")
    huge = outreach_editor.get(f"/console/outreach/download?{query}{revision_id}")
    assert 400 <= unknown.status_code < 500 and "999" in unknown.get_data(as_text=True)
    assert huge.status_code == unknown.status_code
    assert str(revision_id) in huge.get_data(as_text=True)
