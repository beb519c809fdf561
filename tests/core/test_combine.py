"""Rules and reader combined: what stays exact, when an emergency is given, and the explanation."""

from __future__ import annotations

import pytest

from bot.core.combine import CombineSettings, combine
from bot.core.explain import explain
from bot.core.library import load_library
from bot.core.matcher import Match, build_matcher, match, match_rules
from tests.core.test_examples import good

CALM = {"emergency": 0.02, "labor": 0.9, "housing": 0.05, "menu": 0.03}
ALARMED = {"emergency": 0.8, "labor": 0.1, "housing": 0.05, "menu": 0.05}


def rules(topic: str, keyword: str | None = "boss", score: float = 100.0) -> Match:
    return Match(topic, "en", score, keyword=keyword)


@pytest.mark.parametrize(
    "exact",
    [
        Match("stop", "en", 100.0, "stop", exact=True),
        Match("labor", "en", 100.0, "1", exact=True),
        Match("housing", "en", 100.0, "#2", exact=True),
    ],
)
def test_opt_outs_and_menu_numbers_stay_exact_whatever_the_reader_says(exact):
    assert combine(exact, ALARMED, text="1") is exact


def test_a_keyword_ending_in_a_number_is_not_a_menu_number_and_the_reader_still_reads():
    age = rules("youth", "im 15")
    text = "im 15 and the man who drove me here says i cant leave the motel"
    assert combine(age, ALARMED | {"youth": 0.1}, text=text).topic == "emergency"


def test_the_rules_mark_opt_outs_and_menu_numbers_exact_and_nothing_else():
    matcher = build_matcher(load_library(good()), reader=False)
    assert match_rules("STOP", matcher).exact
    assert match_rules("1", matcher).exact
    assert not match_rules("my boss took my passport", matcher).exact


def test_an_operators_keyword_that_is_the_whole_text_stays_exact():
    whole = rules("housing", "shelter")
    assert combine(whole, ALARMED | {"housing": 0.0}, text="Shelter!").topic == "housing"
    assert combine(whole, CALM, text="shelter for my boss").topic == "labor"


def test_the_reader_decides_a_text_the_rules_place_elsewhere():
    got = combine(rules("housing", "rent"), CALM, text="my boss keeps my rent money")
    assert (got.topic, got.keyword, got.score) == ("labor", None, 90.0)


def test_agreeing_keeps_the_rules_keyword_as_the_reason():
    got = combine(rules("labor", "boss"), CALM, text="my boss did not pay")
    assert got == rules("labor", "boss")


def test_the_reader_alone_gives_an_emergency_at_its_threshold():
    settings = CombineSettings(emergency_threshold=0.5)
    assert combine(rules("menu", None, 0.0), ALARMED, settings, text="x").topic == "emergency"
    almost = CALM | {"emergency": 0.49, "labor": 0.5}
    assert combine(rules("menu", None, 0.0), almost, settings, text="x").topic == "labor"


def test_the_rules_emergency_stands_only_when_the_reader_gives_it_the_floor():
    settings = CombineSettings(rules_emergency_floor=0.05)
    danger = rules("emergency", "danger: ...")
    assert combine(danger, CALM | {"emergency": 0.06}, settings, text="x").topic == "emergency"
    assert combine(danger, CALM | {"emergency": 0.04}, settings, text="x").topic == "labor"


@pytest.mark.parametrize(
    ("text", "stands"),
    [
        ("im scared for my life", True),  # the keyword and one word more
        ("scared for my life", True),
        ("im so scared for my life here", False),  # more to read: the reader may overrule
        ("scared", False),  # a keyword of one word stays under the floor's rule
    ],
)
def test_an_emergency_keyword_that_is_all_the_text_says_stands_whatever_the_reader(text, stands):
    settings = CombineSettings(rules_emergency_floor=0.05)
    keyword = "scared" if text == "scared" else "scared for my life"
    found = combine(rules("emergency", keyword), CALM, settings, text=text)
    assert (found.topic == "emergency") is stands


def test_a_description_of_danger_by_its_parts_is_not_a_keyword_the_text_is_made_of():
    settings = CombineSettings(rules_emergency_floor=0.05)
    parts = rules("emergency", "danger: someone is held (confinement 'encerrar', target 'mi')")
    assert combine(parts, CALM, settings, text="me encerraron").topic == "labor"


