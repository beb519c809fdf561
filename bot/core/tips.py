"""Tips: a text about someone else's trouble, not the writer's, gets the topic that takes tips."""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from bot.core.text import tokenize
from bot.core.yamlfile import Lines

#: A tip names someone else at least this often ("her boss took her phone"): one "he" alone is
#: mostly the boss in a worker's own story ("he doesnt pay me").
MIN_SOMEONE_ELSE_WORDS = 2


@dataclass(frozen=True)
class TipWords:
    """The `tips:` section of keywords.yaml, its words normalised (one word each)."""

    #: the topic that answers tips ("" = no tip rule)
    answer: str = ""
    #: topics whose texts are answered by `answer` when they are about someone else
    from_topics: frozenset[str] = frozenset()
    #: language -> words that name another person ("she", "his", "sister"; "ella", "hermana")
    someone_else: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    #: language -> words that name the writer ("i", "my", "we"; "yo", "mi", "nos")
    writer: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))


def tip_answer(topic: str, words: Sequence[str], lang: str, tips: TipWords) -> str | None:
    """The topic answering a text about someone else, or None if it is the writer's own story.

    A text is about someone else when it names another person at least twice and more often than
    it names the writer: "my sister's boss took her phone and she works for nothing" is a tip,
    "my boss took my passport and he won't pay me" is the writer's own trouble.
    """
    if not tips.answer or topic not in tips.from_topics:
        return None
    others = tips.someone_else.get(lang, frozenset())
    own = tips.writer.get(lang, frozenset())
    named_others = sum(w in others for w in words)
    named_self = sum(w in own for w in words)
    if named_others >= MIN_SOMEONE_ELSE_WORDS and named_others > named_self:
        return tips.answer
    return None


class TipsSpec(BaseModel):
    """The `tips:` section of keywords.yaml as written."""

    model_config = ConfigDict(extra="forbid", strict=True)

    answer: str
    from_topics: list[str] = Field(alias="from", min_length=1)
    someone_else: dict[str, list[str]] = Field(min_length=1)
    writer: dict[str, list[str]] = Field(default_factory=dict)


def tip_words(
    spec: TipsSpec | None,
    topics: Collection[str],
    languages: Sequence[str],
    lines: Lines,
    error: Callable[[int, str], None],
) -> TipWords:
    """The `tips:` section, checked: known topics and languages, one word per entry; each problem
    is reported to `error` with its line."""
    if spec is None:
        return TipWords()
    for key, named in (("answer", [spec.answer]), ("from", spec.from_topics)):
        for k, topic in enumerate(named):
            if topic not in topics:
                where = lines.of(("tips", key) if key == "answer" else ("tips", key, k))
                error(where, f"tips {key}: unknown topic {topic!r}")
    if spec.answer in spec.from_topics:
        error(lines.of(("tips", "from")), "tips: a topic cannot take its own tips")
    lists: dict[str, dict[str, frozenset[str]]] = {"someone_else": {}, "writer": {}}
    for name, per_lang in (("someone_else", spec.someone_else), ("writer", spec.writer)):
        for lang, entries in per_lang.items():
            if lang not in languages:
                error(lines.of(("tips", name, lang)), f"tips {name}: unknown language {lang!r}")
                continue
            words = set()
            for k, entry in enumerate(entries):
                found = tokenize(entry)
                if len(found) != 1:
                    error(
                        lines.of(("tips", name, lang, k)),
                        f"tips {name} {lang}: {entry!r} must be one word",
                    )
                words.update(found)
            lists[name][lang] = frozenset(words)
    return TipWords(
        answer=spec.answer,
        from_topics=frozenset(spec.from_topics),
        someone_else=MappingProxyType(lists["someone_else"]),
        writer=MappingProxyType(lists["writer"]),
    )
