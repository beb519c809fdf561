"""The console's Outreach page (the files `flask outreach` makes, downloaded) and its Calls page
(the spoken message of calls, edited in the draft, checked and published like a reply)."""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot import runtime
from bot.console.storage import ConsoleStore
from bot.core.speech import speakable
from bot.outreach.render import CARD_MENU_ITEMS
from tests import as_twilio
from tests.outreach.test_outreach_commands import decode_qr
from tests.test_voice import call_params, says

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
NUMBER = "+15095550100"
PRINTED_NUMBER = "(509) 555-0100"


def _logged_in(app, role: str):
    from tests.console.conftest import login

    ConsoleStore(runtime(app).store).add_account(role, PASSWORD, role)
    client = app.test_client()
    assert login(client, role).status_code == 302
    return client


@pytest.fixture
def outreach_app(make_app):
    """The console on the project's own library (whose printed words all reach their topics; the
    small test library's titles do not), with the bot's number set."""
    app = make_app(library_dir=str(PROJECT_ROOT), bot_number=NUMBER)
    runtime(app).live.start()
    return app


@pytest.fixture
def operator(outreach_app):
    """The least role there is: any logged-in operator may download."""
    return _logged_in(outreach_app, "editor")


def _pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _library(app):
    from bot.core.library import load_library

    return load_library(runtime(app).store.live_revision().bundle)


# --- Outreach -----------------------------------------------------------------------------------


def test_the_outreach_page_is_in_the_console_navigation(operator):
    page = operator.get("/console/").get_data(as_text=True)
    assert 'href="/console/outreach"' in page
    outreach = operator.get("/console/outreach")
    assert outreach.status_code == 200
    text = outreach.get_data(as_text=True)
    assert NUMBER in text and 'id="cards-form"' in text and 'id="qr-form"' in text


def test_wallet_cards_download_as_a_pdf_with_the_number_911_and_the_menu_titles(
    outreach_app, operator
):
    response = operator.get("/console/outreach/download?file=cards&lang=both&revision=live")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    revision = runtime(outreach_app).store.live_revision().id
    assert (
        f'filename="wallet-cards-rev{revision}-both.pdf"' in response.headers["Content-Disposition"]
    )
    front, back = _pdf_text(response.data)
    on_menu = sorted((t for t in _library(outreach_app).topics if t.menu), key=lambda t: t.menu)
    for page, lang in ((front, "en"), (back, "es")):
        assert PRINTED_NUMBER in page and "911" in page
        for topic in on_menu[:CARD_MENU_ITEMS]:  # a card has room for the first few
            assert f"{topic.menu} {topic.titles[lang]}" in page, (lang, topic.id)


@pytest.mark.parametrize("lang", ["en", "es", "both"])
def test_the_poster_downloads_with_a_page_per_language_chosen(outreach_app, operator, lang):
    response = operator.get(f"/console/outreach/download?file=poster&lang={lang}")
    assert response.status_code == 200, response.get_data(as_text=True)
    pages = _pdf_text(response.data)
    langs = ["en", "es"] if lang == "both" else [lang]
    assert len(pages) == len(langs)
    library = _library(outreach_app)
    labor = library.topic("labor")
    for page, page_lang in zip(pages, langs, strict=True):
        assert PRINTED_NUMBER in page and "911" in page
        assert labor.titles[page_lang] in page


