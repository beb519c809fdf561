"""The reader learns a language people text in Latin letters from its examples romanised."""

from __future__ import annotations

from dataclasses import replace

from bot.core.examples_reader import romanized_twins
from bot.core.reader import Example, train_reader

CYRILLIC_PAY = ("Начальник не платит зарплату", "Хозяин не отдает деньги за работу")
CYRILLIC_DANGER = ("У него пистолет, помогите", "Нас заперли, выйти не можем")
LATIN = [
    Example("my boss did not pay my wages", "labor", "en"),
    Example("el patron no me paga", "labor", "es"),
    Example("he has a gun and is coming for me", "emergency", "en"),
    Example("nos encerraron y no podemos salir", "emergency", "es"),
]


def _examples() -> list[Example]:
    russian = [Example(t, "labor", "ru") for t in CYRILLIC_PAY]
    russian += [Example(t, "emergency", "ru") for t in CYRILLIC_DANGER]
    return [*LATIN, *russian]


def test_only_examples_of_languages_texted_in_latin_letters_get_a_twin():
    source = Example("Помогите", "emergency", "ru", "examples/ru/emergency.txt", 3)
    twins = romanized_twins([source, Example("help", "emergency", "en")], {"ru": {}})
    assert twins == (replace(source, text="Pomogite", lang="ru-Latn"),)


def test_a_language_spells_its_own_letters_first():
    ukrainian = Example("Гроші", "labor", "uk")
    assert romanized_twins([ukrainian], {"uk": {"г": "h"}})[0].text.startswith("hroshi")
    assert romanized_twins([ukrainian], {"uk": {}})[0].text.startswith("Groshi")


def test_a_reader_with_twins_reads_the_language_in_latin_letters():
    examples = _examples()
    text = "nachalnik ne platit zarplatu uzhe mesyac"
    with_twins = train_reader([*examples, *romanized_twins(examples, {"ru": {}})])
    without = train_reader(examples)
    assert with_twins.top(text, 1)[0][0] == "labor"
    assert with_twins.scores(text)["labor"] > without.scores(text)["labor"]


def test_twins_teach_the_reader_but_are_never_shown_as_nearest_examples():
    examples = _examples()
    reader = train_reader([*examples, *romanized_twins(examples, {"ru": {}})])
    assert {e.lang for e in reader.examples} == {"en", "es", "ru"}
    nearest = reader.nearest("nachalnik ne platit zarplatu", k=3)
    assert all(example.lang == "ru" or example.text.isascii() for example, _ in nearest)
    assert not any(example.lang.endswith("-Latn") for example, _ in nearest)


def test_a_keyword_also_matches_as_its_language_spells_it_in_latin_letters():
    # Ukrainian's language.yaml spells и as y: "pryvit" is "привіт", as anyascii's "privit" is.
    from bot.core.library import load_library_dir
    from bot.core.matcher import build_matcher, match_rules
    from bot.settings import PROJECT_ROOT

    matcher = build_matcher(load_library_dir(PROJECT_ROOT), reader=False)
    for text in ("pryvit", "privit", "привіт"):
        found = match_rules(text, matcher)
        assert (found.topic, found.lang, found.keyword) == ("menu", "uk", "привіт"), text
