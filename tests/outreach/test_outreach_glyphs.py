"""A printed word with characters the font lacks is refused, never printed as blanks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import create_app
from bot.core.library import KEYWORDS_FILE
from bot.runtime import runtime
from bot.settings import PROJECT_ROOT, Settings
from tests.outreach.test_outreach_commands import NUMBER, publishable_bundle

FONTS = PROJECT_ROOT / "bot" / "outreach" / "fonts"
REGULAR = FONTS / "AtkinsonHyperlegible-Regular.ttf"


def test_the_glyph_check_names_what_a_font_lacks_and_passes_what_it_has():
    from bot.outreach.render import missing_glyphs

    assert missing_glyphs("¿Necesitas ayuda? Ñandú, 1-888-373-7888 · HELP", REGULAR) == ()
    assert missing_glyphs("Vivienda 住房 住", REGULAR) == ("住", "房")


@pytest.fixture
def app_with_title(tmp_path: Path):
    """A factory: an app whose live library's English housing title is the one given."""
    made = []

    def factory(title: str):
        bundle = dict(publishable_bundle(PROJECT_ROOT))
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
    app = app_with_title("Housing 住房")
    out = tmp_path / f"{kind}.pdf"
    result = app.test_cli_runner().invoke(args=["outreach", kind, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "nothing was printed" in result.output
    assert "'Housing 住房 · '" in result.output or "Housing 住房" in result.output
    assert "U+4F4F" in result.output and "U+623F" in result.output
    assert "AtkinsonHyperlegible" in result.output
    assert not out.exists()
