"""Library checks: numbers against the registry, segments and encoding, keywords, menu, output."""

import datetime as dt
import json
import random
import time

import pytest

from bot.core.checks import check_library, check_reply
from bot.core.library import load_library
from bot.core.matcher import keyword_confusion
from bot.core.numbers import load_registry
from bot.core.report import format_report, report_as_json
from bot.core.sms import Change, transliterate_library
from bot.core.tables import format_table
from tests.core.sample_registry import HOTLINE_AND_911

TODAY = dt.date(2026, 11, 25)

REGISTRY = (
    HOTLINE_AND_911
    + """\
  - id: wa-211
    number: "211"
    what: Washington 211
    source: test
    verified: 2026-11-24
"""
)

KEYWORDS = """\
languages: [en, es]
topics:
  - id: emergency
    segment_budget: 1
    keywords:
      en: [danger]
      es: [peligro]
  - id: labor
    menu: 1
    title: {en: Work, es: Trabajo}
    keywords:
      en: [wages, pay, passport]
      es: [salario]
  - id: housing
    menu: 2
    title: {en: Housing, es: Vivienda}
    keywords:
      en: [housing, shelter]
      es: [vivienda]
  - id: menu
    keywords:
      en: [hello]
      es: [hola]
  - id: stop
    silent: true
"""

REPLIES = {
    "en/emergency": "In danger now? Call 911.",
    "es/emergency": "¿En peligro ahora? Llame al 911.",
    "en/labor": "Unpaid wages or a boss who keeps your passport?\nCall 1-888-373-7888 or text 233733.",
    "es/labor": "¿Le deben salario?\nLlame al 1-888-373-7888 o escriba al 233733.",
    "en/housing": "Need a place to sleep? Call 211.",
    "es/housing": "¿Necesita dónde dormir? Llame al 211.".replace("ó", "o"),
    "en/menu": "Reply with a number:\n{menu}\nIn danger? Call 911.",
    "es/menu": "Elija:\n{menu}\n¿En peligro? Llame al 911.",
}


def bundle(keywords=KEYWORDS, **replies):
    """A bundle of the test library, with replies replaced by `en_labor="..."` (None drops one)."""
    files = {"keywords.yaml": keywords}
    for key, text in {**REPLIES, **{k.replace("_", "/"): v for k, v in replies.items()}}.items():
        if text is not None:
            files[f"responses/{key}.txt"] = text
    return files


def check(keywords=KEYWORDS, registry=REGISTRY, today=TODAY, **replies):
    return check_library(load_library(bundle(keywords, **replies)), load_registry(registry), today)


def problems(report, severity=None):
    return [p for p in report.problems if severity is None or p.severity == severity]


def test_a_clean_library_has_no_problems_and_a_row_per_reply():
    report = check()
    assert report.problems == ()
    assert report.ok
    rows = {(r.topic, r.lang): r for r in report.replies}
    assert set(rows) == {
        (t, lang) for t in ("emergency", "labor", "housing", "menu") for lang in ("en", "es")
    }
    labor = rows[("labor", "en")]
    assert (labor.encoding, labor.segments, labor.budget) == ("GSM-7", 1, 3)
    assert labor.file == "responses/en/labor.txt"
    assert [(n.text, n.registry_id) for n in labor.numbers] == [
        ("1-888-373-7888", "hotline"),
        ("233733", "hotline-text"),
    ]
    assert rows[("emergency", "es")].budget == 1


def test_a_number_missing_from_the_registry_is_an_error_at_its_file_and_line():
    report = check(en_labor="Unpaid wages?\nCall 1-888-373-7888\nor 1-800-555-0199 today.")
    [error] = problems(report, "error")
    assert (error.file, error.line) == ("responses/en/labor.txt", 3)
    assert "1-800-555-0199" in error.message and "numbers.yaml" in error.message
    assert not report.ok


def test_the_line_counts_in_the_file_as_written_not_the_trimmed_reply():
    report = check(es_labor="\n\nLlame al 1-888-373-7888\no al 206-555-0100.\n")
    [error] = problems(report, "error")
    assert (error.file, error.line) == ("responses/es/labor.txt", 4)


def test_a_vanity_number_whose_digits_disagree_is_an_error():
    registry = REGISTRY + (
        '  - id: dv\n    number: "1-800-799-7233"\n    what: DV\n    source: test\n'
        "    verified: 2026-11-24\n"
    )
    report = check(registry=registry, en_housing="Call 1-800-799-SAFE (7234) or 211.")
    [error] = problems(report, "error")
    assert "spells 1-800-799-7233" in error.message and "'7234'" in error.message


