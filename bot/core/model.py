"""The response library as immutable values: Topic and Library."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from bot.core.bundle import KEYWORDS_FILE, Bundle
from bot.core.danger import DangerWords
from bot.core.examples import Examples
from bot.core.languages import Language, folded_opt_out_words
from bot.core.problems import Problem
from bot.core.recordings import Recording
from bot.core.tips import TipWords
from bot.core.topics import OTHER_LANGUAGE_TOPIC
from bot.core.yamlfile import parse_yaml

MENU_PLACEHOLDER = "{menu}"
DEFAULT_SEGMENT_BUDGET = 3


@dataclass(frozen=True)
class Topic:
    """One subject the bot can answer: its keywords and its reply, per language."""

    id: str
    keywords: Mapping[str, tuple[str, ...]]
    replies: Mapping[str, str]
    menu: int | None = None
    titles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    segment_budget: int = DEFAULT_SEGMENT_BUDGET
    silent: bool = False
    #: A topic named by a keyword outranks named topics of lower priority (emergency outranks all).
    priority: int = 0
    #: A keyword of this topic next to an emergency context word ("right now", "ahorita") makes
    #: the text an emergency: "he is touching her right now" is no longer only about `violence`.
    escalates: bool = False
    #: Weak keywords: words that set a scene ("hotel", "rancho") count half, and only tip the
    #: balance; an emergency context word ("right now") never overrides other topics as emergency
    #: keywords do, it only escalates a topic marked `escalates`.
    context: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    #: Look-alikes an operator checked and keeps, per language: this topic's keyword -> the other
    #: topics' keywords it resembles. The check stays quiet about these pairs.
    accepted_lookalikes: Mapping[str, Mapping[str, tuple[str, ...]]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    #: Languages whose reply publish keeps as written (accents and all) instead of transliterating.
    keep_accents: tuple[str, ...] = ()
    line: int = field(default=0, compare=False, repr=False)
    #: the topic sets its own segment_budget, which then outranks a language's
    own_budget: bool = False

    def all_keywords(self, lang: str) -> tuple[str, ...]:
        """Keywords and context words of one language."""
        return (*self.keywords.get(lang, ()), *self.context.get(lang, ()))


@dataclass(frozen=True)
class Library:
    """A complete, loaded response library; never mutated, replaced whole on reload."""

    topics: tuple[Topic, ...]
    languages: tuple[str, ...]
    bundle: Bundle = field(compare=False, repr=False)
    digest: str = ""
    #: The spoken message of calls per language (responses/<lang>/voice.txt); empty if none.
    voice: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: The recording of the spoken message per language (responses/<lang>/voice.mp3|wav),
    #: played instead of saying voice.txt; bot.core.recordings.
    recordings: Mapping[str, Recording] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, repr=False
    )
    #: The danger word families (keywords.yaml `danger:`), read by bot.core.danger.
    danger: DangerWords = field(default_factory=DangerWords)
    #: Texts about someone else answered by the topic that takes tips (keywords.yaml `tips:`).
    tips: TipWords = field(default_factory=TipWords)
    #: Example texts per topic and language (examples/), which the reader learns from.
    examples: Examples = field(default_factory=Examples, compare=False, repr=False)
    #: Warnings found while loading (examples held out and learned from), for the check to report.
    load_warnings: tuple[Problem, ...] = field(default=(), compare=False, repr=False)
    #: Each language's own file (responses/<lang>/language.yaml), by code; bot.core.languages.
    language_info: Mapping[str, Language] = field(default_factory=lambda: MappingProxyType({}))
    #: The one reply to a text in a language the library lacks (responses/other-language.txt);
    #: empty when the library has none, and such texts are then answered in the default language.
    other_language: str = ""
    #: keywords.yaml's segment_budget: a reply's budget where neither its topic nor its language
    #: sets one
    default_budget: int = DEFAULT_SEGMENT_BUDGET

    @cached_property
    def by_id(self) -> Mapping[str, Topic]:
        """Topics keyed by id."""
        return MappingProxyType({t.id: t for t in self.topics})

    @cached_property
    def by_menu_number(self) -> Mapping[int, Topic]:
        """Numbered menu topics keyed by their number."""
        return MappingProxyType({t.menu: t for t in self.topics if t.menu is not None})

    @property
    def default_language(self) -> str:
        """The language used when a message gives no sign of another."""
        return self.languages[0]

    def topic(self, topic_id: str) -> Topic:
        """The topic with this id."""
        return self.by_id[topic_id]

    def reply(self, topic_id: str, lang: str) -> str | None:
        """The reply text for a topic in a language, or None for a silent topic; the
        other-language reply for OTHER_LANGUAGE_TOPIC, whatever the language."""
        if topic_id == OTHER_LANGUAGE_TOPIC and self.other_language:
            return self.other_language
        topic = self.by_id[topic_id]
        if topic.silent:
            return None
        return topic.replies.get(lang) or topic.replies[self.default_language]

    def language(self, lang: str) -> Language:
        """A language's own file as loaded; a language without one has its code as name."""
        return self.language_info.get(lang) or Language(code=lang, name=lang)

    def segment_budget(self, topic_id: str, lang: str) -> int:
        """The most SMS segments a topic's reply may take in a language: the topic's own
        segment_budget if it sets one, else the language's, else keywords.yaml's."""
        topic = self.by_id[topic_id]
        if topic.own_budget:
            return topic.segment_budget
        return self.language(lang).segment_budget or topic.segment_budget

    @cached_property
    def opt_out_words(self) -> frozenset[str]:
        """The extra opt-out words of every language (language.yaml opt_out), folded."""
        return folded_opt_out_words(self.language_info)

    def voice_reply(self, lang: str) -> str | None:
        """The spoken message of calls in a language, or None when the library has none."""
        return self.voice.get(lang)

    def keyword_line(self, topic_id: str, lang: str, keyword: str) -> int:
        """The line of keywords.yaml where a keyword is written (its topic's line if not found)."""
        return self._keyword_lines.get((topic_id, lang, keyword), self.by_id[topic_id].line)

    @cached_property
    def _keyword_lines(self) -> Mapping[tuple[str, str, str], int]:
        # Worked out again only when asked (by checks), so serving workers do not hold a line
        # number for every keyword.
        raw, lines = parse_yaml(self.bundle[KEYWORDS_FILE])
        found: dict[tuple[str, str, str], int] = {}
        for index, topic in enumerate(raw["topics"]):
            for field_name in ("keywords", "context"):
                for lang, words in (topic.get(field_name) or {}).items():
                    for k, word in enumerate(words):
                        key = (topic["id"], lang, word.strip())
                        found[key] = lines.of(("topics", index, field_name, lang, k))
        return MappingProxyType(found)


# --- Reading and writing bundles -------------------------------------------------------------
