"""Languages as library data: codes, language.yaml, back-translations, opt-out words and the reply
to texts in languages the library lacks, each problem named with its file and line."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.checks import check_library
from bot.core.library import LibraryError, load_library
from bot.core.numbers import load_registry
from tests import language_library
from tests.core.sample_registry import HOTLINE_AND_911

TODAY = dt.date(2026, 12, 1)


def problems_of(bundle):
    with pytest.raises(LibraryError) as caught:
        load_library(bundle)
    return [str(p) for p in caught.value.problems]


def check_errors(bundle):
    registry = load_registry(HOTLINE_AND_911 + _NUMBER_211, "numbers.yaml")
    return [str(p) for p in check_library(load_library(bundle), registry, TODAY).errors]


_NUMBER_211 = """\
  - id: two-one-one
    number: "211"
    what: 211
    source: test
    verified: 2026-11-24
"""


def test_nine_languages_load_with_their_names_and_budgets():
    library = load_library(language_library.bundle())
    assert library.languages == tuple(language_library.LANGUAGES)
    assert library.language("vi").name == "Tiếng Việt"
    assert library.segment_budget("labor", "vi") == 4
    assert library.segment_budget("labor", "en") == 3
    assert library.segment_budget("emergency", "vi") == 1  # the topic's own budget wins
    assert "1-888-373-7888" in library.other_language


@pytest.mark.parametrize("code", ["mix", "trs", "mam", "quc", "zh-Hans"])
def test_three_letter_and_script_codes_are_accepted(code):
    bundle = language_library.bundle(["en", "es"])
    bundle["keywords.yaml"] = bundle["keywords.yaml"].replace("- es\n", f"- es\n- {code}\n", 1)
    for topic in ("emergency", "labor", "housing", "menu"):
        bundle[f"responses/{code}/{topic}.txt"] = bundle[f"responses/es/{topic}.txt"]
    # the new language still lacks keywords and titles, but its code is fine
    problems = problems_of(bundle)
    assert problems and not any("BCP 47" in p or "language code" in p for p in problems)


@pytest.mark.parametrize("code", ["xx", "english", "en_US", "123"])
def test_a_bad_language_code_is_refused_at_its_line(code):
    bundle = language_library.bundle(["en", "es"])
    bundle["keywords.yaml"] = bundle["keywords.yaml"].replace("- es\n", f"- {code}\n", 1)
    problems = problems_of(bundle)
    assert any(p.startswith("keywords.yaml:3: error:") and repr(code) in p for p in problems)


def test_a_missing_reply_of_a_listed_language_is_named():
    bundle = language_library.bundle()
    del bundle["responses/ko/housing.txt"]
    assert any(p.startswith("responses/ko/housing.txt") for p in problems_of(bundle))


def test_an_unknown_call_or_label_key_is_refused_in_its_file():
    bundle = language_library.bundle()
    bundle["responses/vi/language.yaml"] += "call:\n  greeting: Xin chào\nlabels:\n  footer: x\n"
    problems = problems_of(bundle)
    assert any(p.startswith("responses/vi/language.yaml:5") and "greeting" in p for p in problems)
    assert any(p.startswith("responses/vi/language.yaml:7") and "footer" in p for p in problems)


def test_a_label_that_loses_its_placeholder_is_refused():
    bundle = language_library.bundle()
    bundle["responses/vi/language.yaml"] += "labels:\n  danger: Nguy hiểm\n"
    assert any("{number}" in p for p in problems_of(bundle))


def test_a_language_file_of_an_unlisted_language_is_refused():
    bundle = language_library.bundle(["en", "es"])
    bundle["responses/pt/language.yaml"] = "name: Português\n"
    assert any(p.startswith("responses/pt/language.yaml") for p in problems_of(bundle))


def test_an_over_budget_reply_is_measured_against_its_languages_budget():
    bundle = language_library.bundle()
    long_reply = "Việc làm: gọi 1-888-373-7888. " + "Xin thông dịch viên. " * 12
    bundle["responses/vi/labor.txt"] = long_reply  # UCS-2, about 5 segments of 70
    errors = check_errors(bundle)
    assert any(e.startswith("responses/vi/labor.txt:1") and "of 4" in e for e in errors)
    assert check_errors(language_library.bundle()) == []


def test_a_back_translation_whose_numbers_differ_is_named():
    bundle = language_library.bundle()
    bundle["back-translations/vi/labor.txt"] = "Work: call 1-888-373-7888, ask for an interpreter."
    assert check_errors(bundle) == []
    bundle["back-translations/vi/labor.txt"] = "Work: call 911, ask for an interpreter."
    errors = check_errors(bundle)
    assert any(e.startswith("back-translations/vi/labor.txt:1") for e in errors)
    assert any("8883737888" in e for e in errors)


def test_the_back_translation_of_a_languages_fallback_is_checked_against_its_fallback():
    bundle = language_library.bundle()
    bundle["responses/vi/language.yaml"] += 'fallback: "Gọi 1-888-373-7888, xin thông dịch viên."\n'
    bundle["back-translations/vi/fallback.txt"] = "Call 1-888-373-7888, ask for an interpreter."
    assert check_errors(bundle) == []
    bundle["back-translations/vi/fallback.txt"] = "Call 911."
    errors = check_errors(bundle)
    assert any(
        e.startswith("back-translations/vi/fallback.txt:1") and "language.yaml (fallback)" in e
        for e in errors
    )


def test_the_other_language_reply_carries_only_verified_numbers():
    bundle = language_library.bundle()
    bundle["responses/other-language.txt"] = "Call 1-800-555-0199 for an interpreter."
    errors = check_errors(bundle)
    assert any(e.startswith("responses/other-language.txt") and "not in" in e for e in errors)


@pytest.mark.parametrize("word", ["stop", "END", "cancel", "baja"])
def test_a_keyword_that_is_an_opt_out_word_is_refused(word):
    bundle = language_library.bundle()
    bundle["keywords.yaml"] = bundle["keywords.yaml"].replace("- vivienda", f"- {word}", 1)
    assert any("opt-out" in p and repr(word) in p for p in problems_of(bundle))


def test_the_check_summary_names_each_languages_gaps():
    from bot.core.language_gaps import format_language_gaps, language_gaps

    bundle = language_library.bundle()
    del bundle["responses/ko/housing.txt"]
    bundle["back-translations/vi/labor.txt"] = "Work: call 1-888-373-7888."
    gaps = {g.lang: g for g in language_gaps(bundle)}
    assert list(gaps) == language_library.LANGUAGES
    assert gaps["ko"].replies == ("housing",) and not gaps["ko"].complete
    assert "labor" not in gaps["vi"].back_translations and "housing" in gaps["vi"].back_translations
    assert gaps["vi"].name == "Tiếng Việt" and not gaps["vi"].reviewed
    text = format_language_gaps(tuple(gaps.values()))
    assert "ko (한국어, not reviewed by a native speaker): INCOMPLETE" in text
    assert "replies missing (1 of 4): housing" in text


def test_a_language_texted_in_latin_letters_too_says_so_with_its_own_letters():
    bundle = language_library.bundle()
    bundle["responses/ru/language.yaml"] += "romanized: true\n"
    bundle["responses/uk/language.yaml"] += "romanized:\n  Г: h\n  и: y\n  ь: ''\n"
    library = load_library(bundle)
    assert library.language("ru").romanized == {}
    assert library.language("uk").romanized == {"г": "h", "и": "y", "ь": ""}
    assert library.language("ko").romanized is None  # not said: not texted in Latin letters


@pytest.mark.parametrize(
    ("table", "wrong"),
    [
        ("  g: h\n", "'g'"),  # a Latin letter
        ("  жж: zh\n", "'жж'"),  # two letters
        ("  ж: ж\n", "'ж'"),  # not spelt in Latin letters
        ("  ж: zhzhz\n", "'ж'"),  # too long
    ],
)
def test_a_romanized_letter_that_is_not_one_letter_spelt_in_latin_is_refused(table, wrong):
    bundle = language_library.bundle()
    bundle["responses/uk/language.yaml"] += "romanized:\n" + table
    problems = problems_of(bundle)
    assert any(
        p.startswith("responses/uk/language.yaml:") and "romanized" in p and wrong in p
        for p in problems
    ), problems


def test_a_languages_own_little_words_are_folded_and_vote_for_it():
    from bot.core.matcher import build_matcher, match

    text = "musta"
    bundle = language_library.bundle()
    before = match(text, build_matcher(load_library(bundle), reader=False)).lang
    bundle["responses/tl/language.yaml"] += "little_words: [Musta, kumustá]\n"
    library = load_library(bundle)
    assert library.language("tl").little_words == {"musta", "kumusta"}
    assert before != "tl"
    assert match(text, build_matcher(library, reader=False)).lang == "tl"


@pytest.mark.parametrize("word", ["two words", "!!", ""])
def test_a_little_word_that_is_not_one_word_is_refused_at_its_line(word):
    bundle = language_library.bundle()
    bundle["responses/tl/language.yaml"] += f"little_words: [ok, '{word}']\n"
    problems = problems_of(bundle)
    assert any(
        p.startswith("responses/tl/language.yaml:") and "little_words" in p for p in problems
    ), problems
