"""The matcher on a small library written for these tests: noise, typos, phrases, traps."""

import pytest

from bot.core.library import load_library
from bot.core.matcher import build_matcher, match
from bot.core.opt_out import OPT_OUT_WORDS, is_opt_out

KEYWORDS = """
languages: [en, es]
topics:
  - id: emergency
    segment_budget: 1
    keywords:
      en: [emergency, help me now, locked in, "911"]
      es: [emergencia, socorro]
    context:
      en: [urgent, right now]
      es: [ahorita, si salgo]
  - id: labor
    menu: 1
    title: {en: Work, es: Trabajo}
    keywords:
      en: [labor, wages, took my passport, passport, pay, exploitation, work, fired]
      es: [trabajo, no me pagan, explotacion laboral]
    context:
      en: [hotel, restaurant]
  - id: housing
    menu: 2
    title: {en: Housing, es: Vivienda}
    keywords:
      en: [housing, shelter, evict, no place to live, rent, emergency shelter]
      es: [vivienda, albergue, desalojo]
  - id: immigration
    menu: 3
    title: {en: Immigration, es: Inmigracion}
    keywords:
      en: [immigration, deport, t visa, ice, "if i complain they will get me deported"]
      es: [inmigracion, aduana, papeles]
  - id: violence
    priority: 1
    escalates: true
    keywords:
      en: [touching, hits me]
      es: [me toca cuando, me pega, salgo con el]
  - id: report
    keywords:
      en: [massage parlor, massage]
      es: [denuncia]
  - id: disaster
    priority: 1
    keywords:
      en: [fire]
      es: [incendio]
  - id: menu
    keywords:
      en: [hi, hello, help, menu, info]
      es: [hola, ayuda, opciones]
  - id: stop
    silent: true
"""


def _bundle():
    bundle = {"keywords.yaml": KEYWORDS}
    for topic in (
        "emergency",
        "labor",
        "housing",
        "immigration",
        "violence",
        "report",
        "disaster",
        "menu",
    ):
        for lang in ("en", "es"):
            text = "{menu}\nCall 1-888-373-7888" if topic == "menu" else f"{topic} {lang} 911"
            bundle[f"responses/{lang}/{topic}.txt"] = text
    return bundle


@pytest.fixture(scope="module")
def library():
    return load_library(_bundle())


def topic_of(text, library):
    return match(text, build_matcher(library)).topic


@pytest.mark.parametrize(
    "text",
    ["HOUSING", "housing!!!", "  housing  ", "🏠 housing 🙏", "Housing?"],
)
def test_case_punctuation_emoji_and_spaces_do_not_matter(text, library):
    assert topic_of(text, library) == "housing"


@pytest.mark.parametrize(
    ("text", "topic"),
    [("housng", "housing"), ("labr", "labor"), ("trabaho", "labor"), ("imigration", "immigration")],
)
def test_typos_still_find_the_topic(text, topic, library):
    assert topic_of(text, library) == topic


def test_accents_present_or_missing_match_the_same(library):
    assert topic_of("inmigración", library) == "immigration"
    assert topic_of("inmigracion", library) == "immigration"


def test_keyword_found_anywhere_in_a_sentence(library):
    assert topic_of("hi there, i think i need some shelter tonight", library) == "housing"


def test_multi_word_phrases_match_and_tolerate_one_extra_word(library):
    assert topic_of("my boss took my passport", library) == "labor"
    assert topic_of("he took my old passport", library) == "labor"
    assert topic_of("el patron no me pagan", library) == "labor"


def test_keyword_matches_its_longer_forms(library):
    assert topic_of("we got evicted", library) == "housing"
    assert topic_of("afraid of deportation", library) == "immigration"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("1", "labor"),
        ("#2", "housing"),
        ("2.", "housing"),
        (" 3 ", "immigration"),
        ("opcion 1", "labor"),
        ("opción 2", "housing"),
        ("option 3", "immigration"),
    ],
)
def test_menu_numbers_in_their_usual_forms_select_the_item(text, topic, library):
    assert topic_of(text, library) == topic


def test_a_number_not_on_the_menu_gets_the_menu(library):
    assert topic_of("9", library) == "menu"


@pytest.mark.parametrize(
    "text", ["hello", "HELP", "info", "menu", "ayuda", "hola", "", "👋", "qwerty"]
)
def test_greetings_help_words_and_unplaceable_texts_get_the_menu(text, library):
    assert topic_of(text, library) == "menu"


