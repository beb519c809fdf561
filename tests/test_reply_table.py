"""docs/replies.md has a row for every reply, and the grade it shows is worked out from the text."""

from __future__ import annotations

import pytest

from bot.core.library import load_library_dir
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def reply_table():
    """tools.reply_table, imported when a test here runs: textstat and its dictionaries take two
    seconds to load, which every xdist worker would pay at collection."""
    return pytest.importorskip("tools.reply_table", reason="textstat is a development dependency")


DOC = PROJECT_ROOT / "docs" / "replies.md"


def _doc_rows(reply_table) -> dict[tuple[str, str], list[str]]:
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index(reply_table.BEGIN) : text.index(reply_table.END)]
    rows = [line.strip("|").split("|") for line in table.splitlines() if line.startswith("| ")]
    return {(cells[0].strip(), cells[1].strip()): [c.strip() for c in cells] for cells in rows[1:]}


def test_every_reply_of_the_bundled_library_has_a_row_with_a_grade_where_a_formula_exists(
    reply_table,
):
    library = load_library_dir(PROJECT_ROOT)
    rows = _doc_rows(reply_table)
    for topic in library.topics:
        for lang in topic.replies:
            assert (topic.id, lang) in rows, f"docs/replies.md has no row for {topic.id} {lang}"
            grade = rows[(topic.id, lang)][5]
            if lang in reply_table.GRADE_FORMULAS:
                float(grade)
            else:  # textstat has no grade formula for the language: the row says so
                assert grade == "-"


def test_phone_numbers_do_not_make_a_reply_read_harder(reply_table):
    plain = "If you are hurt, call the hotline now."
    with_number = "If you are hurt, call the hotline now: 1-888-373-7888."
    assert reply_table.reading_grade(with_number, "en") == reply_table.reading_grade(plain, "en")


def test_long_words_and_sentences_raise_the_grade_in_both_languages(reply_table):
    assert reply_table.reading_grade("Call us. We help.", "en") < reply_table.reading_grade(
        "Comprehensive multidisciplinary organizational collaboration necessitates"
        " institutional coordination and sustained interdepartmental communication.",
        "en",
    )
    assert reply_table.reading_grade("Llame ya. Es gratis.", "es") < reply_table.reading_grade(
        "La coordinacion interinstitucional multidisciplinaria necesita comunicacion"
        " permanente entre organizaciones gubernamentales y comunitarias.",
        "es",
    )


def test_a_language_without_a_formula_gets_no_grade(reply_table):
    assert reply_table.reading_grade("Appelez le 911.", "fr") is None
