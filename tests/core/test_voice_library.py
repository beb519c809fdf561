"""The spoken message of calls in the library: loaded apart from topics, checked like a reply."""

import datetime as dt
from pathlib import Path

import pytest

from bot.core.checks import check_library
from bot.core.library import LibraryError, load_library, load_library_dir
from bot.core.matcher import build_matcher, match
from bot.core.numbers import find_numbers, load_registry, load_registry_file
from bot.core.report import format_report, report_as_json
from bot.core.sms import transliterate_library
from bot.core.speech import (
    VOICE_SECONDS_LIMIT,
    WORDS_PER_MINUTE,
    speakable,
    spelled_slowly,
    spoken_seconds,
    spoken_words,
)
from tests.core.sample_registry import HOTLINE_AND_911

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 25)
REGISTRY = load_registry(HOTLINE_AND_911)

KEYWORDS = """\
languages: [en, es]
topics:
  - id: emergency
    segment_budget: 1
    keywords:
      en: [danger]
      es: [peligro]
  - id: labor
    keywords:
      en: [wages]
      es: [salario]
  - id: menu
    keywords:
      en: [hello]
      es: [hola]
  - id: stop
    silent: true
"""

VOICE_EN = "In danger now? Hang up and call 911. Press 1 for the hotline, 1-888-373-7888."
VOICE_ES = "¿En peligro ahora? Cuelgue y llame al 911. Oprima 1 para la línea, 1-888-373-7888."


def _bundle(keywords: str = KEYWORDS, **voice: str) -> dict[str, str]:
    bundle = {"keywords.yaml": keywords}
    for topic in ("emergency", "labor", "menu"):
        for lang in ("en", "es"):
            bundle[f"responses/{lang}/{topic}.txt"] = f"{topic} {lang}: call 911."
    for lang, text in voice.items():
        bundle[f"responses/{lang}/voice.txt"] = text
    return bundle


def _problems(bundle: dict[str, str]) -> list[str]:
    with pytest.raises(LibraryError) as caught:
        load_library(bundle)
    return [str(p) for p in caught.value.problems]


def test_voice_files_load_as_the_spoken_message_and_not_as_a_topic():
    library = load_library(_bundle(en=VOICE_EN + "\n", es=VOICE_ES))
    assert library.voice_reply("en") == VOICE_EN
    assert library.voice_reply("es") == VOICE_ES
    assert "voice" not in library.by_id
    # No text can be answered with it, not even the word itself.
    assert match("voice", build_matcher(library)).topic != "voice"


def test_a_library_without_voice_files_has_no_spoken_message():
    library = load_library(_bundle())
    assert library.voice_reply("en") is None
    assert library.voice == {}


def test_a_voice_file_in_one_language_only_is_a_missing_translation():
    assert _problems(_bundle(en=VOICE_EN)) == [
        "responses/es/voice.txt: error: the spoken message of calls has no es version "
        "(missing translation)"
    ]


def test_an_empty_voice_file_is_an_error():
    problems = _problems(_bundle(en=VOICE_EN, es="  \n"))
    assert problems == ["responses/es/voice.txt:1: error: the es spoken message of calls is empty"]


@pytest.mark.parametrize("reserved", ["voice", "calls", "connected"])
def test_a_topic_may_not_take_a_name_reserved_for_calls(reserved):
    keywords = KEYWORDS + f"  - id: {reserved}\n    keywords:\n      en: [x{reserved}]\n"
    problems = _problems(_bundle(keywords))
    assert any(f"topic id {reserved!r} is reserved" in p for p in problems), problems


def test_the_check_accepts_a_voice_message_with_registry_numbers_and_reports_its_length():
    report = check_library(load_library(_bundle(en=VOICE_EN, es=VOICE_ES)), REGISTRY, TODAY)
    assert report.ok, report.errors
    by_lang = {v.lang: v for v in report.voice}
    assert set(by_lang) == {"en", "es"}
    assert by_lang["en"].words == spoken_words(VOICE_EN)
    assert {n.registry_id for n in by_lang["en"].numbers} == {"emergency", "hotline"}
    assert "Spoken message of calls" in format_report(report)
    assert report_as_json(report)["voice"][0]["file"] == "responses/en/voice.txt"


