"""Loading the library files: the values it builds and every problem it reports, with file and line."""

import gc
import weakref
from pathlib import Path

import pytest
import yaml

from bot.core.library import (
    LibraryError,
    bundle_digest,
    load_library,
    read_bundle,
    write_bundle,
)
from bot.core.yamlfile import parse_yaml

CORE = Path(__file__).resolve().parents[2] / "bot" / "core"

GOOD = """\
languages: [en, es]
segment_budget: 2
topics:
  - id: emergency
    segment_budget: 1
    keywords:
      en: [help me now]
      es: [socorro]
  - id: labor
    menu: 1
    title: {en: Work, es: Trabajo}
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


def bundle_with(keywords=GOOD, **replace):
    bundle = {"keywords.yaml": keywords}
    for topic in ("emergency", "labor", "menu"):
        for lang in ("en", "es"):
            bundle[f"responses/{lang}/{topic}.txt"] = (
                f"Menu:\n{{menu}}\n{lang} 911" if topic == "menu" else f"{topic} {lang} 911\n"
            )
    for path, text in replace.items():
        path = path.replace("__", "/")
        if text is None:
            bundle.pop(path, None)
        else:
            bundle[path] = text
    return bundle


def problems_of(bundle):
    with pytest.raises(LibraryError) as caught:
        load_library(bundle)
    return caught.value.problems


def test_a_good_library_loads_into_topics_with_replies_per_language():
    library = load_library(bundle_with())
    assert [t.id for t in library.topics] == ["emergency", "labor", "menu", "stop"]
    assert library.reply("labor", "es") == "labor es 911"
    assert library.topic("emergency").segment_budget == 1
    assert library.topic("labor").segment_budget == 2
    assert library.reply("stop", "en") is None


def test_the_menu_reply_lists_numbered_topics_in_the_senders_language():
    library = load_library(bundle_with())
    assert library.reply("menu", "en") == "Menu:\n1 Work\nen 911"
    assert library.reply("menu", "es") == "Menu:\n1 Trabajo\nes 911"


def test_an_accented_title_is_kept_for_print_and_sent_as_its_gsm_look_alike_in_the_menu():
    accented = GOOD.replace("es: Trabajo}", "es: Inmigración}")
    library = load_library(bundle_with(accented))
    assert library.topic("labor").titles["es"] == "Inmigración"
    assert library.reply("menu", "es") == "Menu:\n1 Inmigracion\nes 911"


def test_a_menu_reply_kept_in_ucs2_keeps_its_titles_as_written():
    accented = GOOD.replace("es: Trabajo}", "es: Inmigración}")
    library = load_library(
        {**bundle_with(accented), "responses/es/menu.txt": "Menú:\n{menu}\nes 911"}
    )
    assert library.reply("menu", "es") == "Menú:\n1 Inmigración\nes 911"


def test_library_values_cannot_be_changed():
    library = load_library(bundle_with())
    with pytest.raises((AttributeError, TypeError)):
        library.topics[1].replies["en"] = "changed"
    with pytest.raises(AttributeError):
        library.topics = ()


def test_bad_yaml_is_reported_with_its_line():
    [problem] = problems_of(bundle_with(keywords=GOOD + "  - id: [unclosed\n"))
    assert problem.file == "keywords.yaml"
    assert problem.line == 22  # where the parser gave up: the end of the file
    assert "bad YAML" in problem.message and "starts at line 21" in problem.message


def test_every_problem_is_listed_at_once_with_file_and_line():
    broken = GOOD.replace("es: [salario]", "es: [socorro]").replace(
        "menu: 1", "menu: 1\n    colour: red"
    )
    bundle = bundle_with(keywords=broken, responses__es__labor_txt=None)
    problems = problems_of(bundle)
    assert len(problems) == 1  # schema errors stop before the rest could be trusted
    assert problems[0].line == 11 and "colour" in problems[0].message

    problems = problems_of(
        bundle_with(
            keywords=GOOD.replace("es: [salario]", "es: [socorro]"),
            **{"responses__es__labor.txt": None},
        )
    )
    messages = {(p.file, p.line): p.message for p in problems}
    assert (
        "listed under both 'emergency' (line 8) and 'labor' (line 14)"
        in messages[("keywords.yaml", 14)]
    )
    assert "missing translation" in messages[("responses/es/labor.txt", 0)]


def test_unknown_topic_reply_without_keywords_and_empty_reply_are_errors():
    bundle = bundle_with(
        **{"responses__en__ghost.txt": "boo 911", "responses__en__labor.txt": "  \n"}
    )
    bundle["keywords.yaml"] = GOOD.replace("en: [wages]", "en: []")
    messages = [str(p) for p in problems_of(bundle)]
    assert any("responses/en/ghost.txt" in m and "unknown topic 'ghost'" in m for m in messages)
    assert any("responses/en/labor.txt:1" in m and "empty" in m for m in messages)


def test_keywords_without_a_reply_are_a_missing_translation():
    messages = [str(p) for p in problems_of(bundle_with(**{"responses__en__labor.txt": None}))]
    assert messages == [
        "responses/en/labor.txt: error: topic 'labor' has no en reply (missing translation)"
    ]


def test_a_duplicate_keyword_is_an_error_even_in_other_case_or_spacing():
    keywords = GOOD.replace("en: [wages]", "en: [wages, '  Help   me now']")
    [problem] = problems_of(bundle_with(keywords=keywords))
    assert problem.line == 13
    assert problem.message == (
        "keyword '  Help   me now' (en) is listed under both 'emergency' (line 7) "
        "and 'labor' (line 13)"
    )


def test_a_menu_number_clash_is_an_error():
    keywords = GOOD.replace(
        "  - id: menu\n", "  - id: menu\n    menu: 1\n    title: {en: M, es: M}\n"
    )
    [problem] = problems_of(bundle_with(keywords=keywords))
    assert "menu number 1 is used by 'labor' and 'menu'" in problem.message and problem.line == 16


def test_required_topics_and_a_silent_stop_are_enforced():
    keywords = GOOD.replace("  - id: stop\n    silent: true\n", "")
    assert "required topic 'stop' is missing" in str(problems_of(bundle_with(keywords=keywords))[0])


def test_only_an_ordinary_topic_may_escalate_to_an_emergency():
    keywords = GOOD.replace("  - id: menu\n", "  - id: menu\n    escalates: true\n")
    problem = problems_of(bundle_with(keywords=keywords))[0]
    assert "'menu' cannot escalate" in problem.message
    assert problem.line == keywords.splitlines().index("    escalates: true") + 1
    ordinary = GOOD.replace("    menu: 1\n", "    menu: 1\n    escalates: true\n")
    assert load_library(bundle_with(keywords=ordinary)).topic("labor").escalates


def test_export_and_read_back_gives_the_same_bundle_and_digest(tmp_path):
    bundle = bundle_with()
    write_bundle(bundle, tmp_path)
    again = read_bundle(tmp_path)
    assert again == bundle
    assert bundle_digest(again) == load_library(bundle).digest


# --- Lines and YAML features of keywords.yaml, read from parse events ---------------------------


def big_keywords(topics=150, per_topic=40):
    """A large keywords.yaml in both list styles, and the line each keyword is written on."""
    out = GOOD.splitlines()
    where = {}
    for t in range(topics):
        out += [f"  - id: topic{t}", "    keywords:", "      en:"]
        for k in range(per_topic):  # a block list: one keyword per line
            out.append(f"        - word{t}x{k}")
            where[(f"topic{t}", "en", f"word{t}x{k}")] = len(out)
        out.append("      es: [")  # a flow list: several keywords per line, over several lines
        for k in range(0, per_topic, 4):
            words = [f"palabra{t}x{j}" for j in range(k, k + 4)]
            out.append("        " + ", ".join(words) + ",")
            for word in words:
                where[(f"topic{t}", "es", word)] = len(out)
        out[-1] = out[-1].rstrip(",") + "]"
    return "\n".join(out) + "\n", where


def big_bundle(keywords):
    bundle = bundle_with(keywords=keywords)
    for t in range(150):
        for lang in ("en", "es"):
            bundle[f"responses/{lang}/topic{t}.txt"] = f"topic {t} {lang} 911"
    return bundle


def test_a_bad_keyword_deep_in_a_large_file_is_reported_at_its_own_line():
    text, where = big_keywords()
    library = load_library(big_bundle(text))
    line = where[("topic120", "en", "word120x33")]
    assert text.splitlines()[line - 1].strip() == "- word120x33"

    problems = problems_of(big_bundle(text.replace("- word120x33\n", "- '  '\n")))
    assert [(p.line, p.message) for p in problems] == [
        (line, "topic 'topic120' has an empty en keyword")
    ]
    duplicate = text.replace("palabra140x37,", "palabra3x5,")
    [problem] = problems_of(big_bundle(duplicate))
    assert problem.line == where[("topic140", "es", "palabra140x37")]
    first = where[("topic3", "es", "palabra3x5")]
    assert f"'topic3' (line {first}) and 'topic140' (line {problem.line})" in problem.message
    assert (
        library.keyword_line("topic3", "es", "palabra3x5") == where[("topic3", "es", "palabra3x5")]
    )


def test_keyword_line_gives_the_line_of_each_keyword_of_a_large_file():
    text, where = big_keywords()
    library = load_library(big_bundle(text))
    for (topic, lang, word), line in where.items():
        assert library.keyword_line(topic, lang, word) == line
    assert library.keyword_line("labor", "es", "salario") == 14
    assert library.keyword_line("labor", "es", "not a keyword") == library.topic("labor").line == 9


def test_a_schema_error_deep_in_a_large_file_points_at_its_value():
    text, _where = big_keywords()
    lines = text.splitlines()
    at = lines.index("  - id: topic99") + 1
    lines.insert(at, "    priority: 12")
    [problem] = problems_of(big_bundle("\n".join(lines) + "\n"))
    assert problem.line == at + 1
    assert problem.message == "topic 'topic99', priority: 12 is out of range: it must be at most 9"


def test_a_key_written_twice_is_an_error_at_its_second_line():
    keywords = GOOD.replace("    menu: 1\n", "    menu: 1\n    title: {en: W, es: T}\n")
    [problem] = problems_of(bundle_with(keywords=keywords))
    assert (problem.line, problem.message) == (12, "key 'title' is written twice")

    keywords = GOOD.replace("es: [socorro]", "es: [socorro]\n      en: [again]")
    [problem] = problems_of(bundle_with(keywords=keywords))
    assert (problem.line, problem.message) == (9, "key 'en' is written twice")


def test_broken_yaml_later_in_the_file_is_reported_before_a_duplicate_key():
    keywords = GOOD.replace("segment_budget: 2\n", "segment_budget: 2\nsegment_budget: 3\n")
    [problem] = problems_of(bundle_with(keywords=keywords + "  - id: [unclosed\n"))
    assert problem.line == 23 and "bad YAML" in problem.message


def test_anchors_and_aliases_are_refused_at_their_line():
    keywords = GOOD.replace("title: {en: Work", "title: &work {en: Work").replace(
        "  - id: menu\n", "  - id: menu\n    menu: 2\n    title: *work\n"
    )
    [problem] = problems_of(bundle_with(keywords=keywords))
    assert problem.line == 11
    assert problem.message == (
        "bad YAML: anchors and aliases (&name, *name) are not allowed: write the value out in full"
    )
    [problem] = problems_of(bundle_with(keywords=GOOD.replace("es: [salario]", "es: *nowhere")))
    assert problem.line == 14 and "anchors and aliases" in problem.message


def alias_bomb(levels):
    """Ten aliases of the level below on each level: 10**levels strings once expanded."""
    out = ['l0: &l0 ["lol"]']
    for level in range(1, levels + 1):
        out.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "\n".join(out) + "\n"


def test_a_billion_laughs_is_refused_before_a_single_alias_is_expanded(monkeypatch):
    real_parse, events = yaml.parse, []

    def counted_parse(*args, **kwargs):
        for event in real_parse(*args, **kwargs):
            events.append(type(event).__name__)
            yield event

    monkeypatch.setattr(yaml, "parse", counted_parse)
    [problem] = problems_of(bundle_with(keywords=alias_bomb(9) + GOOD))
    assert (problem.file, problem.line) == ("keywords.yaml", 1)
    assert "anchors and aliases" in problem.message
    # Refused at the first anchor: the load read the start of the stream, the document, the
    # top mapping, its first key and the anchored list, and nothing of the billion values.
    assert len(events) <= 6 and "AliasEvent" not in events


def test_lists_nested_deeper_than_the_cap_are_refused():
    deep = GOOD + "extra: " + "[" * 40 + "]" * 40 + "\n"
    [problem] = problems_of(bundle_with(keywords=deep))
    assert problem.line == 21 and "nest deeper than 12 levels" in problem.message


@pytest.mark.parametrize(
    ("change", "line", "detail"),
    [
        (
            ("es: [salario]", "es: [salario]\n      ? [a, b]\n      : c"),
            15,
            "a key must be a single",
        ),
        (("es: [salario]", "es: [2024-13-45]"), 14, "cannot read '2024-13-45'"),
        (
            ("languages: [en, es]", "languages: [en, es]\n---\nb: 2"),
            2,
            "but found another document",
        ),
    ],
)
def test_yaml_the_loader_cannot_use_is_a_bad_yaml_problem_at_its_line(change, line, detail):
    [problem] = problems_of(bundle_with(keywords=GOOD.replace(*change)))
    assert problem.line == line and problem.message.startswith("bad YAML: ")
    assert detail in problem.message


def test_a_parsed_file_is_freed_when_the_load_is_done_without_waiting_for_the_collector():
    gc.disable()
    try:
        raw, lines = parse_yaml(GOOD)
        assert raw["topics"][1]["title"] == {"en": "Work", "es": "Trabajo"}
        gone = weakref.ref(lines)
        del raw, lines
        assert gone() is None  # no reference cycle keeps it (and the file's values) alive
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "bundle",
    [
        {},
        {"keywords.yaml": ""},
        {"b/c.txt": 'q\\"\n\t\x00\x1f\u2028 😀 ñ 老', 'a"b': "\x7f", "examples/en/x.txt": "é"},
    ],
)
def test_the_digest_is_the_sha256_of_the_bundle_as_compact_sorted_json(bundle):
    import hashlib
    import json

    whole = json.dumps(dict(sorted(bundle.items())), ensure_ascii=False, separators=(",", ":"))
    assert bundle_digest(bundle) == hashlib.sha256(whole.encode("utf-8")).hexdigest()
    # the digest of published revisions: computed file by file, it must never change
