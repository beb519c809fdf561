"""A printed word with characters the font lacks is refused, never printed as blanks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import create_app
from bot.core.library import KEYWORDS_FILE
from bot.runtime import runtime
from bot.settings import PROJECT_ROOT, Settings
from tests.bundled import kept_readers
from tests.outreach.test_outreach_commands import NUMBER, publishable_bundle

FONTS = PROJECT_ROOT / "bot" / "outreach" / "fonts"
REGULAR = FONTS / "AtkinsonHyperlegible-Regular.ttf"


def test_the_glyph_check_names_what_a_font_lacks_and_passes_what_it_has():
    from bot.outreach.typefaces import missing_glyphs

    assert missing_glyphs("¿Necesitas ayuda? Ñandú, 1-888-373-7888 · HELP", REGULAR) == ()
    assert missing_glyphs("Vivienda 住房 住", REGULAR) == ("住", "房")


def test_each_language_gets_the_first_font_with_all_its_characters():
    from bot.outreach.typefaces import ATKINSON, NOTO_SANS, NOTO_SANS_CJK, choose_typeface

    assert choose_typeface("es", ["¿Necesita ayuda? Escríbanos."]) is ATKINSON
    assert choose_typeface("vi", ["Nhắn GIÚP tới", "1-888-373-7888"]) is NOTO_SANS
    assert choose_typeface("ru", ["Напишите МЕНЮ на номер"]) is NOTO_SANS
    assert choose_typeface("zh-Hans", ["发 菜单 到", "Mandarin"]) is NOTO_SANS_CJK
    assert choose_typeface("ko", ["메뉴 문자 보낼 번호:"]) is NOTO_SANS_CJK


def test_a_text_no_font_has_is_named_with_its_language_and_characters():
    from bot.outreach.typefaces import choose_typeface

    problems = choose_typeface("am", ["እርዳታ HELP", "fine"])
    assert isinstance(problems, list) and len(problems) == 1
    assert problems[0].startswith("am: 'እርዳታ HELP' has characters no printing font has")
    assert "U+12A5" in problems[0] and "'fine'" not in problems[0]


@pytest.fixture
def app_with_title(tmp_path: Path):
    """A factory: an app whose live library's English housing title is the one given."""
    made = []

    def factory(title: str):
        bundle = dict(publishable_bundle(PROJECT_ROOT, saved=kept_readers()))
        bundle[KEYWORDS_FILE] = bundle[KEYWORDS_FILE].replace(
            "title: {en: Housing,", f"title: {{en: '{title}',"
        )
        app = create_app(
            Settings(
                database_url=f"sqlite:///{tmp_path / f'bot{len(made)}.sqlite3'}",
                library_dir=str(PROJECT_ROOT),
                bot_number=NUMBER,
            )
        )
        store = runtime(app).store
        store.migrate()
        store.publish(bundle, published_by="tests", comment="a title the font lacks")
        made.append(app)
        return app

    yield factory
    for app in made:
        runtime(app).store.dispose()


@pytest.mark.parametrize("kind", ["cards", "poster"])
def test_a_title_with_characters_the_font_lacks_is_refused_naming_them(
    app_with_title, tmp_path, kind
):
    app = app_with_title("Housing ⵜⴰⴷⴷⴰⵔⵜ")  # Tifinagh: in none of the printing fonts
    out = tmp_path / f"{kind}.pdf"
    result = app.test_cli_runner().invoke(args=["outreach", kind, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "nothing was printed" in result.output
    assert "en: 'Housing ⵜⴰⴷⴷⴰⵔⵜ · ' has characters no printing font has" in result.output
    assert "U+2D5C" in result.output and "U+2D30" in result.output
    assert not out.exists()