@pytest.mark.parametrize("word", sorted(OPT_OUT_WORDS))
def test_each_twilio_opt_out_word_alone_opts_out_in_any_case(word, library):
    for variant in (word, word.upper(), word.title(), f"  {word}. ", f"{word}!"):
        assert topic_of(variant, library) == "stop"


@pytest.mark.parametrize(
    ("text", "opts_out"),
    [
        ("_STOP_", True),  # underscores trim like punctuation
        ("\tstop\r\n", True),
        ("...Stop!!!", True),
        ("STOP 🙏", True),  # with an emoji: the Unicode path
        ("ＳＴＯＰ", True),  # full-width letters fold to ASCII
        ("stop1", False),  # a digit is part of the word
        ("st op", False),
        ("stopp", False),
    ],
)
def test_only_spaces_and_punctuation_around_an_opt_out_word_are_trimmed(text, opts_out):
    assert is_opt_out(text) is opts_out


@pytest.mark.parametrize(
    "text",
    [
        "can i stop by the shelter",
        "please don't end this",
        "stop it he hurts me help me now",
        "quit my job",
        "cancel rent?",
        "stop stop",
    ],
)
def test_a_sentence_containing_an_opt_out_word_never_opts_out(text, library):
    assert topic_of(text, library) != "stop"
    assert not is_opt_out(text)


def test_emergency_outranks_every_other_topic_in_the_message(library):
    assert (
        topic_of("my boss took my passport and i am locked in help me now", library) == "emergency"
    )
    assert topic_of("no me pagan, socorro", library) == "emergency"


def test_spanish_text_gets_spanish_reply_and_english_gets_english(library):
    assert match("no me pagan en el trabajo", build_matcher(library)).lang == "es"
    assert match("they do not pay my wages", build_matcher(library)).lang == "en"
    assert match("hola", build_matcher(library)).lang == "es"
    assert match("hello", build_matcher(library)).lang == "en"


def test_the_language_is_decided_per_message_without_memory(library):
    assert match("hola", build_matcher(library)).lang == "es"
    assert match("wages", build_matcher(library)).lang == "en"
    assert match("hola", build_matcher(library)).lang == "es"


@pytest.mark.parametrize(
    ("text", "not_topic"),
    [
        ("and", "stop"),  # 'end' is one letter away
        ("day", "labor"),  # 'pay' is one letter away
        ("aduana", "menu"),  # 'ayuda' must not be read as 'aduana'
        ("ayuda", "immigration"),
        ("rant", "housing"),  # 'rent' is exact-only at four letters
        ("ace", "immigration"),  # 'ice' is exact-only
        ("pagar", "labor"),  # not 'pay' by prefix: keywords under four letters never extend
        ("workshop", "labor"),  # 'work' extends by three letters at most
    ],
)
def test_short_words_do_not_fuzzy_match_their_neighbours(text, not_topic, library):
    assert topic_of(text, library) != not_topic


def test_an_exact_keyword_is_never_also_read_as_a_typo_of_another(library):
    assert topic_of("aduana", library) == "immigration"


def test_match_reports_topic_language_score_and_keyword(library):
    found = match("Took my passport", build_matcher(library))
    assert (found.topic, found.lang, found.score, found.keyword) == (
        "labor",
        "en",
        100.0,
        "took my passport",
    )
    assert 0 < match("housng", build_matcher(library)).score < 100


def test_a_word_inside_a_longer_phrase_of_another_topic_counts_only_for_the_phrase(library):
    assert topic_of("is there an emergency shelter in yakima", library) == "housing"
    assert topic_of("this is an emergency, find me a shelter", library) == "emergency"


@pytest.mark.parametrize(
    ("a", "b", "confused"),
    [
        ("work", "workers", True),  # a keyword also matches the longer forms it starts
        ("labor", "labr", True),  # one letter missing
        ("deportar", "reportar", True),  # one letter changed in a long word
        ("pay", "day", False),  # short words are exact-only
        ("got fired", "shots fired", False),  # phrases compare word by word
        ("fired", "got fired", False),  # the longer phrase owns the shared word
        ("took my passport", "took my pasport", True),
    ],
)
def test_keyword_confusion_follows_the_matchers_own_rules(a, b, confused):
    from bot.core.matcher import keyword_confusion

    assert (keyword_confusion(a, b) is not None) is confused


