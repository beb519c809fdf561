"""The response library as immutable values, and the loader that builds it from operator files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.topics import MENU_TOPIC, STOP_TOPIC, STRUCTURAL_TOPICS
from bot.core.yamlfile import DuplicateKey, parse_yaml

KEYWORDS_FILE = "keywords.yaml"
RESPONSES_DIR = "responses"
MENU_PLACEHOLDER = "{menu}"
DEFAULT_SEGMENT_BUDGET = 3

Severity = Literal["error", "warning"]
#: A library's source: relative file path -> file text, exactly what an operator edits.
Bundle = Mapping[str, str]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a library, located by file and line (line 0 when it has none)."""

    file: str
    line: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


class LibraryError(ValueError):
    """Raised when a library cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


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
    #: Weak keywords: words that set a scene ("hotel", "rancho") count half, and only tip the
    #: balance; an emergency context word never overrides other topics as emergency keywords do.
    context: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    line: int = field(default=0, compare=False, repr=False)

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
        """The reply text for a topic in a language, or None for a silent topic."""
        topic = self.by_id[topic_id]
        if topic.silent:
            return None
        return topic.replies.get(lang) or topic.replies[self.default_language]

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


def read_bundle(directory: str | Path) -> dict[str, str]:
    """Read keywords.yaml and responses/<lang>/*.txt under a directory into a bundle."""
    root = Path(directory)
    bundle: dict[str, str] = {}
    keywords = root / KEYWORDS_FILE
    if keywords.is_file():
        bundle[KEYWORDS_FILE] = keywords.read_text(encoding="utf-8")
    responses = root / RESPONSES_DIR
    if responses.is_dir():
        for path in sorted(responses.glob("*/*.txt")):
            bundle[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return bundle


def write_bundle(bundle: Bundle, directory: str | Path) -> list[Path]:
    """Write a bundle's files under a directory, so a published library can be edited again."""
    root = Path(directory)
    written = []
    for name, text in sorted(bundle.items()):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def bundle_digest(bundle: Bundle) -> str:
    """A stable sha256 of a bundle's files, names included."""
    canonical = json.dumps(dict(sorted(bundle.items())), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def reply_path(topic_id: str, lang: str) -> str:
    """The bundle path of a topic's reply in a language."""
    return f"{RESPONSES_DIR}/{lang}/{topic_id}.txt"


# --- The keywords.yaml schema ----------------------------------------------------------------


class _TopicSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    menu: int | None = Field(default=None, ge=1)
    title: dict[str, str] = Field(default_factory=dict)
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    context: dict[str, list[str]] = Field(default_factory=dict)
    segment_budget: int | None = Field(default=None, ge=1, le=10)
    silent: bool = False
    priority: int = Field(default=0, ge=0, le=9)


class _LibrarySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    languages: list[str] = Field(default_factory=lambda: ["en", "es"], min_length=1)
    segment_budget: int = Field(default=DEFAULT_SEGMENT_BUDGET, ge=1, le=10)
    topics: list[_TopicSpec] = Field(min_length=1)


# --- Loading ---------------------------------------------------------------------------------


def load_library(bundle: Bundle) -> Library:
    """Build a Library from a bundle, or raise LibraryError listing every problem found."""
    problems: list[Problem] = []

    def error(file: str, line: int, message: str) -> None:
        problems.append(Problem(file, line, message))

    text = bundle.get(KEYWORDS_FILE)
    if text is None:
        raise LibraryError([Problem(KEYWORDS_FILE, 0, "file is missing")])
    try:
        raw, lines = parse_yaml(text)
    except DuplicateKey as dup:
        raise LibraryError(
            [Problem(KEYWORDS_FILE, dup.line, f"key {dup.key!r} is written twice")]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        detail = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context_mark", None)
        if context is not None and context.line + 1 != line:
            detail += f" (in what starts at line {context.line + 1})"
        raise LibraryError([Problem(KEYWORDS_FILE, line, f"bad YAML: {detail}")]) from None

    try:
        spec = _LibrarySpec.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "file"
            error(KEYWORDS_FILE, lines.of(loc), f"{where}: {err['msg']}")
        raise LibraryError(problems) from None

    languages = tuple(spec.languages)
    topics: list[Topic] = []
    seen_ids: dict[str, int] = {}
    # language -> folded keyword -> the topic listing it; a keyword already folded is its own key,
    # so a 10,000-keyword load does not hold a second copy of each while it runs
    seen_keywords: dict[str, dict[str, str]] = {lang: {} for lang in languages}
    menu_numbers: dict[int, str] = {}

    for index, ts in enumerate(spec.topics):
        tline = lines.of(("topics", index))
        if ts.id in seen_ids:
            error(
                KEYWORDS_FILE,
                tline,
                f"topic {ts.id!r} is defined twice (first at line {seen_ids[ts.id]})",
            )
            continue
        seen_ids[ts.id] = tline

        if ts.menu is not None:
            if ts.menu in menu_numbers:
                error(
                    KEYWORDS_FILE,
                    lines.of(("topics", index, "menu")),
                    f"menu number {ts.menu} is used by {menu_numbers[ts.menu]!r} and {ts.id!r}",
                )
            menu_numbers[ts.menu] = ts.id
            for lang in languages:
                if not ts.title.get(lang, "").strip():
                    error(
                        KEYWORDS_FILE,
                        tline,
                        f"topic {ts.id!r} is on the menu but has no {lang} title",
                    )

        for lang in (*ts.keywords, *ts.context, *ts.title):
            if lang not in languages:
                error(
                    KEYWORDS_FILE,
                    tline,
                    f"topic {ts.id!r} uses language {lang!r}, not in languages {list(languages)}",
                )

        lists: dict[str, dict[str, tuple[str, ...]]] = {"keywords": {}, "context": {}}
        for field_name, by_lang in lists.items():
            for lang in languages:
                kept = []
                for k, word in enumerate(getattr(ts, field_name).get(lang, [])):
                    kline = lines.of(("topics", index, field_name, lang, k))
                    folded = " ".join(word.split()).casefold()
                    folded = word if folded == word else folded
                    if not folded:
                        error(KEYWORDS_FILE, kline, f"topic {ts.id!r} has an empty {lang} keyword")
                        continue
                    owner = seen_keywords[lang].get(folded)
                    if owner is not None:
                        error(
                            KEYWORDS_FILE,
                            kline,
                            f"keyword {word!r} ({lang}) is listed under both {owner!r} and {ts.id!r}",
                        )
                        continue
                    seen_keywords[lang][folded] = ts.id
                    kept.append(word.strip())
                by_lang[lang] = tuple(kept)
        keywords, context = lists["keywords"], lists["context"]

        replies: dict[str, str] = {}
        if ts.silent:
            for lang in languages:
                if reply_path(ts.id, lang) in bundle:
                    error(
                        reply_path(ts.id, lang),
                        0,
                        f"topic {ts.id!r} is silent and must have no reply file",
                    )
        else:
            for lang in languages:
                path = reply_path(ts.id, lang)
                body = bundle.get(path)
                if body is None:
                    error(path, 0, f"topic {ts.id!r} has no {lang} reply (missing translation)")
                    continue
                body = body.strip()
                if not body:
                    error(path, 1, f"the {lang} reply of {ts.id!r} is empty")
                    continue
                replies[lang] = body
                if not keywords[lang] and ts.id not in STRUCTURAL_TOPICS:
                    error(
                        KEYWORDS_FILE,
                        tline,
                        f"topic {ts.id!r} has a {lang} reply but no {lang} keywords",
                    )

        topics.append(
            Topic(
                id=ts.id,
                keywords=MappingProxyType(keywords),
                context=MappingProxyType(context),
                replies=MappingProxyType(replies),
                menu=ts.menu,
                titles=MappingProxyType(dict(ts.title)),
                segment_budget=ts.segment_budget or spec.segment_budget,
                silent=ts.silent,
                priority=ts.priority,
                line=tline,
            )
        )

    known = {t.id for t in topics}
    for name in sorted(bundle):
        if name == KEYWORDS_FILE:
            continue
        parts = name.split("/")
        if len(parts) != 3 or parts[0] != RESPONSES_DIR or not parts[2].endswith(".txt"):
            error(name, 0, "unexpected file in the library (expected responses/<lang>/<topic>.txt)")
        elif parts[1] not in languages:
            error(name, 0, f"reply in language {parts[1]!r}, which keywords.yaml does not list")
        elif parts[2][:-4] not in known:
            error(name, 0, f"reply for unknown topic {parts[2][:-4]!r} (add it to keywords.yaml)")

    for required in STRUCTURAL_TOPICS:
        if required not in known:
            error(KEYWORDS_FILE, 0, f"required topic {required!r} is missing")
    if STOP_TOPIC in seen_ids and not next((t.silent for t in topics if t.id == STOP_TOPIC), True):
        error(
            KEYWORDS_FILE,
            seen_ids[STOP_TOPIC],
            "topic 'stop' must be silent: true (opt-outs get no reply)",
        )

    if problems:
        raise LibraryError(problems)

    topics = [_expand_menu(t, topics, languages) if t.id == MENU_TOPIC else t for t in topics]
    return Library(
        topics=tuple(topics),
        languages=languages,
        bundle=MappingProxyType(dict(bundle)),
        digest=bundle_digest(bundle),
    )


def _expand_menu(menu: Topic, topics: list[Topic], languages: tuple[str, ...]) -> Topic:
    """Fill the {menu} placeholder of the menu reply with the numbered topics' titles."""
    numbered = sorted((t for t in topics if t.menu is not None), key=lambda t: t.menu or 0)
    replies = {
        lang: menu.replies[lang].replace(
            MENU_PLACEHOLDER, "\n".join(f"{t.menu} {t.titles[lang]}" for t in numbered)
        )
        for lang in languages
    }
    return replace(menu, replies=MappingProxyType(replies))


def load_library_dir(directory: str | Path) -> Library:
    """Load the library files under a directory."""
    return load_library(read_bundle(directory))
