"""Normalisation and tokenising of message text: case, accents, punctuation, stretching, '#'."""

import pytest

from bot.core.text import normalize, tokenize


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Inmigración!", ["inmigracion"]),
        ("  HELP   me,now ", ["help", "me", "now"]),
        ("won't", ["wont"]),
        ("ayudaaa pleeease", ["ayuda", "please"]),
        ("llamar free arroz", ["llamar", "free", "arroz"]),  # doubled letters stay
        ("aa'a", ["a"]),  # the apostrophe goes first, then the stretch folds
        ("aa-a", ["aa", "a"]),  # a stretch never crosses a word's edge
        ("111 ###", ["111"]),  # only letters fold; a bare '#' is no word
        ("🏠 housing 🙏", ["housing"]),
    ],
)
def test_tokenize_folds_text_to_the_words_the_matcher_reads(text, words):
    assert tokenize(text) == words


def test_a_hash_is_kept_only_where_it_leads_a_number():
    assert tokenize("#2") == ["#2"]
    assert tokenize("opción #3, #help") == ["opcion", "#3", "help"]
    assert tokenize("＃2") == ["#2"]  # a full-width '#' folds to one


def test_normalize_is_the_words_joined_by_single_spaces():
    text = "  Took MY pasSSSport!!  ¿Dónde está? 🙏 "
    assert normalize(text) == "took my pasport donde esta"
    assert normalize(text) == " ".join(tokenize(text))


def test_stretched_letters_fold_in_long_texts_too():
    filler = "we waited at the bus stop for an hour and nobody came, " * 6
    assert tokenize(f"{filler} ayudaaa pleeease")[-2:] == ["ayuda", "please"]
    assert tokenize(f"pleeease {filler}")[0] == "please"
    assert tokenize(f"{filler} aa'a")[-1] == "a"
    assert tokenize(filler) == tokenize(filler.upper())  # nothing stretched: nothing folds


def test_each_han_character_is_a_word_of_its_own_that_reads_as_no_latin_word():
    assert tokenize("我需要帮助!") == ["u25105", "u38656", "u35201", "u24110", "u21161"]
    assert tokenize("help 帮助") == ["help", "u24110", "u21161"]
    # a keyword of two characters is a phrase, found inside a sentence without spaces
    assert " ".join(tokenize("工资")) in " ".join(tokenize("老板不给我工资"))
