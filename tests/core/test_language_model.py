"""The library's own language model: learned from its texts per language, romanised where people
text a language in Latin letters too."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.language_model import (
    HASH_BITS,
    MIN_TEXTS,
    library_texts,
    romanize,
    romanized_languages,
    train_language_model,
)
from bot.core.library import load_library_dir

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = load_library_dir(ROOT)
TEXTS = library_texts(LIBRARY)
MODEL = train_language_model(TEXTS, romanized_languages(LIBRARY))

# Toy languages of made-up words: two written in Latin letters, one in Cyrillic.
_WORDS = {
    "aa": "bala kuma tiro selu bala nami kuro",
    "bb": "ferst wolp grint hamp ferst dolk wint",
    "cc": "прова стена мирок полно прова хвист",
}


def _toy_texts(count: int = MIN_TEXTS) -> dict[str, list[str]]:
    texts = {}
    for lang, words in _WORDS.items():
        vocabulary = words.split()
        texts[lang] = [
            " ".join(vocabulary[(i + k) % len(vocabulary)] for k in range(1 + i % 4)) + f" {i}"
            for i in range(count)
        ]
    return texts


def test_each_language_is_told_by_its_words():
    model = train_language_model(_toy_texts(), {})
    assert model is not None and model.languages == ("aa", "bb", "cc")
    for lang, text in [("aa", "kuma selu"), ("bb", "grint dolk"), ("cc", "мирок хвист")]:
        probabilities = model.probabilities(text, ["aa", "bb", "cc"])
        assert max(probabilities, key=probabilities.get) == lang
        assert sum(probabilities.values()) == pytest.approx(1.0)


def test_a_language_texted_in_latin_letters_is_learned_romanised_too():
    plain = train_language_model(_toy_texts(), {})
    romanized = train_language_model(_toy_texts(), {"cc": {"х": "h"}})
    assert romanized.romanized == {"cc"} and not plain.romanized
    # "mirok hvist" is "мирок хвист" in Latin letters, х spelt h as the language's table says
    assert romanized.probabilities("mirok hvist", ["aa", "bb", "cc"])["cc"] > 0.9
    assert plain.probabilities("mirok hvist", ["aa", "bb", "cc"])["cc"] < 0.5


def test_the_languages_own_letters_come_before_the_scripts_table():
    assert romanize("допоможіть") == "dopomozhit'"
    assert romanize("Привіт, Гриць", {"и": "y", "г": "h"}) == "pryvit, hryts'"


def test_a_language_with_few_texts_is_left_out_and_two_are_needed():
    texts = _toy_texts()
    texts["dd"] = ["only a few texts"] * (MIN_TEXTS * 2)  # many lines, one distinct text
    model = train_language_model(texts, {})
    assert "dd" not in model and "aa" in model
    assert model.probabilities("bala", ["dd"]) == {}
    assert train_language_model({"aa": _toy_texts()["aa"], "dd": texts["dd"]}, {}) is None


def test_the_same_texts_are_learned_once_per_process():
    assert train_language_model(_toy_texts(), {}) is train_language_model(_toy_texts(), {})
    assert train_language_model(_toy_texts(), {}) is not train_language_model(
        _toy_texts(), {"cc": {}}
    )


def test_a_text_without_features_gets_equal_probabilities():
    model = train_language_model(_toy_texts(), {})
    assert model.probabilities("!!!", ["aa", "bb"]) == {"aa": 0.5, "bb": 0.5}


def test_the_bundled_librarys_model_is_small_and_knows_every_language():
    assert MODEL is not None and set(MODEL.languages) == set(LIBRARY.languages)
    assert MODEL.romanized == {"ru", "uk", "ko", "zh-Hans"}  # as their language.yaml files say
    assert MODEL.weights.shape == (1 << HASH_BITS, len(LIBRARY.languages))
    assert MODEL.weights.nbytes <= 400_000


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("pomogite pozhaluysta", "ru"),
        ("meni potribna dopomoha", "uk"),
        ("i caawiya", "so"),
        ("tulungan nyo po ako", "tl"),
        ("toi bi chu lay ho chieu", "vi"),
    ],
)
def test_the_bundled_librarys_model_reads_texts_as_people_write_them(text, lang):
    probabilities = MODEL.probabilities(text, LIBRARY.languages)
    assert max(probabilities, key=probabilities.get) == lang
