"""The verified-number registry and finding the phone numbers a reply prints."""

import datetime as dt
from pathlib import Path

import pytest

from bot.core.library import LibraryError
from bot.core.numbers import (
    RegistryError,
    find_numbers,
    load_registry,
    load_registry_file,
    normalize_number,
)
from tests.core.sample_registry import HOTLINE_AND_911

REPO = Path(__file__).resolve().parents[2]

REGISTRY = (
    HOTLINE_AND_911
    + """\
  - id: dv
    number: "1-800-799-7233"
    what: Domestic violence hotline
    source: test
    verified: "2026-01-02"
"""
)


def digits_in(text):
    return [f.digits for f in find_numbers(text)]


@pytest.mark.parametrize(
    "written",
    [
        "1-888-373-7888",
        "(888) 373-7888",
        "888.373.7888",
        "888 373 7888",
        "888-373-7888",
        "8883737888",
        "18883737888",
        "+1 888 373 7888",
        "+1-888-373-7888",
        "+18883737888",
        "1 (888) 373-7888",
        "1.888.373.7888",
        "888\u00a0373\u00a07888",
    ],
)
def test_common_us_forms_of_a_number_are_found_and_normalised(written):
    [found] = find_numbers(f"Call {written}, any time.")
    assert found.digits == "8883737888"
    assert found.kind == "nanp"
    assert found.text == written


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("1-800-799-SAFE", "8007997233"),
        ("800-799-SAFE", "8007997233"),
        ("800.799.SAFE", "8007997233"),
        ("1-800-RUNAWAY", "8007862929"),
        ("1-800-Runaway", "8007862929"),
        ("1-800-4-A-CHILD", "8004224453"),
        ("1-866-4-USWAGE", "8664879243"),
        ("1-800-621-FEMA", "8006213362"),
        ("(800) 799-SAFE", "8007997233"),
    ],
)
def test_vanity_numbers_are_read_off_the_keypad(written, digits):
    [found] = find_numbers(f"Call {written} now.")
    assert (found.text, found.digits, found.conflict) == (written, digits, None)


@pytest.mark.parametrize(
    "written",
    ["1-800-799-SAFE (7233)", "800.799.SAFE (7233)", "1-800-RUNAWAY (1-800-786-2929)"],
)
def test_a_vanity_number_and_its_digits_in_parentheses_are_one_number_when_they_agree(written):
    [found] = find_numbers(f"Call {written}.")
    assert found.text == written
    assert found.conflict is None


@pytest.mark.parametrize("written", ["1-800-799-SAFE (7234)", "1-800-RUNAWAY (1-800-786-2920)"])
def test_a_vanity_number_whose_digits_in_parentheses_disagree_is_a_conflict(written):
    [found] = find_numbers(f"Call {written}.")
    assert found.conflict is not None
    assert written.split(" (")[0] in found.conflict


def test_short_codes_and_service_codes_are_found_as_whole_words():
    text = "Text 233733, call 911 or 2-1-1, or 988. Dial 311 (or 711 for relay)."
    assert digits_in(text) == ["233733", "911", "211", "988", "311", "711"]
    assert [f.kind for f in find_numbers(text)] == [
        "short",
        "service",
        "service",
        "service",
        "service",
        "service",
    ]


@pytest.mark.parametrize(
    "prose",
    [
        "You should earn at least 18 an hour.",
        "The hotline is open 24/7.",
        "1 Work\n2 Pay\n3 Housing\n10 Other",
        "Since 2026, and in 1999.",
        "Fees over $100 or $233733 are illegal.",
        "It may cost 100 dollars; 500 people helped.",
        "H-2A and H-2B visas, Form I-914.",
        "A 300-year-old custom.",
        "Office: 123 Main St, Seattle, WA 98104.",
        "Up 3.5% or 4.25 times; 1,000,000 reached.",
        "Ages 12-17, 9:11 am, 2026-11-25.",
        "Call 9111 or 91 or 9119.",
        "Reply 1, 2 or 3.",
    ],
)
def test_ordinary_numbers_in_prose_are_not_taken_for_phone_numbers(prose):
    assert find_numbers(prose) == ()


