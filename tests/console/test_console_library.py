"""The console's library work: the topic list, the draft, check errors by field, the counter,
try, publish (stale drafts too), history, diff, rollback, zip, stats, audit, accounts."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

from sqlalchemy import inspect

from bot import runtime
from bot.console.storage import ConsoleStore
from bot.core.library import read_bundle, write_bundle
from tests import app_library, as_twilio


def _form(client, topic: str) -> dict[str, str]:
    """The edit form of a topic as the page fills it in."""
    html = client.get(f"/console/topics/{topic}").get_data(as_text=True)
    import html as h

    fields = dict(re.findall(r'<input name="([a-z_]+)"[^>]*value="([^"]*)"', html))
    for name, text in re.findall(
        r'<textarea[^>]*name="([a-z_]+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        fields[name] = text
    return {k: h.unescape(v) for k, v in fields.items()}


def _save(client, helpers, topic: str, **changes: str):
    data = {**_form(client, topic), **changes}
    return helpers.post(client, f"/console/topics/{topic}", data, page=f"/console/topics/{topic}")


def _publish(client, helpers, comment: str, **extra: str):
    return helpers.post(
        client, "/console/publish", {"comment": comment, **extra}, page="/console/publish"
    )


NEW_LABOR_ES = "Trabajo: llame a la linea 1-888-373-7888, gratis y confidencial."


def test_the_topic_list_shows_each_topic_at_a_glance(editor):
    html = editor.get("/console/").get_data(as_text=True)
    for topic in ("emergency", "labor", "housing", "menu", "stop"):
        assert f">{topic}</span>" in html
    labor = html.split(">labor</span>", 1)[1].split("</li>", 1)[0]
    assert "menu 1" in labor and "Work and pay" in labor
    assert "keywords: en 4 · es 3" in labor
    assert re.search(r"en: \d+ characters, plain letters, 1/3 parts", labor)


def test_an_edit_is_kept_in_a_server_side_draft_and_not_live(console_app, editor, helpers):
    r = _save(editor, helpers, "labor", reply_es=NEW_LABOR_ES)
    assert r.status_code == 302
    # Another browser (a new session) sees the same draft.
    other = console_app.test_client()
    helpers.login(other, "publisher")
    assert NEW_LABOR_ES in _form(other, "labor")["reply_es"]
    assert (
        "changed" in other.get("/console/").get_data(as_text=True).split(">labor</span>")[1][:300]
    )
    # Nothing is live yet.
    sms = as_twilio.post(console_app.test_client(), as_twilio.params("no me pagan el trabajo"))
    assert as_twilio.messages(sms) == [app_library.REPLIES["labor/es"]]


def test_check_errors_appear_next_to_the_field_they_concern(editor, helpers):
    r = _save(editor, helpers, "labor", reply_es="Trabajo: llame al 1-206-555-0123.")
    assert r.status_code == 302
    html = editor.get("/console/topics/labor").get_data(as_text=True)
    es_reply = html.split('id="reply_es"', 1)[1].split("</fieldset>", 1)[0]
    assert "is not in numbers.yaml" in es_reply
    en_reply = html.split('id="reply_en"', 1)[1].split("</fieldset>", 1)[0]
    assert "is not in numbers.yaml" not in en_reply
    # And the topic list flags it, and publishing is blocked.
    assert "has-errors" in editor.get("/console/").get_data(as_text=True)


def test_a_keyword_collision_is_shown_at_the_keywords_of_that_language(editor, helpers):
    form = _form(editor, "housing")
    _save(editor, helpers, "housing", keywords_es=form["keywords_es"] + ", patron")
    html = editor.get("/console/topics/housing").get_data(as_text=True)
    es = html.split('name="keywords_es"', 1)[1].split('name="context_es"', 1)[0]
    assert "listed under both" in es


def test_the_counter_endpoint_uses_the_servers_encoder_and_number_registry(editor, helpers):
    token = helpers.csrf_token(editor, "/console/topics/labor")
    plain = editor.post(
        "/console/api/count",
        json={"text": "Llame al 1-888-373-7888"},
        headers={"X-CSRFToken": token},
    ).get_json()
    assert plain["encoding"] == "GSM-7" and plain["segments"] == 1
    assert plain["numbers"] == [{"text": "1-888-373-7888", "start": 9, "end": 23, "verified": True}]
    accented = editor.post(
        "/console/api/count",
        json={"text": "Llame ahorá al 1-206-555-0123"},
        headers={"X-CSRFToken": token},
    ).get_json()
    assert accented["encoding"] == "UCS-2" and accented["ucs2_chars"] == ["á"]
    assert accented["published_encoding"] == "GSM-7"
    assert accented["numbers"][0]["verified"] is False
    assert editor.post("/console/api/count", json={"text": "x"}).status_code == 400  # no token


def test_try_answers_from_the_draft_or_the_live_revision_and_keeps_nothing(
    console_app, editor, helpers, caplog
):
    _save(editor, helpers, "labor", reply_es=NEW_LABOR_ES)
    secret_text = "no me pagan zqxjkv"
    draft = helpers.post(editor, "/console/try", {"text": secret_text, "source": "draft"})
    assert NEW_LABOR_ES in draft.get_data(as_text=True)
    assert "labor" in draft.get_data(as_text=True)
    live = helpers.post(editor, "/console/try", {"text": secret_text, "source": "live"})
    html = live.get_data(as_text=True)
    assert "Trabajo: la linea 1-888-373-7888" in html and "1 segment" in html
    assert "zqxjkv" not in caplog.text
    store = runtime(console_app).store
    with store.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows = conn.exec_driver_sql(f'SELECT * FROM "{table}"').all()
            assert "zqxjkv" not in repr(rows), table


def test_publish_makes_the_draft_live_with_who_and_comment(console_app, publisher, helpers):
    _save(publisher, helpers, "labor", reply_es=NEW_LABOR_ES)
    r = _publish(publisher, helpers, "Shorter Spanish labor reply")
    assert r.status_code == 302
    history = publisher.get("/console/history").get_data(as_text=True)
    assert "Revision 2" in history and "publisher" in history
    assert "Shorter Spanish labor reply" in history
    live = runtime(console_app).store.live_revision()
    assert live.id == 2 and live.digest[:12] in history
    sms = as_twilio.post(console_app.test_client(), as_twilio.params("no me pagan el trabajo"))
    assert as_twilio.messages(sms) == [NEW_LABOR_ES]
    # The draft is gone: the console shows the live revision again.
    assert "Showing the live revision 2" in publisher.get("/console/").get_data(as_text=True)


def test_publish_transliterates_as_the_cli_does(console_app, publisher, helpers):
    _save(publisher, helpers, "labor", reply_es="Trabajo: llame ahorá al 1-888-373-7888.")
    _publish(publisher, helpers, "accent")
    live = runtime(console_app).store.live_revision()
    assert live.bundle["responses/es/labor.txt"] == "Trabajo: llame ahora al 1-888-373-7888.\n"


def test_a_library_with_errors_is_not_published(console_app, publisher, helpers):
    _save(publisher, helpers, "labor", reply_es="Trabajo: llame al 1-206-555-0123.")
    r = _publish(publisher, helpers, "bad number")
    assert r.status_code == 400
    assert runtime(console_app).store.live_revision_id() == 1


def test_publish_after_someone_else_published_says_so_and_never_overwrites_silently(
    console_app, publisher, helpers
):
    store = runtime(console_app).store
    _save(publisher, helpers, "labor", reply_es=NEW_LABOR_ES)
    # Meanwhile someone publishes from the CLI.
    bundle = dict(store.live_revision().bundle)
    bundle["responses/en/housing.txt"] = "Housing: call 211 for a shelter bed tonight.\n"
    store.publish(bundle, published_by="cli-user", comment="housing tweak")
    page = publisher.get("/console/publish").get_data(as_text=True)
    assert "Someone published after this draft was started" in page
    assert "shelter bed tonight" in page  # what they changed
    refused = _publish(publisher, helpers, "mine")
    assert refused.status_code == 400 and store.live_revision_id() == 2
    forced = _publish(publisher, helpers, "mine, over theirs", overwrite="yes")
    assert forced.status_code == 302 and store.live_revision_id() == 3


def test_cli_and_console_share_one_history(console_app, publisher, helpers):
    _save(publisher, helpers, "labor", reply_es=NEW_LABOR_ES)
    _publish(publisher, helpers, "from the console")
    out = console_app.test_cli_runner().invoke(args=["library", "history"]).output
    assert "from the console" in out and "publisher" in out


def test_diff_between_two_revisions(console_app, publisher, helpers):
    _save(publisher, helpers, "labor", reply_es=NEW_LABOR_ES)
    _publish(publisher, helpers, "x")
    html = publisher.get("/console/history/diff?a=1&b=2").get_data(as_text=True)
    assert "responses/es/labor.txt" in html
    assert f'<span class="add">+{NEW_LABOR_ES}</span>' in html
    assert 'class="del">-Trabajo: la linea' in html


def test_rollback_makes_an_old_revision_live_again(console_app, publisher, helpers):
    _save(publisher, helpers, "labor", reply_es=NEW_LABOR_ES)
    _publish(publisher, helpers, "x")
    # Without a reason it only asks again; nothing changes.
    r = helpers.post(publisher, "/console/history/1/rollback", page="/console/history")
    assert r.status_code == 400 and "Say why" in r.get_data(as_text=True)
    assert runtime(console_app).store.live_revision_id() == 2
    r = helpers.post(
        publisher, "/console/history/1/rollback", {"reason": "x was wrong"}, page="/console/history"
    )
    assert r.status_code == 302
    assert runtime(console_app).store.live_revision_id() == 1
    history = publisher.get("/console/history").get_data(as_text=True)
    assert "revision 1 made live again (was 2): x was wrong" in history
    assert "Make revision 2 live again" in history
    sms = as_twilio.post(console_app.test_client(), as_twilio.params("no me pagan el trabajo"))
    assert as_twilio.messages(sms) == [app_library.REPLIES["labor/es"]]


def test_the_zip_holds_exactly_what_flask_library_export_writes(console_app, editor, tmp_path):
    result = console_app.test_cli_runner().invoke(
        args=["library", "export", str(tmp_path / "out"), "--rev", "1"]
    )
    assert result.exit_code == 0, result.output
    exported = {
        p.relative_to(tmp_path / "out").as_posix(): p.read_bytes()
        for p in (tmp_path / "out").rglob("*")
        if p.is_file()
    }
    r = editor.get("/console/history/1.zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.data)) as archive:
        zipped = {name: archive.read(name) for name in archive.namelist()}
    assert zipped == exported


def test_add_and_delete_a_topic_but_never_a_required_one(console_app, editor, helpers):
    data = {
        "id": "tools",
        "keywords_en": "wrench, hammer",
        "keywords_es": "llave, martillo",
        "reply_en": "Tools: call 211.",
        "reply_es": "Herramientas: llame al 211.",
    }
    r = helpers.post(editor, "/console/topics/new", data, page="/console/topics/new")
    assert r.status_code == 302
    draft = ConsoleStore(runtime(console_app).store).draft()
    assert (
        "responses/en/tools.txt" in draft.bundle and "- id: tools" in draft.bundle["keywords.yaml"]
    )
    assert helpers.post(editor, "/console/topics/tools/delete").status_code == 302
    draft = ConsoleStore(runtime(console_app).store).draft()
    assert (
        "tools" not in draft.bundle["keywords.yaml"]
        and "responses/en/tools.txt" not in draft.bundle
    )
    refused = helpers.post(editor, "/console/topics/labor/delete")
    assert refused.status_code == 302
    assert "- id: labor" in ConsoleStore(runtime(console_app).store).draft().bundle["keywords.yaml"]
    assert "required topic" in editor.get("/console/topics/labor").get_data(as_text=True)


def test_stats_draw_an_svg_chart_and_give_a_csv(console_app, editor):
    store = runtime(console_app).store
    today = datetime.now(UTC).date()
    store.add_counts({(today, "labor", "es"): 7, (today, "housing", "en"): 3})
    html = editor.get("/console/stats?days=7").get_data(as_text=True)
    assert "<svg" in html and "<rect" in html
    assert "labor: 7" in html and "housing: 3" in html and "<strong>10</strong>" in html
    only_es = editor.get("/console/stats?days=7&lang=es").get_data(as_text=True)
    assert "<strong>7</strong>" in only_es
    csv_text = editor.get("/console/stats.csv?days=30").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "day,topic,lang,count"
    assert f"{today.isoformat()},labor,es,7" in csv_text


def test_the_audit_names_operators_and_never_a_texter(console_app, admin, publisher, helpers):
    helpers.login(console_app.test_client(), "editor", "wrong password!")
    sender, body = "+12065550199", "my boss took my passport qqzzvv"
    as_twilio.post(console_app.test_client(), as_twilio.params(body, sender=sender))
    _save(publisher, helpers, "labor", reply_es=NEW_LABOR_ES)
    _publish(publisher, helpers, "audit me")
    helpers.post(
        publisher, "/console/history/1/rollback", {"reason": "undo"}, page="/console/history"
    )
    helpers.post(
        admin,
        "/console/accounts",
        {"username": "newbie", "password": "long enough pw", "role": "editor"},
        page="/console/accounts",
    )
    html = admin.get("/console/audit").get_data(as_text=True)
    for action in ("login", "publish", "rollback", "account_add"):
        assert f'<span class="badge">{action}</span>' in html, action
    assert "<td>editor</td><td>1</td>" in html  # the failed login: counted, not a row
    assert "2065550199" not in html and "qqzzvv" not in html
    store = runtime(console_app).store
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM console_audit").all()
    assert "2065550199" not in repr(rows) and "qqzzvv" not in repr(rows)


def test_an_admin_manages_accounts_in_the_console(console_app, admin, helpers):
    r = helpers.post(
        admin,
        "/console/accounts",
        {"username": "maria", "password": "long enough pw", "role": "publisher"},
        page="/console/accounts",
    )
    assert r.status_code == 302
    maria = console_app.test_client()
    assert helpers.login(maria, "maria", "long enough pw").status_code == 302
    helpers.post(admin, "/console/accounts/maria/disable", page="/console/accounts")
    assert maria.get("/console/").status_code == 302
    short = helpers.post(
        admin,
        "/console/accounts",
        {"username": "x", "password": "short", "role": "editor"},
        page="/console/accounts",
    )
    assert short.status_code == 400 and "at least 10 characters" in short.get_data(as_text=True)


def test_export_of_a_draft_round_trips_through_the_files(console_app, publisher, helpers, tmp_path):
    _save(publisher, helpers, "labor", keywords_es="patron, no me pagan, trabajo, jefe malo")
    _publish(publisher, helpers, "keyword")
    bundle = runtime(console_app).store.live_revision().bundle
    write_bundle(bundle, tmp_path / "lib")
    assert read_bundle(tmp_path / "lib") == bundle
    assert "es: [patron, no me pagan, trabajo, jefe malo]" in bundle["keywords.yaml"]


def test_the_topic_page_lists_the_drafts_changes_against_live(editor, helpers):
    form = _form(editor, "labor")
    _save(
        editor,
        helpers,
        "labor",
        reply_es=NEW_LABOR_ES,
        keywords_es=form["keywords_es"] + ", jefe malo",
    )
    html = editor.get("/console/topics/labor").get_data(as_text=True)
    changes = html.split('id="changes"', 1)[1].split("</section>", 1)[0]
    assert "reply (es) changed" in changes and "keywords (es) added: jefe malo" in changes
    assert "reply (en)" not in changes


def test_the_counter_counts_the_menu_as_sent_with_its_titles(editor, helpers):
    token = helpers.csrf_token(editor, "/console/topics/menu")
    data = editor.post(
        "/console/api/count",
        json={"text": "Responda con un numero:\n{menu}\nEn peligro? Llame al 911.", "lang": "es"},
        headers={"X-CSRFToken": token},
    ).get_json()
    assert "1 Trabajo y pago\n2 Vivienda" in data["text"]
    assert data["characters"] == len(data["text"]) and "{" not in data["text"]


def test_draft_publish_and_rollback_through_the_console_on_both_databases(
    make_app, database_url, helpers
):
    app = make_app(database_url=database_url)
    runtime(app).live.start()
    ConsoleStore(runtime(app).store).add_account("pat", helpers.PASSWORD, "publisher")
    client = app.test_client()
    helpers.login(client, "pat")
    assert _save(client, helpers, "labor", reply_es=NEW_LABOR_ES).status_code == 302
    assert _publish(client, helpers, "both databases").status_code == 302
    assert as_twilio.messages(
        as_twilio.post(app.test_client(), as_twilio.params("no me pagan"))
    ) == [NEW_LABOR_ES]
    assert (
        helpers.post(
            client, "/console/history/1/rollback", {"reason": "back"}, page="/console/history"
        ).status_code
        == 302
    )
    assert as_twilio.messages(
        as_twilio.post(app.test_client(), as_twilio.params("no me pagan"))
    ) == [app_library.REPLIES["labor/es"]]


def test_a_problem_outside_any_topic_is_shown_on_the_topic_list(console_app, editor, helpers):
    store = runtime(console_app).store
    bundle = dict(store.live_revision().bundle)
    bundle["responses/en/voice.txt"] = "Call 1-206-555-0123 now.\n"
    bundle["responses/es/voice.txt"] = "Llame al 1-888-373-7888.\n"
    ConsoleStore(store).change_draft(lambda b: bundle, start=(bundle, 1), by="editor")
    html = editor.get("/console/").get_data(as_text=True)
    general = html.split('class="summary', 1)[1].split('<p><a class="button"', 1)[0]
    assert "responses/en/voice.txt" in general and "1-206-555-0123" in general


def test_a_topic_page_with_a_draft_parses_keywords_yaml_once(editor, helpers, monkeypatch):
    """The draft, its prepared form and the live revision share one keywords.yaml: one parse."""
    from bot.console import editing, working

    assert _save(editor, helpers, "labor", reply_es=NEW_LABOR_ES).status_code == 302
    parses = []

    def counted(text):
        parses.append(text)
        return editing.parse_keywords(text)

    monkeypatch.setattr(working, "parse_keywords", counted)
    html = editor.get("/console/topics/labor").get_data(as_text=True)
    assert NEW_LABOR_ES in html and "changes" in html
    assert len(parses) == 1


def test_discarding_the_draft_only_asks_until_confirmed_and_names_whose_edits_go(
    console_app, editor, publisher, helpers
):
    _save(editor, helpers, "labor", reply_es=NEW_LABOR_ES)
    _save(publisher, helpers, "housing", reply_en="Housing: call 211 tonight.")
    asked = helpers.post(editor, "/console/draft/discard", page="/console/")
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "editor, publisher" in page or "publisher, editor" in page
    store = console_app.extensions["console"].store
    assert store.draft() is not None
    done = helpers.post(editor, "/console/draft/discard", {"confirm": "yes"}, page="/console/")
    assert done.status_code == 302 and store.draft() is None
    assert store.audit_entries_of("draft_discard")[0].detail.startswith("edits of ")


def test_a_draft_that_only_adds_a_number_publishes_the_registry_and_keeps_the_revision(
    console_app, admin, editor, helpers
):
    from bot.library.registry import deployment_registry

    settings = runtime(console_app).settings
    entry = {
        "id": "wa-labor-line",
        "number": "1-206-555-0143",
        "what": "Washington labor line",
        "source": "its own contact page",
        "verified": "2026-11-30",
    }
    refused = helpers.post(editor, "/console/numbers", entry, page="/console/numbers")
    assert refused.status_code == 403
    saved = helpers.post(admin, "/console/numbers", entry, page="/console/numbers")
    assert saved.status_code == 302
    assert "1-206-555-0143" not in {e.number for e in deployment_registry(settings).entries}
    before = runtime(console_app).store.live_revision_id()
    done = _publish(admin, helpers, "a labor line")
    assert done.status_code == 302
    assert "1-206-555-0143" in {e.number for e in deployment_registry(settings).entries}
    assert runtime(console_app).store.live_revision_id() == before
    assert "Published the number registry" in admin.get("/console/history").get_data(as_text=True)
    # A number the checker cannot read is refused with the registry's own words, not saved.
    bad = helpers.post(
        admin, "/console/numbers", {**entry, "number": "555-0143 ext"}, page="/console/numbers"
    )
    assert bad.status_code == 400 and "Not saved" in bad.get_data(as_text=True)
