"""docs/replies.md has a row for every reply, and the grade it shows is worked out from the text."""

from __future__ import annotations

import pytest

from bot.core.library import load_library_dir
from bot.settings import PROJECT_ROOT

reply_table = pytest.importorskip(
    "tools.reply_table", reason="textstat is a development dependency"
)

DOC = PROJECT_ROOT / "docs" / "replies.md"


def _doc_rows() -> dict[tuple[str, str], list[str]]:
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index(reply_table.BEGIN) : text.index(reply_table.END)]
    rows = [line.strip("|").split("|") for line in table.splitlines() if line.startswith("| ")]
    return {(cells[0].strip(), cells[1].strip()): [c.strip() for c in cells] for cells in rows[1:]}


def test_every_reply_of_the_bundled_library_has_a_row_with_a_grade_in_the_docs():
    library = load_library_dir(PROJECT_ROOT)
    rows = _doc_rows()
    for topic in library.topics:
        for lang in topic.replies:
            assert (topic.id, lang) in rows, f"docs/replies.md has no row for {topic.id} {lang}"
            float(rows[(topic.id, lang)][5])


def test_phone_numbers_do_not_make_a_reply_read_harder():
    plain = "If you are hurt, call the hotline now."
    with_number = "If you are hurt, call the hotline now: 1-888-373-7888."
    assert reply_table.reading_grade(with_number, "en") == reply_table.reading_grade(plain, "en")


def test_long_words_and_sentences_raise_the_grade_in_both_languages():
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


def test_a_language_without_a_formula_gets_no_grade():
    assert reply_table.reading_grade("Appelez le 911.", "fr") is None
