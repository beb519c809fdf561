"""Examples as library content: loaded with the library, checked by file and line, hostile files refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.core.examples import MAX_EXAMPLES_BYTES, MAX_PROBLEMS_PER_FILE
from bot.core.examples_reader import ReaderError, coverage_warnings, library_reader
from bot.core.library import LibraryError, load_library, read_bundle
from bot.core.matcher import build_matcher, match
from bot.core.reader_checks import compare_libraries, reader_problems
from tests.app_library import bundle

LABOR_EN = "my boss did not pay me\nthey owe me three weeks of wages\nno paycheck since june\n"
LABOR_ES = "el patron no me paga\nme deben tres semanas\n"
EMERGENCY_EN = (
    "he has a gun and is coming\nthey locked us in the trailer\nhe is choking her right now\n"
)
EMERGENCY_ES = "tiene una pistola\nnos encerraron en el cuarto\n"
HOUSING_EN = "where can i sleep tonight\nthe landlord threw us out\n"


def with_examples(**files: str) -> dict[str, str]:
    """The test library with examples files: labor_en="..." -> examples/en/labor.txt;
    heldout__labor_en -> examples/heldout/en/labor.txt; a path with '/' is taken as it is."""
    out = bundle()
    for key, text in files.items():
        if "/" in key:
            out[key] = text
            continue
        held = key.startswith("heldout__")
        topic, lang = key.removeprefix("heldout__").rsplit("_", 1)
        out[f"examples/{'heldout/' if held else ''}{lang}/{topic}.txt"] = text
    return out


def good() -> dict[str, str]:
    return with_examples(
        labor_en=LABOR_EN,
        labor_es=LABOR_ES,
        emergency_en=EMERGENCY_EN,
        emergency_es=EMERGENCY_ES,
        housing_en=HOUSING_EN,
    )


def problems_of(files: dict[str, str]) -> list[str]:
    with pytest.raises(LibraryError) as caught:
        load_library(files)
    return [str(p) for p in caught.value.problems]


def test_examples_load_with_the_library_by_topic_language_file_and_line():
    library = load_library(good())
    labor = [e for e in library.examples.train if e.topic == "labor" and e.lang == "es"]
    assert [(e.text, e.file, e.line) for e in labor] == [
        ("el patron no me paga", "examples/es/labor.txt", 1),
        ("me deben tres semanas", "examples/es/labor.txt", 2),
    ]
    assert library.examples.covered["housing"] == frozenset({"en"})


def test_comments_and_blank_lines_are_not_examples():
    library = load_library(
        with_examples(labor_en="# pay\n\nmy boss did not pay me\n", emergency_en="gun\n")
    )
    assert [e.text for e in library.examples.train if e.topic == "labor"] == [
        "my boss did not pay me"
    ]


def test_the_same_text_under_two_topics_is_named_with_both_files_and_lines():
    files = with_examples(
        labor_en=LABOR_EN, housing_en="where can i sleep\nMy boss did NOT pay me!\n"
    )
    assert problems_of(files) == [
        "examples/en/labor.txt:1: error: the same text is listed for 'housing' at "
        "examples/en/housing.txt:2"
    ]


def test_a_text_twice_in_one_file_is_named_with_both_lines():
    files = with_examples(labor_en="no pay\nsomething else\nno pay\n")
    assert problems_of(files) == ["examples/en/labor.txt:3: error: the same text as line 1"]


def test_a_link_and_a_control_character_are_refused_at_their_line():
    files = with_examples(
        labor_en="no pay\nclaim it at https://example.org/x\nsee www.pay.com\nbad\x07bell\n"
    )
    assert problems_of(files) == [
        "examples/en/labor.txt:2: error: an example may not hold a link: write the text people send",
        "examples/en/labor.txt:3: error: an example may not hold a link: write the text people send",
        "examples/en/labor.txt:4: error: an example holds a control character",
    ]


def test_examples_in_the_wrong_place_are_refused():
    files = with_examples(
        **{"examples/en/deep/labor.txt": "hello\n", "examples/en/labor.csv": "hello\n"}
    )
    messages = problems_of(files)
    assert len(messages) == 2
    assert all("unexpected file among the examples" in m for m in messages)


def test_examples_of_a_topic_or_language_the_library_lacks_are_left_out_with_a_warning():
    files = with_examples(
        labor_en=LABOR_EN,
        emergency_en=EMERGENCY_EN,
        **{"examples/en/nosuch.txt": "hello there\n", "examples/xx/labor.txt": "hola\n"},
    )
    library = load_library(files)
    assert {e.topic for e in library.examples.train} == {"labor", "emergency"}
    assert sorted(str(p) for p in library.load_warnings) == [
        "examples/en/nosuch.txt: warning: examples for topic 'nosuch', which keywords.yaml does "
        "not have: left out",
        "examples/xx/labor.txt: warning: examples in language 'xx', which keywords.yaml does not "
        "list: left out",
    ]


def test_an_examples_file_over_its_cap_is_refused_before_it_is_read():
    huge = "no pay\n" * (MAX_EXAMPLES_BYTES // 7 + 10)
    assert problems_of(with_examples(labor_en=huge)) == [
        f"examples/en/labor.txt: error: the file is {len(huge.encode()):,} bytes; a file of the "
        f"library may be at most {MAX_EXAMPLES_BYTES:,} bytes ({MAX_EXAMPLES_BYTES // 1024:,} KB): "
        "shorten it"
    ]


def test_thousands_of_duplicates_are_refused_quickly_with_a_few_lines_named():
    files = with_examples(labor_en="no pay\n" * 60_000)
    start = time.perf_counter()
    messages = problems_of(files)
    assert time.perf_counter() - start < 5  # a generous bound: it takes a fraction of a second
    assert messages == [
        "examples/en/labor.txt: error: 59999 problems in this file, the first 5 named",
        *(
            f"examples/en/labor.txt:{n}: error: the same text as line 1"
            for n in range(2, MAX_PROBLEMS_PER_FILE + 2)
        ),
    ]


def test_bad_bytes_and_a_symbolic_link_among_the_examples_are_refused(tmp_path: Path):
    for name, text in bundle().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "examples" / "en").mkdir(parents=True)
    (tmp_path / "examples" / "en" / "labor.txt").write_bytes(b"no pay\nbad \xff byte\n")
    outside = tmp_path.parent / "outside.txt"
    outside.write_text("no pay\n")
    (tmp_path / "examples" / "en" / "housing.txt").symlink_to(outside)
    with pytest.raises(LibraryError) as caught:
        read_bundle(tmp_path)
    messages = [str(p) for p in caught.value.problems]
    assert messages[0].startswith("examples/en/housing.txt: error: is a symbolic link")
    assert messages[1].startswith("examples/en/labor.txt:2: error: byte 0xff (column 5)")


def test_a_held_out_text_also_learned_from_is_warned_about():
    library = load_library(
        with_examples(
            labor_en=LABOR_EN,
            emergency_en=EMERGENCY_EN,
            heldout__labor_en="no paycheck since june\n",
        )
    )
    assert [str(p) for p in library.load_warnings] == [
        "examples/heldout/en/labor.txt:1: warning: held out but also learned from "
        "(examples/en/labor.txt:3)"
    ]
    assert [e.text for e in library.examples.heldout] == ["no paycheck since june"]


def test_a_topic_without_examples_still_works_through_its_rules_and_the_check_warns():
    library = load_library(good())
    matcher = build_matcher(library)
    assert match("shelter", matcher).topic == "housing"  # a keyword; no es housing examples
    warned = [str(p) for p in coverage_warnings(library)]
    assert (
        "examples/es/housing.txt: warning: no es examples for 'housing': its texts are read by the keywords alone"
        in warned
    )
    assert all("stop" not in w for w in warned)


def test_a_library_without_examples_has_no_reader_and_matches_by_rules():
    library = load_library(bundle())
    assert library_reader(library) is None
    assert build_matcher(library).reader is None
    assert match("my boss took my passport", build_matcher(library)).topic == "labor"


def test_a_reader_that_cannot_be_trained_is_an_error_of_the_check(monkeypatch):
    import bot.core.examples_reader as examples_reader

    def broken(training, saved=None):
        raise FloatingPointError("overflow")

    monkeypatch.setattr(examples_reader, "_trained", broken)
    library = load_library(good())
    with pytest.raises(ReaderError):
        build_matcher(library)
    assert build_matcher(library, reader=False).reader is None
    errors = [p for p in reader_problems(library) if p.severity == "error"]
    assert [p.message for p in errors] == [
        "the reader could not be trained from the examples: overflow"
    ]


def test_a_draft_that_loses_held_out_emergencies_is_refused_and_a_worse_one_warned():
    heldout = {
        "heldout__emergency_en": "he has a gun in the trailer\nthey locked us in\n",
        "heldout__labor_en": "no pay for weeks\n",
    }
    live = load_library(good() | with_examples(**heldout))
    assert compare_libraries(live, live) == []
    # A draft whose examples call guns and locks a matter of pay.
    draft = load_library(
        with_examples(
            labor_en=LABOR_EN
            + "he has a gun\nwe are locked in the trailer\nthey locked us in the room\n",
            emergency_en="help help\nemergency now\n",
            housing_en=HOUSING_EN,
            **heldout,
        )
    )
    problems = compare_libraries(draft, live)
    assert [p.severity for p in problems] == ["error", "warning"]
    assert "held-out emergencies" in problems[0].message


def test_a_library_checked_again_is_measured_once_and_an_edited_one_again(monkeypatch):
    from bot.core import reader_checks

    heldout = {
        "heldout__emergency_en": "he pulled a knife in the bunkhouse\n",
        "heldout__labor_en": "the crew boss kept our last two checks\n",
    }
    live = load_library(good() | with_examples(**heldout))
    draft_files = good() | with_examples(**heldout, housing_en=HOUSING_EN + "no place tonight\n")
    built: list[str] = []
    real = reader_checks.build_matcher
    monkeypatch.setattr(
        reader_checks,
        "build_matcher",
        lambda library, **kw: built.append(library.digest) or real(library, **kw),
    )
    first = compare_libraries(load_library(draft_files), live)
    assert sorted(built) == sorted([load_library(draft_files).digest, live.digest])
    assert compare_libraries(load_library(draft_files), live) == first
    assert len(built) == 2  # the console's next page: neither measured again
    edited = load_library(draft_files | {"responses/en/housing.txt": "Housing: call 211 now."})
    compare_libraries(edited, live)
    assert built[2:] == [edited.digest]  # only the edited draft; the live one is remembered


def test_the_same_text_for_the_same_topic_in_two_languages_is_learned_once():
    library = load_library(good() | with_examples(labor_es=LABOR_ES + "my boss did not pay me\n"))
    texts = [e.text for e in library.examples.train if e.topic == "labor"]
    assert texts.count("my boss did not pay me") == 1


def test_a_reader_is_kept_while_in_use_or_the_last_trained_never_more():
    import gc
    import weakref

    library = load_library(good())
    first = library_reader(library)
    assert library_reader(library) is first  # the check, then going live: trained once
    assert library_reader(load_library(good())).weights is first.weights
    gone = weakref.ref(first)
    del first, library
    smaller = with_examples(labor_en=LABOR_EN, housing_en=HOUSING_EN)
    other = library_reader(load_library(smaller))
    gc.collect()
    assert gone() is None  # neither in use nor the last trained: its weights are freed
    assert library_reader(load_library(smaller)).weights is other.weights


def test_a_reader_found_again_holds_the_examples_of_the_library_that_asks():
    checked, live = load_library(good()), load_library(good())
    first, again = library_reader(checked), library_reader(live)
    assert again.weights is first.weights
    assert again.examples == first.examples
    own = {id(e) for e in live.examples.train}
    assert all(id(e) in own for e in again.examples)  # one copy of the texts in memory


def test_the_same_examples_loaded_again_are_shared_and_their_problems_said_again():
    from bot.core.library import load_library_partly

    files = good() | {"examples/en/labor.txt": LABOR_EN + "see www.example.com\n"}
    first, first_problems = load_library_partly(files)
    again, again_problems = load_library_partly(dict(files))
    assert first is not None and again is not None
    assert again.examples is first.examples  # parsed once, held once
    assert [p for p in again_problems if "link" in p.message]
    assert again_problems == first_problems
    other, _ = load_library_partly(good())
    assert other is not None and other.examples is not first.examples