def test_a_context_word_alone_still_places_the_text(library):
    assert topic_of("hotel", library) == "labor"


def test_a_context_word_loses_to_a_keyword_of_another_topic(library):
    assert topic_of("the landlord wants to evict me from the hotel", library) == "housing"


def test_an_emergency_context_word_does_not_override_other_topics(library):
    assert topic_of("urgent: need shelter", library) == "housing"


def test_an_emergency_context_word_alone_chooses_nothing(library):
    # It only says "now"; what is happening now must come from a topic that escalates.
    assert topic_of("urgent", library) == "menu"


def test_on_a_tie_the_topic_named_by_a_keyword_beats_one_set_by_context_words(library):
    # labor: "hotel" + "restaurant" (context, half each) = 1; housing: "shelter" (keyword) = 1
    assert topic_of("hotel restaurant shelter", library) == "housing"


def test_a_word_inside_a_phrase_still_matches_shorter_keywords_it_extends(library):
    # "deported" is spelled in a phrase, but only "deport" is a keyword by itself
    assert topic_of("scared of getting deported", library) == "immigration"


def test_a_word_listed_alone_as_a_keyword_is_not_read_as_a_longer_form_of_another(library):
    assert topic_of("i got fired", library) == "labor"  # "fired" is claimed, not "fire" + "d"
    assert topic_of("the fires are close", library) == "disaster"


def test_a_named_topic_of_higher_priority_outranks_a_better_scored_one(library):
    # labor scores 2 ("wages" + "took my passport"), disaster 1 ("fire"), but disaster has priority
    assert topic_of("the fire took my passport and my wages", library) == "disaster"
    assert topic_of("took my passport and my wages", library) == "labor"


def test_a_typo_guess_does_not_give_a_topic_its_priority(library):
    assert topic_of("incendio no me pagan", library) == "disaster"
    assert topic_of("incendo no me pagan", library) == "labor"  # "incendo" only looks like it


def test_a_keyword_inside_a_longer_one_of_the_same_topic_is_counted_once(library):
    # labor: "took my passport" 2.5 ("passport" inside it adds nothing); housing: 3 keywords = 3
    assert topic_of("took my passport evict rent shelter", library) == "housing"


def test_a_typo_one_letter_from_several_keyword_words_is_a_guess_at_each():
    # "atraado" is "atrasado" and "atrapado" with a letter dropped: both are in the typo index
    # under that one form, and on a tie the earlier topic wins, so neither may be lost.
    keywords = """
languages: [en, es]
topics:
  - id: late
    keywords: {en: [late], es: [atrasado]}
  - id: trapped
    keywords: {en: [trapped], es: [atrapado]}
  - id: emergency
    keywords: {en: [help me now], es: [socorro]}
  - id: menu
    keywords: {en: [hi], es: [hola]}
  - id: stop
    silent: true
"""
    bundle = {"keywords.yaml": keywords}
    for topic in ("late", "trapped", "emergency", "menu"):
        for lang in ("en", "es"):
            bundle[f"responses/{lang}/{topic}.txt"] = f"{topic} {lang} 911"
    library = load_library(bundle)
    found = match("estoy atraado", build_matcher(library))
    assert (found.topic, found.keyword, round(found.score, 1)) == ("late", "atrasado", 93.3)
    assert match("estoy atrapdo", build_matcher(library)).topic == "trapped"
    assert match("estoy atrasdo", build_matcher(library)).topic == "late"


#: Words no keyword of the test library is, nor a typo or longer form of one: a long text's filler.
FILLER = (
    "so yesterday my cousin told me about the trip we took across town after lunch and the bus "
    "was late again because of traffic near the bridge, anyway nothing much happened later "
)


def long_text(*parts):
    """A text of about 1,500 characters: filler, the parts where they fall, filler."""
    return " ".join(FILLER * 4 if part is FILLER else part for part in parts)


def test_a_keyword_at_the_very_end_of_a_long_text_is_found(library):
    assert topic_of(long_text(FILLER, FILLER, "shelter"), library) == "housing"
    assert topic_of(long_text(FILLER, FILLER, "deported"), library) == "immigration"


