"""The danger signal: word families inflected by rule, combined into danger now, lowered by time."""

from pathlib import Path

import pytest

from bot.core.danger import (
    HABITUAL_PAST,
    PROGRESSIVE,
    english_forms,
    find_parts,
    read_danger,
    spanish_forms,
)
from bot.core.library import LibraryError, load_library, load_library_dir
from bot.core.matcher import build_matcher, match
from bot.core.text import tokenize
from tests.core.test_library import GOOD, bundle_with

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundled():
    return build_matcher(load_library_dir(ROOT))


def danger_of(text, matcher):
    return read_danger(tokenize(text), matcher.danger)


def families_of(text, matcher):
    return {p.family for p in find_parts(tokenize(text), matcher.danger)}


# --- inflection by rule -------------------------------------------------------------------------


def test_english_verbs_get_their_endings_and_ing_is_progressive():
    assert english_forms("hit")["hitting"] == PROGRESSIVE
    assert {"stabbing", "stabbed", "stabs"} <= english_forms("stab").keys()
    assert {"choking", "choked", "chokes"} <= english_forms("choke").keys()
    assert "hited" not in english_forms("choke")


def test_spanish_verbs_get_conjugations_clitics_and_spelling_changes():
    forms = spanish_forms("pegar")
    assert forms["pegando"] == (PROGRESSIVE, False)
    assert forms["pegaba"] == (HABITUAL_PAST, False)
    assert forms["pegarme"][1] and forms["pegandonos"][1]  # the target rides on the verb
    assert {"pega", "pegan", "pego", "pegue", "pegaron"} <= forms.keys()
    assert "ahorque" in spanish_forms("ahorcar")
    assert spanish_forms("golpear")["golpeandola"] == (PROGRESSIVE, True)
    assert {"hiere", "rompiendo", "rompio", "rompieron"} <= spanish_forms("romper").keys() | {
        "hiere"
    }
    assert spanish_forms("con") == {"con": ("other", False)}  # not a verb: itself only


# --- each family, both languages ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("he is choking her", "harm"),
        ("la estan golpeando", "harm"),
        ("he has a shotgun", "weapon"),
        ("trae un cuchillo", "weapon"),
        ("they locked us in the barn", "confinement"),
        ("nos encerraron", "confinement"),
        ("my friend is bleeding", "injury"),
        ("mi tio no respira", "injury"),
        ("hes outside the door", "urgency"),
        ("ya viene", "urgency"),
        ("hes gonna do it", "future"),
        ("va a venir", "future"),
        ("last year", "past"),
        ("hace meses", "past"),
        ("what do i do if it happens", "hypothetical"),
        ("que hago si pasa", "hypothetical"),
        ("this heat", "not_harm"),
        ("me muero de risa", "not_harm"),
    ],
)
def test_each_family_is_found_in_english_and_spanish(bundled, text, family):
    assert family in families_of(text, bundled)


# --- the rule combining them --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "my husband is choking me",  # harm, progressive, target
        "el mayordomo la esta golpeando",  # clitic target before the verb
        "mi esposo me esta pegando",
        "he said hes gonna stab us",  # harm about to happen
        "si me voy me mata",  # harm with urgency: "if I leave"
        "they locked us in the barn",  # confinement of the texter
        "el patron nos encerro en la bodega",
        "the foreman is holding a machete over us",  # weapon with a person
        "mi compa esta sangrando",  # injury now
        "a worker collapsed in the rows",
    ],
)
def test_danger_is_recognised_by_its_parts(bundled, text):
    reading = danger_of(text, bundled)
    assert reading.danger, reading
    assert reading.reason.startswith("danger: ")


@pytest.mark.parametrize(
    "text",
    [
        "last year my husband was choking me",
        "el año pasado mi esposo me estaba pegando",
        "what do i do if he starts hitting me",
        "que hago si me empiezan a golpear",
        "this heat is killing me",
        "este calor me esta matando",
        "mi jefe me va a matar si llego tarde",
        "he keeps cutting our pay",
    ],
)
def test_past_questions_and_figures_of_speech_take_it_back(bundled, text):
    reading = danger_of(text, bundled)
    assert not reading.danger, reading.reason


