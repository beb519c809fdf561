"""The library that ships with the project: its menu, its new topics and the texts issue 15 found."""

import os
from pathlib import Path

import pytest
import yaml

from bot.core.language import FUNCTION_WORDS
from bot.core.library import load_library_dir
from bot.core.matcher import build_matcher, match, match_rules
from bot.core.numbers import find_numbers, load_registry_file
from bot.core.text import tokenize
from tests.bundled import kept_readers

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = load_library_dir(ROOT)
MATCHER = build_matcher(LIBRARY, saved=kept_readers())
REGISTRY = load_registry_file(ROOT / "numbers.yaml")
VERIFIED = Path(
    os.environ.get("VERIFIED_NUMBERS", ROOT.parent / "shared" / "verified-numbers.yaml")
)


def _claimed_words(lang: str) -> dict[str, set[str]]:
    """One-word keywords and context words of a language -> the topics listing them."""
    claimed: dict[str, set[str]] = {}
    for topic in LIBRARY.topics:
        for keyword in topic.all_keywords(lang):
            words = tokenize(keyword)
            if len(words) == 1:
                claimed.setdefault(words[0], set()).add(topic.id)
    return claimed


#: The languages whose little words the matcher knows (bot/core/language.py), which is what
#: "meaningful" means here; in the others a menu title is typed back whole (the test above), and
#: Chinese has no spaces to find a title's words by.
WORDED_LANGUAGES = [lang for lang in LIBRARY.languages if lang in ("en", "es")]
MENU_WORDS = [
    (topic.id, lang, word)
    for topic in LIBRARY.topics
    if topic.menu is not None
    for lang in WORDED_LANGUAGES
    for word in tokenize(topic.titles[lang])
    if word not in FUNCTION_WORDS and len(word) > 2  # "a", "y": no topic of their own
]


@pytest.mark.parametrize(
    ("topic", "lang"),
    [(t.id, lang) for t in LIBRARY.topics if t.menu is not None for lang in LIBRARY.languages],
)
def test_a_menu_title_typed_back_gets_its_topic_in_its_language(topic, lang):
    found = match(LIBRARY.topic(topic).titles[lang], MATCHER)
    assert (found.topic, found.lang) == (topic, lang)


@pytest.mark.parametrize(("topic", "lang", "word"), MENU_WORDS)
def test_each_meaningful_word_of_a_menu_title_reaches_its_topic_unless_another_claims_it(
    topic, lang, word
):
    others = _claimed_words(lang).get(word, set()) - {topic}
    if others:
        pytest.skip(f"{word!r} is listed under {sorted(others)}: it belongs there")
    assert match(word, MATCHER).topic == topic


def test_few_title_words_are_left_to_other_topics():
    # The skips above are collisions ("work" sets the scene for labor), not most title words.
    claimed = {lang: _claimed_words(lang) for lang in LIBRARY.languages}
    colliding = [w for t, lang, w in MENU_WORDS if claimed[lang].get(w, {t}) - {t}]
    assert len(colliding) <= len(MENU_WORDS) // 5, colliding


def test_the_menu_lists_violence_and_health_and_fits_its_budget_in_every_language():
    from bot.core.sms import encode_info, transliterate_gsm

    for lang in LIBRARY.languages:
        reply = LIBRARY.reply("menu", lang)
        plain = encode_info(reply).encoding == "GSM-7"
        for topic in ("violence", "health"):
            title = LIBRARY.topic(topic).titles[lang]
            # In a GSM-7 menu titles go as look-alikes ("químicos" as "quimicos"); a menu that
            # is special characters anyway (Cyrillic, Han, Hangul) keeps them as written.
            shown = transliterate_gsm(title)[0] if plain else title
            assert f"{LIBRARY.topic(topic).menu} {shown}" in reply
        assert encode_info(reply).segments <= LIBRARY.segment_budget("menu", lang)


REPLY_NUMBERS = {
    "violence": {"sexual-assault-hotline", "dv-hotline", "dv-hotline-text", "emergency"},
    "health": {"poison-help", "wa-pesticide-program", "emergency"},
}


@pytest.mark.parametrize("topic", sorted(REPLY_NUMBERS))
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_new_topics_replies_carry_their_registry_numbers(topic, lang):
    printed = {
        REGISTRY.by_digits[f.digits].id
        for f in find_numbers(LIBRARY.reply(topic, lang))
        if f.digits in REGISTRY.by_digits
    }
    assert REPLY_NUMBERS[topic] <= printed