@pytest.mark.parametrize(
    ("typo", "topic"),
    [
        ("sheltter", "housing"),
        ("housng", "housing"),
        ("imigration", "immigration"),
        ("trabaho", "labor"),
    ],
)
def test_typos_inside_a_long_text_are_found(typo, topic, library):
    found = match(long_text(FILLER, typo, FILLER), build_matcher(library))
    assert (found.topic, found.score < 100) == (topic, True)


def test_the_filler_of_these_long_texts_names_no_topic(library):
    assert topic_of(long_text(FILLER, FILLER), library) == "menu"


def test_a_phrase_inside_a_long_text_is_found_with_a_word_between_its_words(library):
    assert topic_of(long_text(FILLER, "then he took my old passport", FILLER), library) == "labor"
    assert topic_of(long_text(FILLER, "there is no place to live", FILLER), library) == "housing"


def test_a_phrase_at_the_very_end_of_a_long_text_is_found_but_not_one_cut_short(library):
    assert topic_of(long_text(FILLER, FILLER, "no place to live"), library) == "housing"
    assert topic_of(long_text(FILLER, FILLER, "no place to"), library) == "menu"
    assert topic_of(long_text(FILLER, FILLER, "took my"), library) == "menu"


def test_a_long_phrase_spread_over_a_long_text_is_found_only_with_its_words_close(library):
    phrase = "if i complain they will get me deported"
    assert match(long_text(FILLER, phrase, FILLER), build_matcher(library)).keyword == phrase
    spread = " and ".join(phrase.split())  # one word between each: still close enough
    assert match(long_text(FILLER, spread, FILLER), build_matcher(library)).keyword == phrase
    apart = " and so ".join(phrase.split())  # two words between each: too far apart
    assert match(long_text(FILLER, apart, FILLER), build_matcher(library)).keyword != phrase


def test_a_long_text_is_matched_as_its_sentences_are_weighed_together(library):
    text = long_text(FILLER, "my boss took my passport", FILLER, "and the wages", FILLER, "rent")
    found = match(text, build_matcher(library))
    assert (found.topic, found.keyword) == ("labor", "took my passport")


@pytest.mark.parametrize(
    "text",
    ["he is touching her right now", "ahorita me pega", "RIGHT NOW hes touching the new girl"],
)
def test_a_keyword_of_an_escalating_topic_next_to_a_now_word_is_an_emergency(text, library):
    assert topic_of(text, library) == "emergency"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("my supervisor keeps touching me", "violence"),  # no "now": the topic itself
        ("right now i need a shelter", "housing"),  # housing does not escalate
        ("right now", "menu"),  # a "now" word alone names nothing
        ("he is tuoching her right now", "violence"),  # a typo guess never escalates
    ],
)
def test_now_words_escalate_only_a_spelled_out_keyword_of_an_escalating_topic(text, topic, library):
    assert topic_of(text, library) == topic


def test_a_now_word_escalates_only_beside_the_act_not_when_they_share_a_word(library):
    assert topic_of("si salgo me pega", library) == "emergency"
    # "si ... salgo" here is only part of the violence phrase "salgo con el".
    assert topic_of("si no salgo con el me corre", library) == "violence"


def test_violence_outranks_labor_when_both_are_named(library):
    assert topic_of("i am not paid my wages and my boss keeps touching me", library) == "violence"


@pytest.mark.parametrize("text", ["i got your message", "message", "MESSAGE me back"])
def test_a_correctly_spelled_common_word_is_not_a_typo_of_a_keyword(text, library):
    # "message" is one letter from the keyword "massage", but it is a word of its own.
    assert topic_of(text, library) == "menu"


@pytest.mark.parametrize("text", ["masage", "massages", "massage"])
def test_typos_and_longer_forms_of_a_keyword_still_match_it(text, library):
    assert topic_of(text, library) == "report"


def test_a_common_word_may_still_be_another_ending_of_a_keyword_word(library):
    # "paga" is a word of its own, and the same verb as the keyword "no me pagan".
    found = match("no me paga", build_matcher(library))
    assert (found.topic, found.lang, found.keyword) == ("labor", "es", "no me pagan")


@pytest.mark.parametrize(("text", "lang"), [("deportación", "es"), ("deport", "en")])
def test_accented_letters_vote_for_a_spanish_reply(text, lang, library):
    found = match(text, build_matcher(library))
    assert (found.topic, found.lang) == ("immigration", lang)
