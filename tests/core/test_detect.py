"""Which language a text is in: script, the library's words, the library's own model, then
py3langid's."""

from __future__ import annotations

from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from bot.core.detect import build_detector, detect
from bot.core.langid_model import langid_tables
from bot.core.language_model import MIN_TEXTS
from bot.core.library import load_library, load_library_dir
from bot.core.matcher import build_matcher, match
from bot.core.scripts import script_counts
from bot.core.text import tokenize
from bot.core.topics import OTHER_LANGUAGE_TOPIC
from tests import language_library

NINE = build_matcher(load_library(language_library.bundle()))
EN_ES = build_matcher(load_library(language_library.bundle(["en", "es"])))
#: The shipped library: its examples teach its own language model (the test library has none).
BUNDLED = build_matcher(load_library_dir(Path(__file__).resolve().parents[2]), reader=False)


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
        assert p == pytest.approx(q, abs=0.01)  # its weights kept as bytes, not half floats


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


@pytest.mark.parametrize(
    "text",
    ["残業代が出ません。一日14時間働いています", "社長に会社の寮から出るなと言われた"],
)
def test_japanese_with_as_many_han_as_kana_is_not_taken_for_chinese(text):
    assert lang_of(text) == "other"


@pytest.mark.parametrize(
    "text",
    [
        "Mon patron ne me paie plus depuis trois mois au restaurant",  # "patron", "restaurant"
        "Mijn baas in het restaurant betaalt me al drie maanden niet",
        # Two keyword words of Spanish or English, which alone would settle the language:
        "o patrao nao paga as horas extras faz dois meses, nao sei o que faço",
        "les agents de l'immigration sont passés chez nous ce matin, on fait quoi",
    ],
)
def test_a_sentence_the_model_is_sure_of_is_another_language_though_a_keyword_is_in_it(text):
    assert lang_of(text, BUNDLED) == "other"


@pytest.mark.parametrize(
    "text",
    ["mi patron no me paga desde hace tres meses", "my boss at the restaurant has not paid me"],
)
def test_a_library_language_with_the_same_keywords_stays_itself(text):
    assert lang_of(text, BUNDLED) in ("es", "en")
    assert lang_of(text, BUNDLED) == ("es" if text.startswith("mi") else "en")


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


# The texts below were written for these tests, not taken from the sets detection is measured on.


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("pomogite pozhaluysta", "ru"),
        ("mne nuzhna pomoshch", "ru"),
        ("rabotodatel ne platit uzhe dva mesyatsa", "ru"),
        ("u menya zabrali pasport", "ru"),
        ("muzh menya b'et, chto delat", "ru"),
        ("zdravstvuyte mne nuzhen advokat", "ru"),
        ("spasibo", "ru"),
        ("dopomozhit bud laska", "uk"),
        ("meni potribna dopomoha", "uk"),
        ("robotodavets ne platyt vzhe dva misyatsi", "uk"),
        ("cholovik mene b'ye, shcho robyty", "uk"),
        ("nas trymayut na fermi i ne vidpuskayut", "uk"),
        ("diakuyu", "uk"),
    ],
)
def test_russian_and_ukrainian_written_in_latin_letters_get_their_language(text, lang):
    assert lang_of(text, BUNDLED) == lang


@pytest.mark.parametrize("text", ["caawimo", "i caawiya", "i caawi fadlan", "maxaan sameeyaa"])
def test_short_somali_texts_get_somali(text):
    assert lang_of(text, BUNDLED) == "so"


@pytest.mark.parametrize(("text", "lang"), [("нам не платять", "uk"), ("нам не платят", "ru")])
def test_russian_and_ukrainian_without_their_own_letters_are_told_apart(text, lang):
    assert lang_of(text, BUNDLED) == lang


@pytest.mark.parametrize(
    "text",
    [
        "ich brauche hilfe mein chef zahlt nicht",  # German
        "preciso de ajuda meu patrão não paga",  # Portuguese
        "أحتاج مساعدة من فضلك",  # Arabic
        "j'ai besoin d'aide mon patron ne me paie pas",  # French
        "potrzebuje pomocy szef mi nie placi",  # Polish, a Latin-script language near Russian
        "zabrali mi paszport i nie moge wyjsc",  # Polish: "zabrali paszport" is near a keyword
        "yardima ihtiyacim var patronum maasimi odemiyor",  # Turkish
    ],
)
def test_languages_the_shipped_library_lacks_still_get_the_interpreter_reply(text):
    assert lang_of(text, BUNDLED) == "other"


@pytest.mark.parametrize("text", ["menu pls", "report", "hello", "help me"])
def test_english_keywords_the_other_languages_share_stay_english(text):
    assert lang_of(text, BUNDLED) == "en"


def test_without_texts_of_every_latin_language_the_librarys_model_is_not_asked():
    texts = {
        "en": [f"my boss {i} does not pay" for i in range(MIN_TEXTS)],
        "es": [f"mi patron {i} no me paga" for i in range(MIN_TEXTS)],
        "tl": ["hindi ako binabayaran"],
    }
    detector = build_detector(["en", "es", "tl"], True, texts)
    assert detector.library_model is not None and "tl" not in detector.library_model
    assert not detector.latin_modelled  # its guesses would leave Tagalog out
    assert build_detector(["en", "es"], True, texts).latin_modelled


@pytest.mark.parametrize(
    "text",
    ["Дапамажыце, гаспадар забраў мой пашпарт", "Мы працуем у садзе ўжо тры тыдні без грошай"],
)
def test_belarusian_with_its_own_letter_is_another_language_not_ukrainian_or_russian(text):
    # ў is written by no language of the library: the other-language reply, not Ukrainian.
    assert lang_of(text, BUNDLED) == "other"


@pytest.mark.parametrize("text", ["giúp", "giúp em", "Giúp tôi"])
def test_an_accent_that_a_vietnamese_keyword_is_spelled_with_does_not_vote_spanish(text):
    assert lang_of(text, BUNDLED) == "vi"


@pytest.mark.parametrize("text", ["ayúdame", "el patrón no me pagó", "café"])
def test_an_accent_no_keyword_of_another_language_spells_still_votes_spanish(text):
    assert lang_of(text, BUNDLED) == "es"


@pytest.mark.parametrize(
    "text",
    [
        "qu nian da huo ba wo men de fang zi shao le, xian zai zen me ban",
        "wo xiang bao gao yi ge ren, ke yi ni ming ma",
    ],
)
def test_pinyin_without_tones_is_read_as_chinese_by_its_little_words(text):
    assert lang_of(text, BUNDLED) == "zh-Hans"


@pytest.mark.parametrize(
    ("text", "lang"),
    [("telefon sadyatsya, potom napishu", "ru"), ("telefon sidaye, potim napyshu", "uk")],
)
def test_russian_and_ukrainian_in_latin_letters_are_read_by_their_little_words(text, lang):
    assert lang_of(text, BUNDLED) == lang