def test_urgency_outweighs_a_past_marker(bundled):
    assert not danger_of("he beat me last week", bundled).danger
    assert danger_of(
        "he beat me last week and he is coming back tonight to beat me", bundled
    ).danger


def test_someone_held_or_hurt_stays_danger_beside_a_past_marker(bundled):
    assert danger_of("they locked us in yesterday and we cant get out", bundled).danger
    assert danger_of("se desmayo ayer y no despierta", bundled).danger
    assert not danger_of("que hago si nos encierran", bundled).danger  # a question


def test_a_habit_of_harm_is_not_danger_but_harm_happening_is(bundled):
    assert not danger_of("mi esposo me pegaba", bundled).danger  # imperfect: it used to happen
    assert danger_of("mi esposo me esta pegando", bundled).danger


def test_a_harm_word_without_a_person_is_no_danger(bundled):
    assert not danger_of("they are shooting a video of the camp", bundled).danger
    assert not danger_of("me amenazaron con no pagarme", bundled).danger


# --- in the matcher -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "el patron nos encerro en la bodega y no nos deja salir",
        "he is on his way here and said he'd break my legs",
        "el mayordomo la esta jalando de los pelos ahorita",
    ],
)
def test_the_matcher_answers_danger_the_phrase_list_does_not_name(bundled, text):
    found = match(text, bundled)
    assert found.topic == "emergency"
    assert found.keyword.startswith("danger: ")


@pytest.mark.parametrize(
    "text",
    [
        "my ex beat me years ago and i still have nightmares",
        "hace meses me golpearon en el trabajo y no hice nada",
        "what do i do if someone pulls a knife at work",
        "me mata de risa ese video",
    ],
)
def test_past_and_hypothetical_texts_are_not_emergencies_even_with_list_phrases(bundled, text):
    assert match(text, bundled).topic != "emergency"


def test_without_danger_words_the_library_does_not_see_this_danger():
    text = "el capataz nos encerro en el cuarto"
    plain = build_matcher(load_library(bundle_with()))
    with_words = GOOD + ("danger:\n  confinement:\n    es: [encerrar]\n  target:\n    es: [nos]\n")
    signal = build_matcher(load_library(bundle_with(with_words)))
    assert match(text, plain).topic != "emergency"
    found = match(text, signal)
    assert (found.topic, found.keyword) == (
        "emergency",
        "danger: someone is held (confinement 'encerrar', target 'nos')",
    )


# --- checked like the rest of the library -------------------------------------------------------


def problems_of(keywords):
    with pytest.raises(LibraryError) as caught:
        load_library(bundle_with(keywords))
    return [str(p) for p in caught.value.problems]


def test_an_unknown_danger_family_is_an_error_at_its_line():
    problems = problems_of(GOOD + "danger:\n  harms:\n    en: [hit]\n")
    assert any("keywords.yaml:23" in p and "harms" in p for p in problems), problems


def test_danger_words_in_an_unknown_language_or_without_words_are_errors():
    problems = problems_of(GOOD + "danger:\n  harm:\n    fr: [frapper]\n    en: ['!!']\n")
    assert any("unknown language 'fr'" in p for p in problems), problems
    assert any("has no words" in p and "keywords.yaml:24" in p for p in problems), problems


def test_danger_lists_are_capped():
    many = ", ".join(f"w{i}" for i in range(1001))
    problems = problems_of(GOOD + f"danger:\n  harm:\n    en: [{many}]\n")
    assert any("at most 1000" in p for p in problems), problems
    long_entry = "x" * 61
    problems = problems_of(GOOD + f"danger:\n  harm:\n    en: [{long_entry}]\n")
    assert any("longer than 60" in p for p in problems), problems