@pytest.mark.skipif(
    not VERIFIED.is_file(),
    reason=f"no verified list at {VERIFIED}: run with VERIFIED_NUMBERS=/path/to/verified-numbers.yaml "
    "pytest tests/test_bundled_library.py",
)
def test_numbers_yaml_copies_every_verified_number_exactly():
    verified = yaml.safe_load(VERIFIED.read_text(encoding="utf-8"))["numbers"]
    ours = {e["id"]: e for e in yaml.safe_load((ROOT / "numbers.yaml").read_text())["numbers"]}
    for entry in verified:
        assert ours[entry["id"]] == entry


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("i was raped by my supervisor", "violence"),  # violence outranks labor
        ("mi esposo me pega", "violence"),
        ("domestic violence", "violence"),
        ("abuso sexual", "violence"),
        ("me enferme por los quimicos", "health"),
        ("they sprayed while we were picking", "health"),
        ("he is raping her right now", "emergency"),
        ("a worker collapsed and is not breathing", "emergency"),
        ("ahorita la esta tocando el encargado", "emergency"),
        ("my boss checks our phones at night", "safety"),
        ("he has an app to see where i am", "safety"),
        ("the nail salon on main st, the workers sleep there and never leave", "report"),
        ("en la lecheria los trabajadores duermen en el establo y nunca salen", "report"),
        (
            "Hello, I am a volunteer with a food bank. Several of our clients seem afraid of their"
            " employer. How can we recognize trafficking and respond appropriately?",
            "training",
        ),
        ("i got your message", "menu"),  # not "massage" (report)
        ("looking for a counselor who understands trafficking", "survivors"),
    ],
)
def test_the_issue_15_kinds_of_text_get_their_topic(text, topic):
    assert match(text, MATCHER).topic == topic


@pytest.mark.parametrize(
    "text", ["hola", "buenas tardes", "gracias", "menu porfa", "Buenos días", "buen dia", "oye"]
)
def test_a_short_spanish_text_with_no_topic_gets_the_spanish_menu(text):
    found = match(text, MATCHER)
    assert (found.topic, found.lang) == ("menu", "es")


@pytest.mark.parametrize("text", ["deportación", "inmigración", "¿violación?"])
def test_an_accented_spanish_keyword_gets_the_spanish_reply(text):
    assert match(text, MATCHER).lang == "es"


@pytest.mark.parametrize("text", ["stop texting me", "please stop texting me", "dont text me"])
def test_stop_texting_me_gets_the_menu_not_the_phone_safety_reply_nor_an_opt_out(text):
    # Only a bare carrier opt-out word opts out; the menu tells how to reach a person.
    assert match(text, MATCHER).topic == "menu"


@pytest.mark.parametrize(
    "text",
    ["can i talk to a person", "can i talk to a real person", "puedo hablar con una persona?"],
)
def test_asking_for_a_person_gets_the_menu_that_names_the_hotline_where_a_person_answers(text):
    found = match(text, MATCHER)
    assert found.topic == "menu"
    reply = LIBRARY.reply("menu", found.lang)
    assert "1-888-373-7888" in reply
    assert "person" in reply or "persona" in reply


@pytest.mark.parametrize(
    "text",
    [
        "i cant talk on the phone can i text",
        "mi mama no puede hablar ingles",
        "got caught in the rain",
        "they make me pay for the housing",
        "no air conditioning in the trailer",
        "i never see my kids because of the hours",
        "tomo pastillas para la presion",
        "everyone is pointing at me",
        "me estan forzando a trabajar 16 horas",
        "right now i need a place to stay",
        "ahorita no tengo trabajo",
        "he pushed me to finish the rows faster",
        "mi esposo esta afuera esperando, como me inscribo",
    ],
)
def test_ordinary_texts_near_the_new_danger_words_are_not_emergencies(text):
    # The danger families of issue 15 are phrases; their single words stay ordinary (to the
    # rules: the reader's false alarms are measured in docs/reader.md).
    assert match_rules(text, MATCHER).topic != "emergency"


def test_every_menu_word_texted_alone_gets_the_menu_whatever_the_reader_reads():
    # The cards print "Text HELP"; the reader alone once read "help" as disaster (36%).
    menu = LIBRARY.topic("menu")
    wrong = [
        (lang, word, found.topic)
        for lang, words in menu.keywords.items()
        for word in words
        if (found := match(word, MATCHER)).topic != "menu"
    ]
    assert wrong == []
