"""Hostile or broken library files: each is refused with one clear problem, before any real work."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

import bot.core.schema as schema_module
from bot.core import numbers as numbers_module
from bot.core.checks import check_library
from bot.core.library import (
    MAX_KEYWORDS_BYTES,
    MAX_REPLY_BYTES,
    LibraryError,
    load_library,
    read_bundle,
    write_bundle,
)
from bot.core.numbers import RegistryError, find_numbers, load_registry, load_registry_file
from bot.core.sms import _clusters, transliterate_gsm, transliterate_library
from tests.core.sample_registry import HOTLINE_AND_911
from tests.core.test_checks import KEYWORDS, TODAY, bundle
from tests.core.test_library import alias_bomb

ROOT = Path(__file__).resolve().parents[2]


def problems_of(source):
    with pytest.raises(LibraryError) as caught:
        load_library(source) if isinstance(source, dict) else read_bundle(source)
    return [(p.file, p.line, p.message) for p in caught.value.problems]


@pytest.fixture
def library(tmp_path):
    write_bundle(bundle(), tmp_path / "lib")
    return tmp_path / "lib"


# --- Size caps, on disk and in memory --------------------------------------------------------


def test_a_reply_over_64_kb_is_refused_on_disk_by_its_size_alone(library):
    (library / "responses/en/labor.txt").write_text("Call 911. " * 7000, encoding="utf-8")
    [(file, line, message)] = problems_of(library)
    assert (file, line) == ("responses/en/labor.txt", 0)
    assert message == (
        "the file is 70,000 bytes; a file of the library may be at most 65,536 bytes (64 KB): "
        "shorten it"
    )
    with open(library / "responses/es/labor.txt", "r+b") as sparse:
        sparse.truncate(8 * 1024**3)  # 8 GB of nothing: refused by its size, never read
    assert ("responses/es/labor.txt", 0) in [p[:2] for p in problems_of(library)]


def test_keywords_yaml_over_2_mb_is_refused_before_it_is_parsed(library, monkeypatch):
    big = KEYWORDS + "#" * MAX_KEYWORDS_BYTES
    (library / "keywords.yaml").write_text(big, encoding="utf-8")
    [problem] = problems_of(library)
    assert (
        problem[:2] == ("keywords.yaml", 0) and "at most 2,097,152 bytes (2,048 KB)" in problem[2]
    )

    def no_parsing(text):
        raise AssertionError("parsed a file over its cap")

    monkeypatch.setattr(schema_module, "parse_yaml", no_parsing)  # load_yaml parses
    [problem] = problems_of(bundle(big))
    assert problem[:2] == ("keywords.yaml", 0) and "at most 2,097,152 bytes" in problem[2]


def test_an_in_memory_bundle_is_held_to_the_same_caps_in_bytes_of_utf8():
    # 40,000 characters of 2 bytes each: under the cap in characters, over it in bytes
    wide = "ñ" * (MAX_REPLY_BYTES // 2 + 1) + " 911"
    assert problems_of(bundle(en_labor=wide)) == [
        (
            "responses/en/labor.txt",
            0,
            "the file is 65,542 bytes; a file of the library may be at most 65,536 bytes "
            "(64 KB): shorten it",
        )
    ]
    load_library(bundle(en_labor="ñ" * (MAX_REPLY_BYTES // 2 - 10) + " 911"))  # under the cap


def test_transliteration_leaves_a_reply_over_its_cap_for_the_load_to_refuse():
    huge = "\u2019" * (MAX_REPLY_BYTES + 1)
    transliterated, changes = transliterate_library(bundle(en_labor=huge))
    assert (
        transliterated["responses/en/labor.txt"] is huge and "responses/en/labor.txt" not in changes
    )
    [(file, _line, message)] = problems_of(transliterated)
    assert file == "responses/en/labor.txt" and "at most 65,536 bytes" in message


def test_an_in_memory_file_with_a_lone_surrogate_is_refused_at_its_line():
    assert problems_of(bundle(en_labor="Call 911\nor \ud800 here")) == [
        ("responses/en/labor.txt", 2, "holds a character that is not valid Unicode")
    ]


def test_a_registry_with_aliases_or_a_key_written_twice_is_refused():
    bomb = alias_bomb(9) + HOTLINE_AND_911
    with pytest.raises(RegistryError) as caught:
        load_registry(bomb)
    [problem] = caught.value.problems
    assert problem.line == 1 and "anchors and aliases" in problem.message
    twice = HOTLINE_AND_911.replace('number: "911"', 'number: "911"\n    number: "211"')
    with pytest.raises(RegistryError) as caught:
        load_registry(twice)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (14, "key 'number' is written twice")
    ]


def test_a_registry_over_its_cap_is_refused(tmp_path):
    path = tmp_path / "numbers.yaml"
    path.write_text(HOTLINE_AND_911 + "#" * numbers_module.MAX_REGISTRY_BYTES, encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_registry_file(path)
    assert "may be at most 1,048,576 bytes (1,024 KB)" in caught.value.problems[0].message


# --- Linear time on long replies --------------------------------------------------------------


def test_a_zip_code_is_told_from_a_short_code_by_the_few_characters_before_it(monkeypatch):
    windows = []
    real = numbers_module._ZIP_BEFORE

    class Spy:
        def search(self, text, pos, endpos):
            windows.append(endpos - pos)
            return real.search(text, pos, endpos)

    monkeypatch.setattr(numbers_module, "_ZIP_BEFORE", Spy())
    text = "Text 233733. " * 2000 + "Office: Seattle, WA 98104. Text 233733."
    found = find_numbers(text)
    # Searching from the start of the text for each short code made a long reply quadratic.
    assert windows and max(windows) <= 3
    assert [f.digits for f in found] == ["233733"] * 2001
    assert found[-1].line == 1


def test_numbers_found_in_a_long_reply_carry_their_own_line():
    text = "Call 1-888-373-7888 or 911\n" * 3000
    found = find_numbers(text)
    assert len(found) == 6000
    assert [f.line for f in found[-2:]] == [3000, 3000]
    assert all(text[f.start : f.end] == f.text for f in found)


def test_a_long_run_of_combining_marks_is_one_cluster_and_transliterates_whole():
    text = "a" + "\u0301" * 50_000 + "b\u0301c"
    assert _clusters(text) == ["a" + "\u0301" * 50_000, "b\u0301", "c"]
    assert _clusters("\u0301x") == ["\u0301", "x"]
    assert transliterate_gsm("b\u0301c")[0] == "bc"


# --- Bytes that are not UTF-8, links and files outside the folder -------------------------------


@pytest.mark.parametrize("name", ["keywords.yaml", "responses/es/labor.txt"])
def test_bytes_that_are_not_utf8_are_one_problem_naming_file_and_line(library, name):
    path = library / name
    path.write_bytes(path.read_bytes().replace(b"\n", b"\nbad \xff byte\n", 1))
    [(file, line, message)] = problems_of(library)
    assert (file, line) == (name, 2)
    assert message.startswith("byte 0xff (column 5) is not UTF-8 text: save the file as UTF-8")


def test_a_symlinked_reply_is_refused_and_never_followed(library, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret 911", encoding="utf-8")
    (library / "responses/en/labor.txt").unlink()
    (library / "responses/en/labor.txt").symlink_to(outside)
    (library / "responses/en/housing.txt").unlink()
    (library / "responses/en/housing.txt").symlink_to(library / "responses/es/housing.txt")
    problems = problems_of(library)
    assert [p[:2] for p in problems] == [
        ("responses/en/housing.txt", 0),
        ("responses/en/labor.txt", 0),
    ]
    assert all("is a symbolic link" in p[2] for p in problems)


def test_a_symlinked_keywords_yaml_is_refused(library):
    (library / "real.yaml").write_text(KEYWORDS, encoding="utf-8")
    (library / "keywords.yaml").unlink()
    (library / "keywords.yaml").symlink_to(library / "real.yaml")
    [(file, _line, message)] = problems_of(library)
    assert file == "keywords.yaml" and "symbolic link" in message


def test_a_language_folder_linked_outside_the_library_is_refused(library, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (library / "responses/es").rename(elsewhere)
    (library / "responses/es").symlink_to(elsewhere)
    problems = problems_of(library)
    assert problems and all(p[0].startswith("responses/es/") for p in problems)
    assert all("is outside the library folder" in p[2] for p in problems)


def test_a_file_that_is_not_plain_is_refused_without_blocking(library):
    (library / "responses/en/labor.txt").unlink()
    os.mkfifo(library / "responses/en/labor.txt")  # opening it to read would wait for a writer
    [(file, _line, message)] = problems_of(library)
    assert file == "responses/en/labor.txt" and message.startswith("is not a plain file")


def test_export_never_writes_outside_its_folder_or_through_a_link(tmp_path):
    target = tmp_path / "export"
    with pytest.raises(LibraryError):
        write_bundle({"../escaped.txt": "x"}, target)
    assert not (tmp_path / "escaped.txt").exists()
    (tmp_path / "linked.txt").symlink_to(tmp_path / "nowhere")
    with pytest.raises(LibraryError):
        write_bundle({"responses/../../linked.txt": "x"}, target)
    assert not (tmp_path / "nowhere").exists()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (target / "responses/en").mkdir(parents=True)
    (target / "responses/en/labor.txt").symlink_to(victim)
    write_bundle({"responses/en/labor.txt": "new 911"}, target)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert (target / "responses/en/labor.txt").read_text(encoding="utf-8") == "new 911"


# --- Messages an operator can act on ----------------------------------------------------------


def test_the_same_keyword_twice_in_one_topic_names_the_topic_once_and_both_lines():
    keywords = KEYWORDS.replace("en: [wages, pay, passport]", "en: [wages, pay,\n  Wages]")
    assert problems_of(bundle(keywords)) == [
        ("keywords.yaml", 13, "keyword 'Wages' (en) is listed twice in 'labor' (lines 12 and 13)")
    ]


def test_a_keyword_in_two_topics_names_both_lines():
    keywords = KEYWORDS.replace("es: [vivienda]", "es: [vivienda,\n   salario]")
    assert problems_of(bundle(keywords)) == [
        (
            "keywords.yaml",
            20,
            "keyword 'salario' (es) is listed under both 'labor' (line 13) and 'housing' (line 20)",
        )
    ]


@pytest.mark.parametrize(
    ("written", "reads_as"),
    [
        ("no", "as true or false"),
        ("yes", "as true or false"),
        ("on", "as true or false"),
        ("211", "as a number"),
    ],
)
def test_an_unquoted_word_yaml_reads_as_no_text_says_to_put_it_in_quotes(written, reads_as):
    keywords = KEYWORDS.replace("en: [wages, pay, passport]", f"en: [wages, {written}, pay]")
    assert problems_of(bundle(keywords)) == [
        (
            "keywords.yaml",
            12,
            f"topic 'labor', keywords, en: YAML reads {written} {reads_as}, not as text: "
            f"put it in quotes, like '{written}'",
        )
    ]


def test_no_schema_error_uses_pydantics_words():
    keywords = (
        KEYWORDS.replace("menu: 1", 'menu: "1"\n    colour: red')
        .replace("id: housing", "id: Housing")
        .replace(
            "  - id: stop\n    silent: true", "  - id: stop\n    silent: maybe\n    priority: 12"
        )
        .replace("es: [hola]", "es: hola")
    )
    messages = [p[2] for p in problems_of(bundle(keywords))]
    assert messages == [
        "topic 'labor', menu: write the number 1 without quotes",
        "topic 'labor', colour: unknown setting 'colour': check its spelling and indentation",
        "topic 'Housing', id: 'Housing' is not a usable topic id: use small letters, digits, - "
        "and _, starting with a letter",
        "topic 'menu', keywords, es: expected a list, like [one, two] or one '- item' per line",
        "topic 'stop', silent: expected true or false, written without quotes",
        "topic 'stop', priority: 12 is out of range: it must be at most 9",
    ]
    pydantic = re.compile(r"Input should|Extra inputs|String should|validation error|topics\.\d")
    assert not any(pydantic.search(m) for m in messages)


# --- Look-alikes an operator accepted -------------------------------------------------------


def test_an_accepted_lookalike_pair_is_quiet_and_a_stale_marker_is_a_warning():
    registry = load_registry(
        HOTLINE_AND_911 + '  - id: wa-211\n    number: "211"\n'
        "    what: 211\n    source: t\n    verified: 2026-11-24\n"
    )
    alike = KEYWORDS.replace("en: [housing, shelter]", "en: [housing, shelter, passports]")
    [warning] = check_library(load_library(bundle(alike)), registry, TODAY).problems
    assert "'passport'" in warning.message and "accepted_lookalikes" in warning.message

    for where in ("  - id: housing\n", "  - id: labor\n"):
        word, other = ("passports", "passport") if "housing" in where else ("passport", "passports")
        marked = alike.replace(
            where, f"{where}    accepted_lookalikes: {{en: {{{word}: [{other}]}}}}\n"
        )
        assert check_library(load_library(bundle(marked)), registry, TODAY).problems == ()

    stale = KEYWORDS.replace(
        "  - id: housing\n", "  - id: housing\n    accepted_lookalikes: {en: {shelter: [pay]}}\n"
    )
    [warning] = check_library(load_library(bundle(stale)), registry, TODAY).problems
    assert warning.severity == "warning" and warning.line == 14
    assert "accepted_lookalikes of 'housing' (en): 'shelter' and 'pay'" in warning.message


def test_the_shipped_library_checks_with_no_warnings():
    shipped = load_library(transliterate_library(read_bundle(ROOT))[0])
    registry = load_registry_file(ROOT / "numbers.yaml")
    day_after = max(e.verified for e in registry.entries) + dt.timedelta(days=1)
    report = check_library(shipped, registry, day_after)
    # The registry's own dating warnings come and go with the calendar; the library's must not.
    assert [p for p in report.problems if p.file != registry.file] == []