def test_the_outreach_page_offers_every_library_language_and_prints_one(outreach_app, operator):
    library = _library(outreach_app)
    page = operator.get("/console/outreach").get_data(as_text=True)
    for code in library.languages:
        assert f'name="lang" value="{code}"' in page, code
        assert library.language(code).name in page
    default = library.languages[0]
    other = library.languages[-1]
    assert f'value="{other},{default}"' in page
    response = operator.get(f"/console/outreach/download?file=poster&lang={other},{default}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(_pdf_text(response.data)) == 2
    refused = operator.get("/console/outreach/download?file=poster&lang=xx")
    assert refused.status_code == 422 and "unknown languages" in refused.get_data(as_text=True)


def test_the_qr_png_decodes_to_a_text_to_the_bot_and_the_svg_draws_a_code(operator, tmp_path):
    png = operator.get("/console/outreach/download?file=qr&kind=png&body=")
    assert png.status_code == 200 and png.mimetype == "image/png"
    path = tmp_path / "qr.png"
    path.write_bytes(png.data)
    [uri] = decode_qr(path)
    assert uri.upper().startswith(f"SMSTO:{NUMBER}:")
    word = uri.split(":", 2)[2]
    assert word  # the library's own word for the menu
    svg = operator.get("/console/outreach/download?file=qr&kind=svg&body=labor")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert ET.fromstring(svg.data).tag.endswith("svg")


def test_an_older_revision_can_be_chosen(outreach_app, operator):
    store = runtime(outreach_app).store
    first = store.live_revision()
    bundle = dict(first.bundle)
    bundle["responses/en/labor.txt"] = bundle["responses/en/labor.txt"].rstrip() + " Thanks.\n"
    store.publish(bundle, published_by="tests", comment="second")
    assert store.live_revision().id != first.id
    response = operator.get(f"/console/outreach/download?file=qr&revision={first.id}")
    assert response.status_code == 200
    assert f"qr-rev{first.id}.png" in response.headers["Content-Disposition"]


def test_without_bot_number_the_page_says_so_and_no_file_is_sent(make_app):
    app = make_app()  # no BOT_NUMBER
    runtime(app).live.start()
    client = _logged_in(app, "editor")
    assert "BOT_NUMBER is not set" in client.get("/console/outreach").get_data(as_text=True)
    for query in ("file=cards&lang=both", "file=poster&lang=es", "file=qr&kind=png"):
        response = client.get(f"/console/outreach/download?{query}")
        assert response.status_code == 422, query
        assert response.mimetype == "text/html"
        text = html.unescape(response.get_data(as_text=True))
        assert 'id="outreach-error"' in text and "no bot number: set BOT_NUMBER" in text
        assert "Content-Disposition" not in response.headers


def test_a_word_that_would_opt_the_reader_out_is_refused_on_the_page(operator):
    response = operator.get("/console/outreach/download?file=qr&kind=png&body=STOP")
    assert response.status_code == 422
    text = html.unescape(response.get_data(as_text=True))
    assert "opt-out" in text and "Content-Disposition" not in response.headers


def test_an_empty_menu_is_refused_on_the_page_and_nothing_is_sent(outreach_app, operator):
    import yaml

    store = runtime(outreach_app).store
    bundle = dict(store.live_revision().bundle)
    data = yaml.safe_load(bundle["keywords.yaml"])
    for topic in data["topics"]:
        topic.pop("menu", None)
    bundle["keywords.yaml"] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    store.publish(bundle, published_by="tests", comment="no menu")
    for query in ("file=cards&lang=both", "file=poster&lang=en"):
        response = operator.get(f"/console/outreach/download?{query}")
        assert response.status_code == 422, query
        assert "Content-Disposition" not in response.headers
        assert "menu" in html.unescape(response.get_data(as_text=True))


def test_a_revision_that_does_not_exist_is_a_message_not_a_500(operator):
    response = operator.get("/console/outreach/download?file=cards&revision=999")
    assert response.status_code == 422
    assert 'id="outreach-error"' in response.get_data(as_text=True)
    assert operator.get("/console/outreach/download?file=cards&revision=x").status_code == 400
    assert operator.get("/console/outreach/download?file=zip").status_code == 400


def test_the_outreach_page_needs_a_login(outreach_app):
    response = outreach_app.test_client().get("/console/outreach/download?file=cards")
    assert response.status_code in (302, 401)
    assert response.mimetype != "application/pdf"


# --- Calls (spoken message) ---------------------------------------------------------------------

NEW_EN = "Danger now? Hang up and call 911. Press 1 for the trafficking hotline. Bye."
NEW_ES = "¿Peligro ahora? Cuelgue y llame al 911. Oprima 1 para la línea contra la trata. Adiós."


def _save_calls(client, helpers, **fields: str):
    return helpers.post(client, "/console/calls", fields, page="/console/calls")


def test_the_calls_page_is_in_the_navigation_and_editors_may_edit(editor, helpers):
    assert 'href="/console/calls"' in editor.get("/console/").get_data(as_text=True)
    response = _save_calls(editor, helpers, voice_en=NEW_EN, voice_es=NEW_ES)
    assert response.status_code == 302
    page = editor.get("/console/calls").get_data(as_text=True)
    assert html.escape(NEW_EN) in page
    # The estimate of how long it takes to say, from the same check publish runs.
    assert re.search(r'id="estimate_en">\s*<span class="figures ">About \d+ s to say', page)


def test_a_spoken_message_edited_and_published_is_what_a_call_hears(
    console_app, editor, publisher, helpers
):
    assert _save_calls(editor, helpers, voice_en=NEW_EN, voice_es=NEW_ES).status_code == 302
    published = helpers.post(
        publisher, "/console/publish", {"comment": "calls: shorter"}, page="/console/publish"
    )
    assert published.status_code == 302, published.get_data(as_text=True)
    client = console_app.test_client()
    for key, speech, text in (("1", "en-US", NEW_EN), ("2", "es-MX", NEW_ES)):
        response = as_twilio.post(
            client, call_params(Digits=key), url=as_twilio.URL + "/voice/language/1"
        )
        assert response.status_code == 200
        gather = ET.fromstring(response.data).find("Gather")
        assert says(gather) == [(speech, speakable(text))]


def test_an_unregistered_number_blocks_publishing_with_the_error_next_to_the_field(
    console_app, editor, publisher, helpers
):
    bad = "Call 911 or our office at 509-555-0199. Press 1 for the hotline."
    assert _save_calls(editor, helpers, voice_en=bad, voice_es=NEW_ES).status_code == 302
    page = editor.get("/console/calls").get_data(as_text=True)
    field = page.split('id="voice_en"', 1)[1].split("</fieldset>", 1)[0]
    assert 'id="problems_en"' in field and "555-0199" in html.unescape(field)
    assert 'id="problems_es"' not in page
    before = runtime(console_app).store.live_revision().id
    refused = helpers.post(
        publisher, "/console/publish", {"comment": "office number"}, page="/console/publish"
    )
    assert refused.status_code == 400
    assert runtime(console_app).store.live_revision().id == before


def test_a_message_too_long_to_say_in_the_limit_is_an_error_next_to_the_field(editor, helpers):
    long = "Call 911. " + " ".join(["please listen carefully to this"] * 30)
    assert _save_calls(editor, helpers, voice_en=long, voice_es=NEW_ES).status_code == 302
    page = html.unescape(editor.get("/console/calls").get_data(as_text=True))
    field = page.split('id="voice_en"', 1)[1].split("</fieldset>", 1)[0]
    assert "over the limit of" in field and 'class="figures over"' in field
