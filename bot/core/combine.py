"""Rules and reader together: what stays exact, when the rules' emergency stands, when the reader decides.

The settings below were chosen by measurement on writers held out (bench/reader_candidates.py,
docs/reader.md): the rules alone missed emergencies written without a harm word, and the
reader alone missed some the rules' danger words catch; the rules' emergency standing unless the
reader all but rules it out kept recall highest for the fewest false alarms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol, TypeVar

from bot.core.text import tokenize
from bot.core.tips import TipWords, tip_answer
from bot.core.topics import EMERGENCY_TOPIC, MENU_TOPIC, OTHER_LANGUAGE_TOPIC, STOP_TOPIC

if TYPE_CHECKING:
    from bot.core.reader import Reader


class RulesMatch(Protocol):
    """What combining needs of the rules' match (bot.core.matcher.Match, a frozen dataclass)."""

    topic: str
    lang: str
    score: float
    keyword: str | None
    guessed_lang: bool
    exact: bool


Match = TypeVar("Match", bound=RulesMatch)


@dataclass(frozen=True)
class CombineSettings:
    """How the rules' match and the reader's probabilities make one answer."""

    #: False: the rules alone decide (the reader is only shown).
    use_reader: bool = True
    #: The rules' topic stands when the whole text is one of its keywords ("housing", "visa"),
    #: spelled right or with a typo the rules forgive ("housng").
    whole_text_keyword: bool = True
    #: The reader alone makes a text an emergency at this probability of `emergency`.
    emergency_threshold: float = 0.5
    #: The rules' emergency stands when the reader gives `emergency` at least this (0: always;
    #: above 1: never).
    rules_emergency_floor: float = 0.0
    #: Below this top probability the reader is unsure, and a topic the rules named stands.
    rules_when_unsure: float = 0.0
    #: A topic a keyword named stands when the reader gives it at least this (above 1: never).
    rules_topic_floor: float = 2.0


#: What match() uses (docs/reader.md "Combining" gives the measurements behind each figure):
#: the rules' emergency stands unless the reader all but rules it out (below 5%: a floor of 15%
#: dropped "my boyfriend ... wont let me leave the house", which the reader put at 9%); the
#: reader alone gives the emergency reply from 40% (on eighteen blind sets, 3,070 texts, with
#: round six's examples: 40% caught 96.9% of 667 emergencies for 75 false alarms of 2,403, 35%
#: 97.0% for 85, 50% 95.2% for 63); an unsure reader (below 40%), or one that gives the keyword's
#: topic 20% or more, leaves the topic a keyword named.
DEFAULT_COMBINE = CombineSettings(
    emergency_threshold=0.4,
    rules_emergency_floor=0.05,
    rules_when_unsure=0.4,
    rules_topic_floor=0.2,
)


def is_exact(rules: Match) -> bool:
    """An answer nothing may override: an opt-out word, a menu number, a language the library
    lacks. (A keyword that ends in a number, "im 15", is not a menu number: the reader reads it.)"""
    return rules.exact or rules.topic in (STOP_TOPIC, OTHER_LANGUAGE_TOPIC)


def combine(
    rules: Match,
    probabilities: Mapping[str, float] | None,
    settings: CombineSettings = DEFAULT_COMBINE,
    *,
    text: str,
) -> Match:
    """One answer from the rules' match and the reader's topic probabilities (None: no reader)."""
    if not probabilities or not settings.use_reader or is_exact(rules):
        return rules
    if (
        settings.whole_text_keyword
        and rules.keyword is not None
        and rules.topic != EMERGENCY_TOPIC
        and len(tokenize(rules.keyword)) == len(tokenize(text))
    ):
        # The whole text is the keyword, or a typo of it ("housng"); "HELP" and "ayuda" too, the
        # words printed on the cards: the reader once read "help" alone as disaster (36%).
        return rules
    emergency = probabilities.get(EMERGENCY_TOPIC, 0.0)
    if rules.topic == EMERGENCY_TOPIC and (
        emergency >= settings.rules_emergency_floor or _says_only(rules, text)
    ):
        return rules
    if emergency >= settings.emergency_threshold:
        return replace(rules, topic=EMERGENCY_TOPIC, score=_percent(emergency), keyword=None)
    ranked = sorted(
        (t for t in probabilities if t != EMERGENCY_TOPIC),
        key=lambda t: (-probabilities[t], t),
    )
    if not ranked:
        return rules
    best = ranked[0]
    if rules.topic not in (MENU_TOPIC, EMERGENCY_TOPIC) and (
        probabilities[best] < settings.rules_when_unsure
        or probabilities.get(rules.topic, 0.0) >= settings.rules_topic_floor
    ):
        return rules
    if best == rules.topic:
        return rules  # agreed: keep the rules' keyword as the reason
    return replace(rules, topic=best, score=_percent(probabilities[best]), keyword=None)


def _says_only(rules: Match, text: str) -> bool:
    """Whether a keyword of two words or more is the whole text but for one word at most ("im
    scared for my life"): the text says nothing else the reader could read otherwise."""
    if rules.keyword is None:
        return False
    keyword, words = tokenize(rules.keyword), tokenize(text)
    # Words the text has: not a description of danger by its parts, not a typo's other spelling.
    return len(keyword) >= 2 and len(words) - len(keyword) <= 1 and set(keyword) <= set(words)


def _percent(probability: float) -> float:
    return round(100 * probability, 1)


def combine_all(
    text: str,
    rules: Match,
    probabilities: Mapping[str, float],
    settings: CombineSettings,
    tips: TipWords,
) -> Match:
    """combine(), then someone else's trouble sent to the tip line whichever of the two placed
    it (bot.core.tips): match() answers with this."""
    chosen = combine(rules, probabilities, settings, text=text)
    if chosen.topic != rules.topic:
        tip = tip_answer(chosen.topic, tokenize(text), chosen.lang, tips)
        if tip is not None:
            return replace(chosen, topic=tip)
    return chosen


#: A text the detector placed in a language the library lacks still gets the emergency reply
#: when the reader is this sure of it: those are mostly a library language in Latin letters
#: taken for another (pinyin for Haitian Creole, romanised Russian). Of the 179 such texts in the
#: labelled sets, 26 emergencies: 80% caught 20 of them, for 2 of the 153 others (an Italian
#: "dying of heat at work", a Swahili eviction); 50% caught no more, for 4.
OTHER_LANGUAGE_EMERGENCY = 0.8


def answer(
    text: str, rules: Match, reader: Reader | None, tips: TipWords, default_lang: str = ""
) -> Match:
    """The bot's answer (match() gives it): the rules' match alone when there is no reader or it
    is exact, else combined with the reader's scores as DEFAULT_COMBINE says. A text in a
    language the library lacks that the reader reads as an emergency (OTHER_LANGUAGE_EMERGENCY)
    gets the emergency reply in `default_lang`."""
    if reader is None:
        return rules
    if rules.topic == OTHER_LANGUAGE_TOPIC:
        emergency = reader.scores(text).get(EMERGENCY_TOPIC, 0.0)
        if emergency < OTHER_LANGUAGE_EMERGENCY:
            return rules
        lang = default_lang or rules.lang
        return replace(
            rules, topic=EMERGENCY_TOPIC, lang=lang, score=_percent(emergency), guessed_lang=True
        )
    if is_exact(rules):
        return rules
    return combine_all(text, rules, reader.scores(text), DEFAULT_COMBINE, tips)
