"""Editing keywords.yaml topic by topic keeps every other line as the operators wrote it."""

from __future__ import annotations

import copy
import difflib

import pytest

from bot.console.editing import (
    EditError,
    TopicFields,
    delete_topic,
    locator,
    read_topics,
    set_topic,
)
from bot.core.library import load_library, read_bundle
from bot.settings import PROJECT_ROOT


@pytest.fixture
def bundle():
    return read_bundle(PROJECT_ROOT)


def _changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_saving_a_topic_unchanged_touches_only_that_topics_lines(bundle):
    labor = next(t for t in read_topics(bundle) if t.id == "labor")
    after = set_topic(bundle, "labor", labor)
    assert load_library(after).topic("labor") == load_library(bundle).topic("labor")
    before_lines = bundle["keywords.yaml"].splitlines()
    start = before_lines.index("  - id: labor")
    end = before_lines.index("  - id: housing")
    # The other topics and every comment outside labor are byte for byte the same.
    after_lines = after["keywords.yaml"].splitlines()
    assert after_lines[:start] == before_lines[:start]
    assert after_lines[after_lines.index("  - id: housing") :] == before_lines[end:]


def test_a_new_keyword_and_reply_load_as_typed(bundle):
    labor = next(t for t in read_topics(bundle) if t.id == "labor")
    labor.keywords["es"].append("patrón: malo")  # a colon needs quoting in YAML
    labor.replies["es"] = "Llame al 1-888-373-7888."
    library = load_library(set_topic(bundle, "labor", labor))
    assert "patrón: malo" in library.topic("labor").keywords["es"]
    assert library.reply("labor", "es") == "Llame al 1-888-373-7888."


def test_add_then_delete_a_topic(bundle):
    languages = load_library(bundle).languages
    new = TopicFields(
        id="tools",
        # A new topic needs keywords and a reply in every language of the library.
        keywords={lang: ["llave inglesa" if lang == "es" else "wrench"] for lang in languages},
        replies={lang: "Llame al 211." if lang == "es" else "Call 211." for lang in languages},
    )
    added = set_topic(bundle, None, new)
    assert load_library(added).topic("tools").keywords["es"] == ("llave inglesa",)
    removed = delete_topic(added, "tools")
    assert "tools" not in {t.id for t in load_library(removed).topics}
    assert not [n for n in removed if n.endswith("/tools.txt")]


def test_a_topic_id_taken_or_malformed_is_refused(bundle):
    with pytest.raises(EditError, match="already a topic"):
        set_topic(bundle, None, TopicFields(id="labor"))
    with pytest.raises(EditError, match="lower-case"):
        set_topic(bundle, None, TopicFields(id="Bad Id"))


def test_the_locator_places_problems_at_topic_field_and_language(bundle):
    where = locator(bundle)
    lines = bundle["keywords.yaml"].splitlines()
    labor = lines.index("  - id: labor") + 1
    es_line = next(i for i in range(labor, len(lines)) if lines[i - 1].strip().startswith("es: ["))
    assert where("keywords.yaml", labor).topic == "labor"
    found = where("keywords.yaml", es_line)
    assert (found.topic, found.field, found.lang) == ("labor", "keywords", "es")
    reply = where("responses/es/housing.txt", 1)
    assert (reply.topic, reply.field, reply.lang) == ("housing", "reply", "es")
    assert where("numbers.yaml", 3).topic is None


def test_a_reply_edit_leaves_keywords_yaml_byte_for_byte(bundle):
    labor = next(t for t in read_topics(bundle) if t.id == "labor")
    labor.replies["es"] = "Llame al 1-888-373-7888."
    assert set_topic(bundle, "labor", labor)["keywords.yaml"] == bundle["keywords.yaml"]


