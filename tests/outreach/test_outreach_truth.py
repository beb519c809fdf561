"""The truth checks: the outreach commands print only what the chosen revision answers, and
refuse, with the reason and without a file, when a title, keyword or number would not work."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from bot import create_app
from bot.core.library import load_library
from bot.core.numbers import load_registry
from bot.outreach.content import (
    OutreachError,
    build_material,
    check_printed_numbers,
    display_number,
)
from bot.runtime import runtime
from bot.settings import PROJECT_ROOT, Settings, SettingsError

NUMBER = "+15095550100"

KEYWORDS = """\
languages: [en, es]
topics:
  - id: emergency
    keywords: {en: [emergency], es: [emergencia]}
  - id: labor
    menu: 1
    title: {en: Work and pay, es: Trabajo y pago}
    keywords:
      en: [wages, pay, work]
      es: [salario, pago, trabajo]
  - id: housing
    menu: 2
    title: {en: Housing, es: Vivienda}
    keywords: {en: [shelter, housing], es: [albergue, vivienda]}
  - id: menu
    keywords: {en: [hello, help, menu], es: [hola, ayuda]}
  - id: stop
    silent: true
"""

REPLIES = {
    "emergency": ("Danger now: call 911.", "Peligro: llame al 911."),
    "labor": ("Unpaid? Call 1-888-373-7888.", "Sin pago? Llame al 1-888-373-7888."),
    "housing": ("Shelter: call 211.", "Albergue: llame al 211."),
    "menu": ("Reply with a number:\n{menu}\nDanger: 911.", "Responda:\n{menu}\nPeligro: 911."),
}


def bundle(keywords: str = KEYWORDS) -> dict[str, str]:
    files = {"keywords.yaml": keywords}
    for topic, (en, es) in REPLIES.items():
        files[f"responses/en/{topic}.txt"] = en + "\n"
        files[f"responses/es/{topic}.txt"] = es + "\n"
    return files


@pytest.fixture
def app(database_url):
    app = create_app(
        Settings(database_url=database_url, library_dir=str(PROJECT_ROOT), bot_number=NUMBER)
    )
    runtime(app).store.migrate()
    yield app
    runtime(app).store.dispose()


@pytest.fixture
def out(tmp_path):
    """An empty folder for the files made (the SQLite database lives elsewhere in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def publish(app, keywords: str = KEYWORDS) -> int:
    return runtime(app).store.publish(bundle(keywords), published_by="t", comment="t").id


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["outreach", *args])


def text_of(pdf) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_cards_print_the_words_of_the_live_revision(app, out):
    publish(app)
    result = run(app, "cards", "--out", str(out / "c.pdf"))
    assert result.exit_code == 0, result.output
    text = text_of(out / "c.pdf")
    # a word of the title first ("WAGES" is listed first, but is not in the title)
    assert "1 Work and pay · PAY" in text and "1 Trabajo y pago · PAGO" in text
    assert "2 Housing · HOUSING" in text and "2 Vivienda · VIVIENDA" in text
    assert "Text HELP to" in text and "Escriba AYUDA al" in text


def test_a_named_revision_is_printed_instead_of_the_live_one(app, out):
    first = publish(app)
    publish(app, KEYWORDS.replace("{en: Housing, es: Vivienda}", "{en: Shelter, es: Albergue}"))
    assert run(app, "poster", "--out", str(out / "live.pdf")).exit_code == 0
    assert "2 Shelter · SHELTER" in text_of(out / "live.pdf")
    result = run(app, "poster", "--out", str(out / "old.pdf"), "--revision", str(first))
    assert result.exit_code == 0, result.output
    assert f"revision {first}" in result.output
    assert "2 Housing · HOUSING" in text_of(out / "old.pdf")


def test_an_unknown_revision_is_refused(app, out):
    publish(app)
    result = run(app, "cards", "--out", str(out / "c.pdf"), "--revision", "99")
    assert result.exit_code == 1 and "no library revision 99" in result.output
    assert list(out.iterdir()) == []


def test_nothing_is_printed_before_a_library_is_published(app, out):
    result = run(app, "cards", "--out", str(out / "c.pdf"))
    assert result.exit_code == 1 and "flask library publish" in result.output
    assert list(out.iterdir()) == []


def test_a_library_whose_menu_is_empty_is_refused_without_a_file(app, out):
    publish(app, KEYWORDS.replace("    menu: 1\n", "").replace("    menu: 2\n", ""))
    for kind in ("cards", "poster"):
        result = run(app, kind, "--out", str(out / f"{kind}.pdf"))
        assert result.exit_code == 1
        assert "menu is empty" in result.output
    assert list(out.iterdir()) == []


