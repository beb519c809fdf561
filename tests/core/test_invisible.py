"""Invisible characters and numbers as a phone shows them: refused in replies, titles, keywords."""

import pytest

from bot.core.checks import check_library
from bot.core.library import load_library
from bot.core.numbers import RegistryError, load_registry
from tests.core.sample_registry import HOTLINE_AND_911
from tests.core.test_checks import KEYWORDS, REGISTRY, TODAY, bundle


def check(keywords=KEYWORDS, **replies):
    return check_library(load_library(bundle(keywords, **replies)), load_registry(REGISTRY), TODAY)


def errors(report):
    return [p for p in report.problems if p.severity == "error"]


def test_a_right_to_left_override_around_the_hotline_is_refused_naming_file_line_and_character():
    report = check(en_labor="Unpaid wages?\nCall \u202e1-888-373-7888\u202c or text 233733.")
    assert not report.ok
    messages = [(p.file, p.line, p.message) for p in errors(report) if "U+202E" in p.message]
    assert messages, errors(report)
    file, line, message = messages[0]
    assert (file, line) == ("responses/en/labor.txt", 2)
    assert "RIGHT-TO-LEFT OVERRIDE" in message and "character 6" in message


def test_the_reversed_hotline_is_reported_as_what_the_phone_shows():
    report = check(en_labor="Call \u202e1-888-373-7888\u202c or text 233733.")
    shown = [p for p in errors(report) if "shows on a phone as" in p.message]
    assert len(shown) == 1
    assert "'1-888-373-7888'" in shown[0].message and "8887-373-888-1" in shown[0].message


def test_a_tag_character_in_a_reply_is_refused():
    report = check(en_housing="Need a place to sleep? Call 211.\U000e0041")
    [error] = errors(report)
    assert (error.file, error.line) == ("responses/en/housing.txt", 1)
    assert "U+E0041" in error.message and "TAG LATIN CAPITAL LETTER A" in error.message


@pytest.mark.parametrize(
    "char",
    [
        "\u200b",
        "\u200d",
        "\u2060",
        "\u00ad",
        "\u200e",
        "\u2066",
        "\ufeff",
        "\u034f",
        "\u3164",
        "\x07",
    ],
)
def test_zero_width_and_other_invisible_characters_in_a_reply_are_refused(char):
    report = check(en_housing=f"Need a place to sleep?\nCall 2{char}11 or 911.")
    assert any(
        p.file == "responses/en/housing.txt" and p.line == 2 and f"U+{ord(char):04X}" in p.message
        for p in errors(report)
    ), errors(report)


def test_an_invisible_character_in_a_keyword_is_refused_at_its_line_in_keywords_yaml():
    keywords = KEYWORDS.replace("[wages, pay, passport]", "[wages, pa\u200by, passport]")
    [error] = [p for p in errors(check(keywords)) if "U+200B" in p.message]
    assert (error.file, error.line) == ("keywords.yaml", 12)
    assert "ZERO WIDTH SPACE" in error.message and "character 21" in error.message


def test_an_invisible_character_in_a_menu_title_is_refused_at_its_line():
    keywords = KEYWORDS.replace("{en: Housing,", "{en: Hou\u2067sing,")
    [error] = [p for p in errors(check(keywords)) if "U+2067" in p.message]
    assert (error.file, error.line) == ("keywords.yaml", 16)


def test_a_right_to_left_language_reply_whose_number_a_phone_reorders_is_refused():
    # Arabic letters before a number written with spaces and brackets make phones show its
    # groups in reverse order; written 1-888-373-7888 it stays whole.
    scrambled = check(en_labor="\u0627\u062a\u0635\u0644 (888) 373-7888 \u0623\u0648 911")
    [shown] = [p for p in errors(scrambled) if "shows on a phone as" in p.message]
    assert "373-7888" in shown.message
    whole = check(en_labor="\u0627\u062a\u0635\u0644 \u0628\u0640 911 \u0623\u0648 233733")
    assert not [p for p in errors(whole) if "shows on a phone" in p.message]


def test_ordinary_text_has_no_invisible_characters_and_shows_as_written():
    from bot.core.invisible import as_displayed, invisible_characters

    assert invisible_characters("Llame al 911. ¿Está en peligro? Ñandú, 24/7.\n\tCall 211.") == []
    assert [c.char for c in invisible_characters("a\u200bb\u202ec")] == ["\u200b", "\u202e"]
    assert as_displayed("plain 1-888-373-7888") == "plain 1-888-373-7888"


def test_a_registry_number_with_an_invisible_character_is_refused():
    poisoned = HOTLINE_AND_911.replace('"1-888-373-7888"', '"\u202e1-888-373-7888\u202c"')
    with pytest.raises(RegistryError, match="U\\+202E"):
        load_registry(poisoned)