def test_a_local_number_without_area_code_is_an_error():
    [error] = problems(check(en_housing="Call 211 or 555-0100."), "error")
    assert "no area code" in error.message


def test_a_number_in_a_menu_title_is_checked_at_its_line_in_keywords_yaml():
    keywords = KEYWORDS.replace("{en: Housing,", "{en: Housing 1-800-555-0199,")
    [error] = problems(check(keywords), "error")
    assert (error.file, error.line) == ("keywords.yaml", 14)
    assert "1-800-555-0199" in error.message


def test_a_reply_without_a_registry_number_is_an_error():
    report = check(es_housing="¿Necesita un lugar para dormir? Pregunte en la biblioteca.")
    [error] = problems(report, "error")
    assert error.file == "responses/es/housing.txt"
    assert "no number from numbers.yaml" in error.message


def test_a_silent_topic_needs_no_number_and_gets_no_row():
    report = check()
    assert "stop" not in {r.topic for r in report.replies}
    assert report.ok


def test_a_registry_entry_not_verified_for_over_a_year_is_a_warning():
    stale = REGISTRY.replace(
        "verified: 2026-11-24\n  - id: emergency", "verified: 2025-11-24\n  - id: emergency"
    )
    assert problems(check(registry=stale, today=dt.date(2026, 11, 24)), "warning") == []
    report = check(registry=stale, today=dt.date(2026, 11, 25))
    [warning] = problems(report)
    assert (warning.file, warning.line, warning.severity) == ("numbers.yaml", 7, "warning")
    assert "hotline-text" in warning.message and "2025-11-24" in warning.message
    assert report.ok  # a warning does not stop publishing


def test_a_verified_date_in_the_future_is_a_warning():
    later = REGISTRY.replace(
        "verified: 2026-11-24\n  - id: wa-211", "verified: 2026-12-24\n  - id: wa-211"
    )
    [warning] = problems(check(registry=later))
    assert (warning.line, warning.severity) == (12, "warning")
    assert "after today" in warning.message


def test_a_reply_over_its_segment_budget_is_an_error():
    keywords = KEYWORDS.replace("  - id: housing\n", "  - id: housing\n    segment_budget: 1\n")
    long_reply = "Call 211. " + "Shelter is available tonight. " * 6
    report = check(keywords, en_housing=long_reply)
    [error] = problems(report, "error")
    assert error.file == "responses/en/housing.txt"
    assert "2 segments" in error.message and "budget of 1" in error.message
    assert check(en_housing=long_reply).ok  # the default budget of 3 allows it


def test_the_emergency_reply_must_fit_one_segment_whatever_keywords_yaml_says():
    keywords = KEYWORDS.replace("    segment_budget: 1\n", "    segment_budget: 3\n", 1)
    long_reply = "Call 911 now. " + "Get somewhere safe if you can. " * 6
    report = check(keywords, en_emergency=long_reply)
    [error] = problems(report, "error")
    assert error.file == "responses/en/emergency.txt"
    assert "emergency reply must fit in one segment" in error.message
    [warning] = problems(report, "warning")
    assert (warning.file, "segment_budget 3") == ("keywords.yaml", "segment_budget 3")
    assert "segment_budget 3" in warning.message
    assert {r.budget for r in report.replies if r.topic == "emergency"} == {1}


def test_a_ucs2_reply_is_a_warning_naming_the_characters_and_the_transliteration():
    report = check(es_housing="¿Necesita dónde dormir?\nLlame al “211”.")
    [warning] = problems(report)
    assert (warning.file, warning.line, warning.severity) == (
        "responses/es/housing.txt",
        1,
        "warning",
    )
    assert "'ó'" in warning.message and "'“'" in warning.message
    assert "'ó' -> 'o'" in warning.message
    row = next(r for r in report.replies if (r.topic, r.lang) == ("housing", "es"))
    assert row.encoding == "UCS-2" and row.ucs2_chars == ("ó", "“", "”")
    assert report.ok


def test_a_character_with_no_look_alike_is_named_as_one_to_remove():
    [warning] = problems(check(en_housing="Call 211 😀"))
    assert "no GSM-7 look-alike for '😀'" in warning.message


def test_a_ucs2_character_in_a_menu_title_is_reported_at_the_title():
    keywords = KEYWORDS.replace("es: Vivienda}", "es: Vivienda ☂ alquiler}")
    [warning] = problems(check(keywords))
    assert (warning.file, warning.line) == ("keywords.yaml", 14)
    assert "'☂'" in warning.message


def test_accents_and_dashes_in_a_menu_title_are_sent_as_look_alikes_and_not_reported():
    keywords = KEYWORDS.replace("es: Vivienda}", "es: Vivienda – alquiler o habitación}")
    assert problems(check(keywords)) == []