def test_a_title_that_does_not_reach_its_topic_is_refused_with_what_it_reaches(app, out):
    publish(app, KEYWORDS.replace("en: Housing,", "en: A roof tonight,"))
    result = run(app, "cards", "--out", str(out / "c.pdf"))
    assert result.exit_code == 1
    assert "'A roof tonight'" in result.output and "reaches 'menu'" in result.output
    assert list(out.iterdir()) == []


def test_a_topic_with_no_keyword_that_reaches_it_in_the_language_is_refused(app, out):
    # No Spanish keyword worth printing (letters only): the Spanish side is refused.
    publish(app, KEYWORDS.replace("es: [albergue, vivienda]", "es: [h2b]"))
    result = run(app, "poster", "--out", str(out / "p.pdf"), "--lang", "es")
    assert result.exit_code == 1
    assert "no es keyword of 'housing'" in result.output
    assert list(out.iterdir()) == []
    # The English poster alone prints: nothing on it is wrong.
    assert run(app, "poster", "--out", str(out / "p.pdf"), "--lang", "en").exit_code == 0


def test_every_problem_is_listed_not_just_the_first(app, out):
    publish(app, KEYWORDS.replace("en: Housing,", "en: Roof,").replace("es: Vivienda", "es: Techo"))
    result = run(app, "cards", "--out", str(out / "c.pdf"))
    assert result.exit_code == 1
    assert "'Roof'" in result.output and "'Techo'" in result.output


# --- The pure parts ---------------------------------------------------------------------------


REGISTRY_TEXT = (PROJECT_ROOT / "numbers.yaml").read_text(encoding="utf-8")


def test_numbers_come_from_the_registry_by_id():
    registry = load_registry(REGISTRY_TEXT)
    material = build_material(load_library(bundle()), registry, NUMBER, ["en"])
    assert material.emergency == registry.by_id["emergency"].number
    assert material.hotline_call == registry.by_id["trafficking-hotline-call"].number
    assert material.hotline_text == registry.by_id["trafficking-hotline-text"].number


def test_a_registry_without_the_hotline_is_refused():
    kept = REGISTRY_TEXT.replace("id: trafficking-hotline-call", "id: hotline-renamed")
    with pytest.raises(OutreachError, match="trafficking-hotline-call"):
        build_material(load_library(bundle()), load_registry(kept), NUMBER, ["en", "es"])


def test_a_language_the_library_lacks_is_refused():
    english_only = {
        "keywords.yaml": (
            "languages: [en]\ntopics:\n"
            "  - id: emergency\n    keywords: {en: [emergency]}\n"
            "  - id: housing\n    menu: 1\n    title: {en: Housing}\n"
            "    keywords: {en: [housing]}\n"
            "  - id: menu\n    keywords: {en: [help]}\n"
            "  - id: stop\n    silent: true\n"
        ),
        **{f"responses/en/{t}.txt": REPLIES[t][0] for t in ("emergency", "housing", "menu")},
    }
    library = load_library(english_only)
    build_material(library, load_registry(REGISTRY_TEXT), NUMBER, ["en"])
    with pytest.raises(OutreachError, match="no 'es' replies"):
        build_material(library, load_registry(REGISTRY_TEXT), NUMBER, ["en", "es"])


def test_printed_text_with_a_number_outside_the_registry_is_refused():
    registry = load_registry(REGISTRY_TEXT)
    check_printed_numbers(
        ["Danger now: 911", "(509) 555-0100", "call 1-888-373-7888"], registry, NUMBER
    )
    with pytest.raises(OutreachError, match="206-555-0123"):
        check_printed_numbers(["call 206-555-0123"], registry, NUMBER)
    with pytest.raises(OutreachError, match="509"):
        check_printed_numbers(["(509) 555-0100"], registry, "+15095550199")


@pytest.mark.parametrize(
    ("e164", "shown"),
    [("+15095550100", "(509) 555-0100"), ("+12065550123", "(206) 555-0123")],
)
def test_a_north_american_number_is_shown_us_style(e164, shown):
    assert display_number(e164) == shown


def test_another_country_s_number_is_shown_as_it_is():
    assert display_number("+5215512345678") == "+5215512345678"


def test_bot_number_is_checked_when_settings_are_read():
    assert Settings.from_env({"BOT_NUMBER": "+15095550100"}).bot_number == "+15095550100"
    assert Settings.from_env({}).bot_number == ""
    for bad in ("5095550100", "+1 509 555 0100", "(509) 555-0100", "+0155", "+1509555010012345"):
        with pytest.raises(SettingsError, match=r"BOT_NUMBER: .* E\.164"):
            Settings.from_env({"BOT_NUMBER": bad})
