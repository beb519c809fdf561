"""Which language a text is in: script, the library's words, then py3langid's model."""

from __future__ import annotations

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from bot.core.detect import detect, script_counts
from bot.core.langid_model import langid_tables
from bot.core.library import load_library
from bot.core.matcher import build_matcher, match
from bot.core.text import tokenize
from bot.core.topics import OTHER_LANGUAGE_TOPIC
from tests import language_library

NINE = build_matcher(load_library(language_library.bundle()))
EN_ES = build_matcher(load_library(language_library.bundle(["en", "es"])))


def lang_of(text, matcher=NINE):
    found = match(text, matcher)
    return "other" if found.topic == OTHER_LANGUAGE_TOPIC else found.lang


@pytest.mark.parametrize(
    "text",
    ["mi patron no me paga", "toi can giup do", "мені потрібна допомога", "obrigado", "HELP"],
)
def test_the_cut_down_tables_score_as_py3langid_does(text):
    codes = ["en", "es", "pt", "vi", "ru", "uk", "it", "fr"]
    ours = langid_tables(codes).rank(text)
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(codes)
    theirs = reference.rank(text)
    assert [c for c, _ in ours[:3]] == [c for c, _ in theirs[:3]]
    for (_, p), (_, q) in zip(ours, theirs, strict=True):
        assert p == pytest.approx(q, abs=1e-5)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("їжа", "uk"),  # і ї є ґ are Ukrainian only
        ("ещё", "ru"),  # ы э ъ ё are Russian only
        ("도움", "ko"),
        ("帮助", "zh-Hans"),
        ("cứu", "vi"),  # a tone mark no other language writes
        ("tulong", "tl"),  # one word: the library's keyword decides
        ("caawimaad", "so"),
    ],
)
def test_script_letters_and_the_librarys_words_decide_short_texts(text, lang):
    assert lang_of(text) == lang


@pytest.mark.parametrize(
    "text",
    ["tôi cần giúp đỡ", "ông chủ không trả lương", "não tenho onde morar", "meu patrão não paga"],
)
def test_spanish_is_never_chosen_for_vietnamese_or_portuguese_accents(text):
    assert lang_of(text, EN_ES) != "es"


@pytest.mark.parametrize(
    "text",
    [
        "preciso de ajuda por favor",  # Portuguese
        "j'ai besoin d'aide s'il vous plaît",  # French
        "ich brauche hilfe bitte",  # German
        "ho bisogno di aiuto per favore",  # Italian
        "mwen bezwen èd tanpri",  # Haitian Creole
        "saya perlu bantuan tolong",  # Indonesian
        "ninahitaji msaada tafadhali",  # Swahili
        "أحتاج مساعدة من فضلك",  # Arabic
        "助けてください",  # Japanese
        "ฉันต้องการความช่วยเหลือ",  # Thai
        "मुझे मदद चाहिए",  # Hindi
    ],
)
def test_texts_in_languages_the_library_lacks_get_the_interpreter_reply(text):
    assert lang_of(text) == "other"
    assert lang_of(text, EN_ES) == "other"


def test_without_an_other_language_reply_such_texts_get_the_default_language():
    matcher = build_matcher(
        load_library(language_library.bundle(["en", "es"], other_language=False))
    )
    assert match("ich brauche hilfe bitte", matcher).lang == "en"


@pytest.mark.parametrize("text", ["help помощь 帮助 도움", "ok спасибо 谢谢", "ayuda 救命 рятуйте"])
def test_a_text_mixing_three_scripts_gets_one_library_language(text):
    assert lang_of(text) in language_library.LANGUAGES


@pytest.mark.parametrize("text", ["3", "ok", "  ", "!!", "#2"])
def test_a_text_without_a_sign_of_its_language_is_marked_guessed(text):
    detected = detect(text, tokenize(text), [], NINE.detector)
    assert detected.lang == "en" and detected.guessed


def test_letters_are_counted_by_script():
    assert script_counts("help 주세요") == {"Latn": 4, "Hang": 3}
    assert script_counts("\x80") == {}


def test_a_few_letters_of_another_script_among_the_librarys_do_not_make_another_language():
    assert lang_of("Housing 住房", EN_ES) == "en"  # a title printed with its Chinese
    assert lang_of("help 我需要帮助", EN_ES) == "other"
    assert lang_of("help 주세요") == "ko"  # Korean is the library's: its letters weigh more


def test_a_model_that_cannot_be_read_leaves_script_and_words_to_decide(monkeypatch):
    def broken(_codes):
        raise RuntimeError("could not read py3langid's model")

    monkeypatch.setattr("bot.core.detect.langid_tables", broken)
    matcher = build_matcher(load_library(language_library.bundle()))
    assert matcher.detector.model is None
    assert lang_of("мені потрібна допомога", matcher) == "uk"
    assert lang_of("mi patron no me paga", matcher) == "es"


@pytest.mark.parametrize("text", ["salamat po", "waxaan rabaa caawimaad fadlan", "toi muon biet"])
def test_little_words_of_a_language_the_library_lacks_get_the_interpreter_reply(text):
    assert lang_of(text, EN_ES) == "other"


@pytest.mark.parametrize("text", ["help", "tulong", "3"])
def test_one_word_no_library_knows_is_not_taken_for_another_language(text):
    assert lang_of(text, EN_ES) == "en"