def test_a_seven_digit_local_number_is_found_so_it_can_be_reported():
    [found] = find_numbers("Call 373-7888.")
    assert (found.kind, found.digits) == ("local", "3737888")


def test_found_numbers_carry_their_position_and_line():
    text = "Help is here.\nCall 1-888-373-7888\nor text 233733."
    first, second = find_numbers(text)
    assert (first.line, text[first.start : first.end]) == (2, "1-888-373-7888")
    assert (second.line, text[second.start : second.end]) == (3, "233733")


@pytest.mark.parametrize(
    ("number", "digits"),
    [
        ("1-888-373-7888", "8883737888"),
        ("+1 (888) 373-7888", "8883737888"),
        ("888.373.7888", "8883737888"),
        ("1-800-799-SAFE", "8007997233"),
        ("233733", "233733"),
        ("911", "911"),
        ("2-1-1", "211"),
    ],
)
def test_numbers_normalise_to_digits_without_the_country_code(number, digits):
    assert normalize_number(number) == digits


def test_the_registry_loads_entries_with_digits_dates_and_lines():
    registry = load_registry(REGISTRY)
    assert [e.id for e in registry.entries] == ["hotline", "hotline-text", "emergency", "dv"]
    hotline = registry.by_id["hotline"]
    assert (hotline.digits, hotline.verified, hotline.line) == (
        "8883737888",
        dt.date(2026, 11, 24),
        2,
    )
    assert registry.by_id["dv"].verified == dt.date(2026, 1, 2)  # a quoted date is read too
    assert registry.lookup("1-800-799-SAFE") is registry.by_id["dv"]
    assert registry.lookup("(888) 373-7888") is hotline
    assert registry.lookup("1-800-000-0000") is None


def test_registry_problems_are_all_reported_with_their_line():
    broken = (
        REGISTRY.replace('number: "911"', 'number: "912"')
        .replace("verified: 2026-11-24\n  - id: emergency", "verified: soon\n  - id: emergency")
        .replace("id: dv", "id: hotline")
    )
    with pytest.raises(RegistryError) as caught:
        load_registry(broken)
    problems = {p.line: p.message for p in caught.value.problems}
    assert "verified must be a date" in problems[7]
    assert "'912' is not a service code" in problems[12]
    assert "'hotline' is used twice" in problems[17]
    assert isinstance(caught.value, LibraryError)


def test_a_number_listed_twice_and_missing_fields_are_registry_errors():
    twice = (
        REGISTRY
        + '  - id: again\n    number: "(888) 373-7888"\n    what: x\n    source: y\n    verified: 2026-11-24\n'
    )
    with pytest.raises(RegistryError, match="already listed as 'hotline'"):
        load_registry(twice)
    with pytest.raises(RegistryError, match="missing source"):
        load_registry(
            'numbers:\n  - id: a\n    number: "911"\n    what: x\n    verified: 2026-11-24\n'
        )
    with pytest.raises(RegistryError, match="non-empty list"):
        load_registry("numbers: []\n")


def test_the_projects_registry_holds_the_verified_numbers():
    registry = load_registry_file(REPO / "numbers.yaml")
    assert {e.digits for e in registry.entries} >= {
        "8883737888",
        "233733",
        "8007997233",
        "911",
        "211",
        "988",
    }
    for entry in registry.entries:
        assert entry.source and entry.what
        assert [f.digits for f in find_numbers(entry.number)] == [entry.digits]


def test_a_key_written_twice_in_an_entry_is_refused_with_its_line_as_in_keywords_yaml():
    twice = REGISTRY.replace(
        '    number: "1-800-799-7233"\n', '    number: "1-800-799-7233"\n    number: "911"\n'
    )
    with pytest.raises(RegistryError) as caught:
        load_registry(twice)
    [problem] = caught.value.problems
    assert problem.message == "key 'number' is written twice"
    assert twice.splitlines()[problem.line - 1] == '    number: "911"'


def test_bad_yaml_in_the_registry_is_a_registry_error_with_its_line():
    with pytest.raises(RegistryError) as caught:
        load_registry("numbers:\n  - id: [unclosed\n")
    [problem] = caught.value.problems
    assert problem.message.startswith("bad YAML")
    assert problem.line >= 2