def test_keywords_the_matcher_could_confuse_across_topics_are_warnings_naming_both():
    keywords = KEYWORDS.replace("en: [housing, shelter]", "en: [housing, shelter, passports]")
    [warning] = problems(check(keywords))
    assert (warning.file, warning.severity) == ("keywords.yaml", "warning")
    for name in ("'passport'", "'passports'", "labor", "housing"):
        assert name in warning.message


def test_similar_keywords_in_the_same_topic_or_in_different_languages_are_not_warnings():
    same_topic = KEYWORDS.replace(
        "en: [wages, pay, passport]", "en: [wages, pay, passport, passports]"
    )
    other_lang = KEYWORDS.replace("es: [vivienda]", "es: [vivienda, passports]")
    assert check(same_topic).problems == ()
    assert check(other_lang).problems == ()


def test_short_keywords_that_normalise_alike_across_topics_are_warnings():
    keywords = KEYWORDS.replace("es: [hola]", "es: [hola, sí]").replace(
        "es: [vivienda]", "es: [vivienda, si]"
    )
    [warning] = problems(check(keywords))
    assert "'sí'" in warning.message and "'si'" in warning.message


def test_short_single_word_keywords_are_listed_as_exact_only():
    keywords = KEYWORDS.replace("en: [danger]", "en: [danger, sos, help me]")
    report = check(keywords)
    assert {(k.topic, k.lang, k.keyword) for k in report.exact_only} == {
        ("emergency", "en", "sos"),
        ("labor", "en", "pay"),
        ("menu", "es", "hola"),
    }
    assert report.problems == ()


def test_menu_and_emergency_need_keywords_in_every_language():
    keywords = KEYWORDS.replace("      es: [peligro]\n", "").replace("      en: [hello]\n", "")
    errors = problems(check(keywords), "error")
    assert sorted((p.line, p.message) for p in errors) == [
        (3, "topic 'emergency' has no es keywords"),
        (19, "topic 'menu' has no en keywords"),
    ]


def test_stop_needs_no_keywords_though_any_other_silent_topic_does():
    assert not any(load_library(bundle()).topic("stop").keywords.values())  # the premise
    quiet = KEYWORDS + "  - id: quiet\n    silent: true\n"
    assert [p.message for p in problems(check(quiet), "error")] == [
        "topic 'quiet' has no en keywords",
        "topic 'quiet' has no es keywords",
    ]


def test_menu_numbers_must_run_from_one_without_gaps():
    report = check(KEYWORDS.replace("menu: 2", "menu: 3"))
    [error] = problems(report, "error")
    assert error.file == "keywords.yaml" and error.line == 14
    assert "2 missing" in error.message
    [error] = problems(check(KEYWORDS.replace("menu: 1", "menu: 3")), "error")
    assert "1 missing" in error.message


def test_check_reply_checks_one_reply():
    library = load_library(bundle(en_labor="Call 1-800-555-0199."))
    row, found = check_reply(library, "labor", "en", load_registry(REGISTRY))
    assert (row.topic, row.lang, row.segments) == ("labor", "en", 1)
    assert {p.severity for p in found} == {"error"} and len(found) == 2  # unknown, and none known


def test_confusion_check_finds_what_comparing_every_pair_finds_on_a_large_library():
    rng = random.Random(7)
    words: set[str] = set()

    def word():
        while True:
            w = "".join(rng.choice("aeioum") for _ in range(rng.randint(3, 10)))
            if w not in words:
                words.add(w)
                return w

    lines = ["languages: [en, es]", "topics:"]
    replies = {}
    for t in ("menu", "emergency", *(f"t{i}" for i in range(50))):
        en, es = ", ".join(word() for _ in range(10)), ", ".join(word() for _ in range(10))
        lines += [
            f"  - id: {t}",
            "    segment_budget: 1",
            "    keywords:",
            f"      en: [{en}]",
            f"      es: [{es}]",
        ]
        replies.update({f"en_{t}": "Call 911.", f"es_{t}": "Llame al 911."})
    lines += ["  - id: stop", "    silent: true"]
    library = load_library(
        {f"responses/{k.replace('_', '/')}.txt": v for k, v in replies.items()}
        | {"keywords.yaml": "\n".join(lines) + "\n"}
    )
    assert sum(len(ws) for t in library.topics for ws in t.keywords.values()) == 1040

    started = time.perf_counter()
    report = check_library(library, load_registry(REGISTRY), TODAY)
    assert time.perf_counter() - started < 2.0  # every pair through keyword_confusion takes ~3 s

    found = {
        frozenset(w.split("'")[1::2][:2])
        for w in (p.message for p in report.warnings)
        if "alike" in w
    }
    expected = set()
    for lang in library.languages:
        entries = [(t.id, w) for t in library.topics for w in t.keywords[lang]]
        for i, (ta, a) in enumerate(entries[:200]):
            for tb, b in entries[i + 1 :]:
                if ta != tb and keyword_confusion(a, b) is not None:
                    expected.add(frozenset((a, b)))
    assert expected  # the sample must contain confusable pairs for the comparison to mean anything
    assert expected <= found