def test_a_new_keyword_changes_only_the_lines_of_its_list(bundle):
    emergency = next(t for t in read_topics(bundle) if t.id == "emergency")
    emergency.keywords["en"] = [*emergency.keywords["en"], "zzyzx"]
    after = set_topic(bundle, "emergency", emergency)["keywords.yaml"]
    changed = _changed_lines(bundle["keywords.yaml"], after)
    assert len(changed) == 2 and changed[1].rstrip().endswith("zzyzx]")
    # The inline comment on the emergency's segment_budget line is still there.
    assert "segment_budget: 1      # the emergency reply must fit one SMS" in after


#: Topics of the bundled library written in each way an edit must respect: comments inside and
#: between lists (emergency), a key before the title (disaster), accepted look-alikes (labor),
#: escalates (violence).
SHAPES = ("emergency", "disaster", "labor", "violence")


@pytest.fixture(scope="module")
def shapes_bundle():
    """The bundled library cut down to the SHAPES topics (with menu and stop): its header and
    those topics' blocks byte for byte, their replies, no danger words. Each of the 32 edits
    below parses keywords.yaml a few times; on the whole file they took a minute."""
    full = read_bundle(PROJECT_ROOT)
    lines = full["keywords.yaml"].splitlines(keepends=True)
    danger, topics = lines.index("danger:\n"), lines.index("topics:\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("  - id:")]
    kept = {*SHAPES, "menu", "stop"}
    blocks = [
        lines[start:end]
        for start, end in zip(starts, [*starts[1:], len(lines)], strict=True)
        if lines[start].split()[2] in kept
    ]
    text = "".join(lines[:danger] + lines[topics : topics + 1] + [ln for b in blocks for ln in b])
    dropped = {line.split()[2] for line in lines if line.startswith("  - id:")} - kept
    files = {  # every other file as it is: the languages' own files, the fallback replies
        path: content
        for path, content in full.items()
        if path != "keywords.yaml" and path.rsplit("/", 1)[-1].removesuffix(".txt") not in dropped
    }
    return {"keywords.yaml": text, **files}


@pytest.mark.parametrize("topic_id", SHAPES)
def test_each_list_can_grow_and_shrink_leaving_the_rest_as_written(shapes_bundle, topic_id):
    bundle = shapes_bundle
    # Held while the edits are loaded, as the console's live library is: the examples, which no
    # edit here changes, are parsed once (bot.core.examples._LastParsed).
    library = load_library(bundle)
    base = library.topic(topic_id)
    topic = next(t for t in read_topics(bundle) if t.id == topic_id)
    for name in ("keywords", "context"):
        for lang, words in getattr(topic, name).items():
            grown = copy.deepcopy(topic)
            getattr(grown, name)[lang] = [*words, "zzyzx"]
            after = set_topic(bundle, topic_id, grown)
            changed = _changed_lines(bundle["keywords.yaml"], after["keywords.yaml"])
            assert 2 <= len(changed) <= 4, (topic_id, name, lang, changed)
            assert "zzyzx" in getattr(load_library(after).topic(topic_id), name)[lang]

            shrunk = copy.deepcopy(topic)
            getattr(shrunk, name)[lang] = words[1:]
            after = set_topic(bundle, topic_id, shrunk)
            changed = _changed_lines(bundle["keywords.yaml"], after["keywords.yaml"])
            # Only the lines of that one list: its "lang: [" line and its continuations.
            assert all(
                line[1:].strip().startswith(f"{lang}: [") or line[1:].startswith(" " * 8)
                for line in changed
            ), (topic_id, name, lang, changed)
            loaded = load_library(after).topic(topic_id)
            # Keys the form does not edit (escalates, accepted look-alikes) are kept.
            assert loaded.escalates == base.escalates
            assert loaded.accepted_lookalikes == base.accepted_lookalikes


def test_deleting_a_topic_takes_its_back_translations_with_it(bundle):
    with_back = {**bundle, "back-translations/es/housing.txt": "Housing: call 211."}
    removed = delete_topic(with_back, "housing")
    assert not [n for n in removed if n.endswith("/housing.txt")]
    assert "responses/es/language.yaml" in removed  # the language's own file stays