def test_the_check_refuses_a_number_that_is_not_in_the_registry():
    text = VOICE_EN + " Or call 1-800-555-0199."
    report = check_library(load_library(_bundle(en=text, es=VOICE_ES)), REGISTRY, TODAY)
    assert [p.file for p in report.errors] == ["responses/en/voice.txt"]
    assert "1-800-555-0199" in report.errors[0].message
    assert "is not in numbers.yaml" in report.errors[0].message


def test_the_check_refuses_a_voice_message_without_any_number():
    report = check_library(
        load_library(_bundle(en="Hello, goodbye.", es=VOICE_ES)), REGISTRY, TODAY
    )
    assert [(p.file, "carries no number" in p.message) for p in report.errors] == [
        ("responses/en/voice.txt", True)
    ]


def test_the_check_refuses_a_voice_message_too_long_to_say_in_the_limit():
    words_allowed = VOICE_SECONDS_LIMIT * WORDS_PER_MINUTE // 60
    filler = " ".join(["please"] * (words_allowed - spoken_words(VOICE_EN) + 1))
    long_text = f"{VOICE_EN} {filler}."
    assert spoken_seconds(long_text) > VOICE_SECONDS_LIMIT
    report = check_library(load_library(_bundle(en=long_text, es=VOICE_ES)), REGISTRY, TODAY)
    assert len(report.errors) == 1
    assert "over the limit of 40 s" in report.errors[0].message
    # One word fewer is within the limit.
    fits = f"{VOICE_EN} {filler.rsplit(' ', 1)[0]}."
    assert check_library(load_library(_bundle(en=fits, es=VOICE_ES)), REGISTRY, TODAY).ok


def test_digits_count_as_spoken_words_one_by_one():
    assert spoken_words("Call 911") == 4
    assert spoken_words("1-888-373-7888") == 11
    assert spoken_seconds("word " * WORDS_PER_MINUTE) == pytest.approx(60.0)


def test_publish_leaves_the_accents_of_the_spoken_message_alone():
    bundle = _bundle(en=VOICE_EN, es=VOICE_ES)
    bundle["responses/es/labor.txt"] = "Línea: 911."
    fixed, changes = transliterate_library(bundle)
    assert fixed["responses/es/voice.txt"] == VOICE_ES
    assert set(changes) == {"responses/es/labor.txt"}


def test_numbers_are_handed_to_the_voice_digit_by_digit():
    assert speakable("Call 911 or 1-888-373-7888, 24 hours.") == (
        "Call 9 1 1 or 1, 8 8 8, 3 7 3, 7 8 8 8, 24 hours."
    )
    # A vanity number is left as written.
    assert speakable("Call 1-800-799-SAFE now") == "Call 1-800-799-SAFE now"


def test_a_number_said_slowly_has_a_pause_after_every_digit():
    assert spelled_slowly("1-888-373-7888") == "1. 8, 8, 8. 3, 7, 3. 7, 8, 8, 8."


def test_the_bundled_voice_messages_pass_the_check_and_carry_911_and_the_hotline():
    library = load_library_dir(ROOT)
    registry = load_registry_file(ROOT / "numbers.yaml")
    report = check_library(library, registry, TODAY)
    assert report.ok, report.errors
    assert {v.lang for v in report.voice} == set(library.languages)
    hotline = registry.by_id["trafficking-hotline-call"].digits
    for lang in library.languages:
        digits = {f.digits for f in find_numbers(library.voice_reply(lang) or "")}
        assert digits == {"911", hotline}, lang
    assert all(v.seconds <= VOICE_SECONDS_LIMIT for v in report.voice)