def test_transliterate_library_changes_only_reply_files_and_reports_per_file():
    files = bundle(es_housing="¿Necesita dónde dormir? Llame al “211”.")
    files["keywords.yaml"] = KEYWORDS.replace("es: Vivienda}", "es: “Vivienda”}")
    new, changes = transliterate_library(files)
    assert new["responses/es/housing.txt"] == '¿Necesita donde dormir? Llame al "211".'
    assert new["keywords.yaml"] == files["keywords.yaml"]
    assert changes == {
        "responses/es/housing.txt": (Change("ó", "o", 1), Change("“", '"', 1), Change("”", '"', 1))
    }
    assert files["responses/es/housing.txt"].count("“") == 1  # the input bundle is left as it was
    assert check_library(load_library(new), load_registry(REGISTRY), TODAY).replies


def test_transliterating_clears_the_ucs2_warning():
    files = bundle(es_housing="¿Necesita dónde dormir? Llame al “211”.")
    new, _ = transliterate_library(files)
    report = check_library(load_library(new), load_registry(REGISTRY), TODAY)
    assert report.problems == ()


def test_format_report_shows_a_row_per_reply_then_errors_before_warnings_and_a_summary():
    report = check(
        en_labor="Call 1-800-555-0199 or 1-888-373-7888.", es_housing="¿Dónde? Llame al 211."
    )
    text = format_report(report)
    lines = text.splitlines()
    assert lines[0].split() == ["topic", "lang", "chars", "encoding", "segments", "numbers"]
    assert any(
        line.split()[:2] == ["labor", "en"] and "1-800-555-0199 (unknown)" in line for line in lines
    )
    assert any(line.split()[:2] == ["housing", "es"] and "UCS-2" in line for line in lines)
    assert (
        text.index("Errors:")
        < text.index("responses/en/labor.txt:1: error")
        < text.index("Warnings:")
    )
    assert text.index("Warnings:") < text.index("responses/es/housing.txt:1: warning")
    assert lines[-1] == "1 error, 1 warning"
    assert format_report(check()).splitlines()[-1] == "0 errors, 0 warnings"


def test_report_as_json_is_serialisable_and_carries_rows_and_problems():
    report = check(en_labor="Call 1-800-555-0199 or 1-888-373-7888.")
    data = json.loads(json.dumps(report_as_json(report)))
    assert (data["ok"], data["errors"], data["warnings"]) == (False, 1, 0)
    [labor] = [r for r in data["replies"] if (r["topic"], r["lang"]) == ("labor", "en")]
    assert labor["numbers"] == [
        {"text": "1-800-555-0199", "digits": "8005550199", "registry_id": None},
        {"text": "1-888-373-7888", "digits": "8883737888", "registry_id": "hotline"},
    ]
    assert data["problems"][0]["file"] == "responses/en/labor.txt"
    assert {k["keyword"] for k in data["exact_only"]} == {"pay", "hola"}


@pytest.mark.parametrize("severity", ["error", "warning"])
def test_ok_depends_on_errors_only(severity):
    report = (
        check(en_labor="Call 1-800-555-0199 or 1-888-373-7888.")
        if severity == "error"
        else check(en_housing="Call 211 “now”.")
    )
    assert [p.severity for p in report.problems] == [severity]
    assert report.ok is (severity == "warning")


def test_a_table_pads_columns_rules_them_and_keeps_a_free_last_column_open():
    rows = [("labor", "7", "a long free text"), ("x", "123", "-")]
    assert format_table(("topic", "n", "numbers"), rows, right={1}).splitlines() == [
        "topic    n  numbers",
        "-----  ---  ----------------",
        "labor    7  a long free text",
        "x      123  -",
    ]
    assert format_table(
        ("topic", "n", "numbers"), rows, right={1}, open_last=True
    ).splitlines() == [
        "topic    n  numbers",
        "-----  ---  -------",
        "labor    7  a long free text",
        "x      123  -",
    ]
    assert format_table(("", "rev"), [("*", "1")]).splitlines() == ["   rev", "   ---", "*  1"]