def test_an_unsure_reader_leaves_the_rules_topic_standing():
    settings = CombineSettings(rules_when_unsure=0.4)
    unsure = {"emergency": 0.1, "labor": 0.35, "housing": 0.3, "menu": 0.25}
    assert combine(rules("housing", "rent"), unsure, settings, text="x").topic == "housing"
    assert combine(rules("menu", None, 0.0), unsure, settings, text="x").topic == "labor"


def test_rules_alone_when_the_reader_is_off_or_absent():
    assert (
        combine(rules("housing"), CALM, CombineSettings(use_reader=False), text="x").topic
        == "housing"
    )
    assert combine(rules("housing"), None, text="x").topic == "housing"


def test_match_uses_the_reader_trained_from_the_librarys_examples():
    matcher = build_matcher(load_library(good()))
    assert matcher.reader is not None
    text = "they still owe me three weeks"  # no keyword of the test library
    assert match_rules(text, matcher).topic == "menu"
    assert match(text, matcher).topic == "labor"
    assert match("STOP", matcher).topic == "stop"
    assert match("2", matcher).topic == "housing"


def test_the_explanation_names_the_rules_hit_the_readers_top_three_and_the_nearest_examples():
    matcher = build_matcher(load_library(good()))
    why = explain("el patron no me paga nada", matcher)
    assert why.chosen.topic == "labor"
    assert why.rules.keyword == "patron"  # a keyword of the test library
    assert why.reader_top[0][0] == "labor" and len(why.reader_top) == 3
    assert why.nearest[0][0].text == "el patron no me paga"
    as_dict = why.as_dict()
    assert as_dict["decided_by"] == "both"
    assert as_dict["nearest"][0]["file"] == "examples/es/labor.txt"


def test_a_keyword_typed_alone_with_a_typo_stays_the_keywords_topic():
    typo = Match("housing", "en", 88.9, keyword="housing")
    assert combine(typo, CALM | {"housing": 0.0}, text="housng").topic == "housing"


class _Sure:
    """A reader that reads every text as it is told to."""

    def __init__(self, scores: dict[str, float]) -> None:
        self._scores = scores

    def scores(self, text: str) -> dict[str, float]:
        return self._scores


@pytest.mark.parametrize(
    ("emergency", "topic", "lang"),
    [(0.95, "emergency", "en"), (0.8, "emergency", "en"), (0.6, "(other-language)", "ht")],
)
def test_a_text_in_a_language_the_library_lacks_gets_the_emergency_reply_when_the_reader_is_sure(
    emergency, topic, lang
):
    # Pinyin taken for Haitian Creole: "wo men 4 ge ren bei suo zai dian li ..."
    from bot.core.combine import OTHER_LANGUAGE_EMERGENCY, answer
    from bot.core.topics import OTHER_LANGUAGE_TOPIC

    assert OTHER_LANGUAGE_TOPIC == "(other-language)" and OTHER_LANGUAGE_EMERGENCY == 0.8
    other = Match(OTHER_LANGUAGE_TOPIC, "ht", 0.0)
    scores = {"emergency": emergency, "menu": 1 - emergency}
    found = answer("wo men bei suo zai dian li", other, _Sure(scores), {}, "en")
    assert (found.topic, found.lang) == (topic, lang)
    assert found.guessed_lang is (topic == "emergency")  # the sender's last language may answer


def test_an_emergency_in_latin_letters_read_as_another_language_is_answered_in_its_own_and_said_why():
    from bot.core.library import load_library_dir
    from bot.core.topics import OTHER_LANGUAGE_TOPIC
    from bot.settings import PROJECT_ROOT
    from tests.bundled import kept_readers

    matcher = build_matcher(load_library_dir(PROJECT_ROOT), saved=kept_readers())
    # The detector reads this Ukrainian in Latin letters as a language the library lacks.
    text = "vantazhivka perekynulas na trasi, vodii zatysnutyi, pakhne benzynom"
    # (tests/corpus-blind/langid2.jsonl)
    assert match_rules(text, matcher).topic == OTHER_LANGUAGE_TOPIC
    found = match(text, matcher)
    assert (found.topic, found.lang) == ("emergency", "uk")
    why = explain(text, matcher)
    assert why.chosen == found and why.decided_by == "reader"
