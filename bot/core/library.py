"""The response library as immutable values, and the loader that builds it from operator files."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.danger import FAMILIES, DangerWords
from bot.core.examples import (
    EXAMPLES_DIR,
    MAX_EXAMPLES_BYTES,
    Examples,
    is_examples_file,
    parse_examples,
)
from bot.core.text import tokenize
from bot.core.topics import (
    CALLS_COUNT,
    CONNECTED_COUNT,
    MENU_TOPIC,
    RESERVED_TOPIC_IDS,
    STOP_TOPIC,
    STRUCTURAL_TOPICS,
    VOICE_REPLY,
)
from bot.core.yamlfile import DuplicateKey, Lines, parse_yaml, plain_scalars

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
    #: The spoken message of calls per language (responses/<lang>/voice.txt); empty if none.
    voice: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: The danger word families (keywords.yaml `danger:`), read by bot.core.danger.
    danger: DangerWords = field(default_factory=DangerWords)
    #: Example texts per topic and language (examples/), which the reader learns from.
    examples: Examples = field(default_factory=Examples, compare=False, repr=False)
    #: Warnings found while loading (examples held out and learned from), for the check to report.
    load_warnings: tuple[Problem, ...] = field(default=(), compare=False, repr=False)

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


#: Each file's cap in bytes of UTF-8, checked before any work: a reply is a few SMS segments,
#: so 64 KB is room to spare; keywords.yaml of 10,000 keywords is about 300 KB.
MAX_REPLY_BYTES = 64 * 1024
MAX_KEYWORDS_BYTES = 2 * 1024 * 1024


def max_bytes(name: str) -> int:
    """The most bytes a library file may hold."""
    if name == KEYWORDS_FILE:
        return MAX_KEYWORDS_BYTES
    return MAX_EXAMPLES_BYTES if is_examples_file(name) else MAX_REPLY_BYTES


def too_big(name: str, size: int, limit: int | None = None) -> Problem | None:
    """The problem with a file of `size` bytes, or None when it is within its cap."""
    limit = max_bytes(name) if limit is None else limit
    if size <= limit:
        return None
    what = "keywords.yaml" if name == KEYWORDS_FILE else "a file of the library"
    return Problem(
        name,
        0,
        f"the file is {size:,} bytes; {what} may be at most {limit:,} bytes "
        f"({limit // 1024:,} KB): shorten it",
    )


def not_utf8(name: str, data: bytes, exc: UnicodeDecodeError) -> Problem:
    """The problem with a file whose bytes are not UTF-8, at the line of the first bad byte."""
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    return Problem(
        name,
        line,
        f"byte 0x{data[exc.start]:02x} (column {column}) is not UTF-8 text: "
        "save the file as UTF-8 (in most editors: Save As, Encoding UTF-8)",
    )


def read_file(path: Path, name: str, limit: int) -> tuple[str | None, Problem | None]:
    """A library file's text, or the problem that stops it being read.

    Only a plain file is read, never through a symbolic link (O_NOFOLLOW, so it cannot be swapped
    for one between a check and the read), and never more than `limit` bytes of it.
    """
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError as exc:
        if path.is_symlink():
            return None, Problem(name, 0, _SYMLINK)
        raise exc from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, Problem(name, 0, "is not a plain file: the library reads only plain files")
        problem = too_big(name, info.st_size, limit)
        if problem is not None:
            return None, problem
        data = file.read(limit + 1)
    problem = too_big(name, len(data), limit)  # it grew since the fstat
    if problem is not None:
        return None, problem
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, not_utf8(name, data, exc)


_SYMLINK = (
    "is a symbolic link: the library reads only plain files inside its folder, "
    "so put the file itself here"
)


def read_bundle(directory: str | Path) -> dict[str, str]:
    """Read keywords.yaml and responses/<lang>/*.txt under a directory into a bundle.

    Raises LibraryError listing every file that is a symbolic link, lies outside the directory,
    is not a plain file, is over its size cap (refused by its size, never read) or is not UTF-8.
    """
    root = Path(directory).resolve()
    names: list[str] = []
    if os.path.lexists(root / KEYWORDS_FILE):
        names.append(KEYWORDS_FILE)
    responses = root / RESPONSES_DIR
    if responses.is_dir():
        names += [path.relative_to(root).as_posix() for path in sorted(responses.glob("*/*.txt"))]
    examples = root / EXAMPLES_DIR
    if examples.is_dir():
        for pattern in ("*/*.txt", "*/*/*.txt"):
            names += [p.relative_to(root).as_posix() for p in sorted(examples.glob(pattern))]
    bundle: dict[str, str] = {}
    problems: list[Problem] = []
    for name in names:
        path = root / name
        if path.is_symlink():
            problems.append(Problem(name, 0, _SYMLINK))
            continue
        if not path.resolve().is_relative_to(root):  # a folder on the way is a link out
            problems.append(
                Problem(name, 0, f"is outside the library folder {root}: keep the files inside it")
            )
            continue
        text, problem = read_file(path, name, max_bytes(name))
        if problem is not None:
            problems.append(problem)
        elif text is not None:
            bundle[name] = text
    if problems:
        raise LibraryError(problems)
    return bundle


def bundle_problems(bundle: Bundle) -> list[Problem]:
    """Problems with a bundle's files as such: over their size cap, or not valid Unicode text.

    load_library runs this first, so a bundle that did not come from read_bundle (an edit sent
    from a browser, a published revision) is held to the same caps before any work.
    """
    problems = []
    for name, text in bundle.items():
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:  # a lone surrogate, which no UTF-8 file can hold
            line = text.count("\n", 0, exc.start) + 1
            problems.append(Problem(name, line, "holds a character that is not valid Unicode"))
            continue
        problem = too_big(name, size)
        if problem is not None:
            problems.append(problem)
    return problems


def write_bundle(bundle: Bundle, directory: str | Path) -> list[Path]:
    """Write a bundle's files under a directory, so a published library can be edited again."""
    root = Path(directory).resolve()
    written = []
    for name, text in sorted(bundle.items()):
        path = root / name
        relative = PurePosixPath(name)
        if (
            relative.is_absolute()
            or ".." in relative.parts
            or not path.parent.resolve().is_relative_to(root)
        ):
            raise LibraryError([Problem(name, 0, f"would be written outside {root}")])
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():  # replace the link itself, never write through it
            path.unlink()
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


def voice_path(lang: str) -> str:
    """The bundle path of the spoken message of calls in a language."""
    return reply_path(VOICE_REPLY, lang)


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
    escalates: bool = False
    accepted_lookalikes: dict[str, dict[str, list[str]]] = Field(default_factory=dict)


#: Entries one danger family may list per language, and the longest entry: families are word
#: lists, not a second keyword file, and every message is read against them.
MAX_DANGER_ENTRIES = 1000
MAX_DANGER_ENTRY_CHARS = 60
_DangerList = dict[str, list[str]]


class _DangerSpec(BaseModel):
    """The `danger:` section: one word family per field, each {language: [entries]}."""

    model_config = ConfigDict(extra="forbid", strict=True)

    harm: _DangerList = Field(default_factory=dict)
    weapon: _DangerList = Field(default_factory=dict)
    threat: _DangerList = Field(default_factory=dict)
    confinement: _DangerList = Field(default_factory=dict)
    injury: _DangerList = Field(default_factory=dict)
    urgency: _DangerList = Field(default_factory=dict)
    future: _DangerList = Field(default_factory=dict)
    target: _DangerList = Field(default_factory=dict)
    past: _DangerList = Field(default_factory=dict)
    habitual: _DangerList = Field(default_factory=dict)
    hypothetical: _DangerList = Field(default_factory=dict)
    not_harm: _DangerList = Field(default_factory=dict)
    taking: _DangerList = Field(default_factory=dict)
    vehicle: _DangerList = Field(default_factory=dict)
    away: _DangerList = Field(default_factory=dict)
    reporting: _DangerList = Field(default_factory=dict)
    long_ago: _DangerList = Field(default_factory=dict)
    water: _DangerList = Field(default_factory=dict)
    drowning: _DangerList = Field(default_factory=dict)
    poison: _DangerList = Field(default_factory=dict)
    swallow: _DangerList = Field(default_factory=dict)
    child: _DangerList = Field(default_factory=dict)
    stranger: _DangerList = Field(default_factory=dict)
    accident: _DangerList = Field(default_factory=dict)
    plight: _DangerList = Field(default_factory=dict)
    despair: _DangerList = Field(default_factory=dict)
    means: _DangerList = Field(default_factory=dict)
    moving: _DangerList = Field(default_factory=dict)
    far: _DangerList = Field(default_factory=dict)
    unwilling: _DangerList = Field(default_factory=dict)
    later: _DangerList = Field(default_factory=dict)


class _LibrarySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    languages: list[str] = Field(default_factory=lambda: ["en", "es"], min_length=1)
    segment_budget: int = Field(default=DEFAULT_SEGMENT_BUDGET, ge=1, le=10)
    topics: list[_TopicSpec] = Field(min_length=1)
    danger: _DangerSpec = Field(default_factory=_DangerSpec)


def load_yaml(text: str, file: str) -> tuple[Any, Lines]:
    """parse_yaml, with what goes wrong raised as a LibraryError naming the file and line."""
    try:
        return parse_yaml(text)
    except DuplicateKey as dup:
        raise LibraryError([Problem(file, dup.line, f"key {dup.key!r} is written twice")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        detail = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context_mark", None)
        if context is not None and context.line + 1 != line:
            detail += f" (in what starts at line {context.line + 1})"
        raise LibraryError([Problem(file, line, f"bad YAML: {detail}")]) from None


# --- Schema errors in operators' words -------------------------------------------------------

#: Plain words YAML reads as something other than text.
_NOT_TEXT = {
    bool: "as true or false",
    int: "as a number",
    float: "as a number",
    type(None): "as nothing",
}


def _where(loc: tuple[Any, ...], raw: Any) -> str:
    """An error's place in the operators' words: topic 'labor', keywords, en."""
    if len(loc) >= 2 and loc[0] == "topics" and isinstance(loc[1], int):
        try:
            topic_id = raw["topics"][loc[1]]["id"]
        except (KeyError, IndexError, TypeError):
            topic_id = None
        head = f"topic {topic_id!r}" if isinstance(topic_id, str) else f"topic {loc[1] + 1}"
        rest = [str(part) for part in loc[2:] if not isinstance(part, int) and part != "[key]"]
        return ", ".join([head, *rest])
    return ", ".join(str(p) for p in loc if not isinstance(p, int)) or "the file"


def _schema_message(
    err: Any, loc: tuple[Any, ...], raw: Any, written: list[tuple[str, Any]]
) -> str:
    kind, value, where = err["type"], err.get("input"), _where(loc, raw)
    ctx = err.get("ctx") or {}
    if kind == "string_type":
        how = _NOT_TEXT.get(type(value))
        if how is None:
            return f"{where}: expected text here, not a list or mapping"
        # The first value of this line not yet named that reads as this one: errors come in
        # the order the values are written, and `on` and `yes` both read as true.
        at = next(
            (i for i, (_w, v) in enumerate(written) if v == value and type(v) is type(value)), None
        )
        as_written = None if at is None else written.pop(at)[0]
        if as_written is None:
            as_written = "" if value is None else str(value).lower()
        if not as_written:
            return (
                f"{where}: this value is empty: write the text, in quotes if need be, or remove it"
            )
        return (
            f"{where}: YAML reads {as_written} {how}, not as text: "
            f"put it in quotes, like '{as_written}'"
        )
    if kind == "extra_forbidden":
        return f"{where}: unknown setting {loc[-1]!r}: check its spelling and indentation"
    if kind == "missing":
        return f"{where}: this is required and missing"
    if kind == "string_pattern_mismatch":
        return (
            f"{where}: {value!r} is not a usable topic id: use small letters, digits, - and _, "
            "starting with a letter"
        )
    if kind == "int_type":
        if isinstance(value, str) and value.strip().isdigit():
            return f"{where}: write the number {value.strip()} without quotes"
        return f"{where}: expected a whole number like 2, not {value!r}"
    if kind == "bool_type":
        return f"{where}: expected true or false, written without quotes"
    if kind == "dict_type":
        return f"{where}: expected a mapping of names to values, like {{en: ..., es: ...}}"
    if kind == "list_type":
        return f"{where}: expected a list, like [one, two] or one '- item' per line"
    if kind in ("greater_than_equal", "less_than_equal"):
        low, high = ctx.get("ge"), ctx.get("le")
        bound = f"at least {low}" if low is not None else f"at most {high}"
        return f"{where}: {value!r} is out of range: it must be {bound}"
    if kind == "too_short":
        return f"{where}: must not be empty"
    return f"{where}: this value is not allowed here"


def schema_problems(
    exc: ValidationError, raw: Any, lines: Lines, text: str, file: str
) -> list[Problem]:
    """A schema's validation errors as problems in operators' words, each saying what to do."""
    problems = []
    written: dict[int, list[tuple[str, Any]]] | None = None
    for err in exc.errors():
        loc = tuple(err["loc"])
        line = lines.of(loc)
        if err["type"] == "string_type" and written is None:
            written = plain_scalars(text)
        message = _schema_message(err, loc, raw, (written or {}).get(line, []))
        problems.append(Problem(file, line, message))
    return problems


# --- Loading ---------------------------------------------------------------------------------


def load_library(bundle: Bundle) -> Library:
    """Build a Library from a bundle, or raise LibraryError listing every problem found."""
    problems: list[Problem] = []

    def error(file: str, line: int, message: str) -> None:
        problems.append(Problem(file, line, message))

    first = bundle_problems(bundle)
    if first:
        raise LibraryError(first)
    text = bundle.get(KEYWORDS_FILE)
    if text is None:
        raise LibraryError([Problem(KEYWORDS_FILE, 0, "file is missing")])
    raw, lines = load_yaml(text, KEYWORDS_FILE)

    try:
        spec = _LibrarySpec.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        raise LibraryError(schema_problems(exc, raw, lines, text, KEYWORDS_FILE)) from None

    languages = tuple(spec.languages)
    topics: list[Topic] = []
    seen_ids: dict[str, int] = {}
    # language -> folded keyword -> the topic listing it; a keyword already folded is its own key,
    # so a 10,000-keyword load does not hold a second copy of each while it runs
    seen_keywords: dict[str, dict[str, str]] = {lang: {} for lang in languages}
    menu_numbers: dict[int, str] = {}
    first_lines: dict[tuple[str, str], int] | None = None

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
        if ts.escalates and ts.id in STRUCTURAL_TOPICS:
            error(
                KEYWORDS_FILE,
                lines.of(("topics", index, "escalates")),
                f"topic {ts.id!r} cannot escalate: only an ordinary topic can turn into an emergency",
            )
        if ts.id in RESERVED_TOPIC_IDS:
            error(
                KEYWORDS_FILE,
                tline,
                f"topic id {ts.id!r} is reserved (voice.txt is the spoken message of calls; "
                f"{CALLS_COUNT!r} and {CONNECTED_COUNT!r} are daily counts of calls): rename it",
            )

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

        for lang in (*ts.keywords, *ts.context, *ts.title, *ts.accepted_lookalikes):
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
                    folded = _fold(word)
                    folded = word if folded == word else folded
                    if not folded:
                        error(KEYWORDS_FILE, kline, f"topic {ts.id!r} has an empty {lang} keyword")
                        continue
                    owner = seen_keywords[lang].get(folded)
                    if owner is not None:
                        if first_lines is None:  # built once, and only when a keyword repeats
                            first_lines = _first_keyword_lines(spec, lines)
                        before = first_lines[(lang, folded)]
                        where = (
                            f"twice in {owner!r} (lines {before} and {kline})"
                            if owner == ts.id
                            else f"under both {owner!r} (line {before}) and {ts.id!r} (line {kline})"
                        )
                        error(KEYWORDS_FILE, kline, f"keyword {word!r} ({lang}) is listed {where}")
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
                escalates=ts.escalates,
                accepted_lookalikes=MappingProxyType(
                    {
                        lang: MappingProxyType({k: tuple(v) for k, v in pairs.items()})
                        for lang, pairs in ts.accepted_lookalikes.items()
                    }
                ),
                line=tline,
            )
        )

    known = {t.id for t in topics}
    voice: dict[str, str] = {}
    for name in sorted(bundle):
        if name == KEYWORDS_FILE or is_examples_file(name):
            continue
        parts = name.split("/")
        if len(parts) != 3 or parts[0] != RESPONSES_DIR or not parts[2].endswith(".txt"):
            error(name, 0, "unexpected file in the library (expected responses/<lang>/<topic>.txt)")
        elif parts[1] not in languages:
            error(name, 0, f"reply in language {parts[1]!r}, which keywords.yaml does not list")
        elif parts[2][:-4] == VOICE_REPLY:
            spoken = bundle[name].strip()
            if spoken:
                voice[parts[1]] = spoken
            else:
                error(name, 1, f"the {parts[1]} spoken message of calls is empty")
        elif parts[2][:-4] not in known:
            error(name, 0, f"reply for unknown topic {parts[2][:-4]!r} (add it to keywords.yaml)")

    if voice:
        # Calls offer every language, so a spoken message in one needs its translations.
        for lang in languages:
            if lang not in voice and voice_path(lang) not in bundle:
                error(
                    voice_path(lang),
                    0,
                    f"the spoken message of calls has no {lang} version (missing translation)",
                )

    for required in STRUCTURAL_TOPICS:
        if required not in known:
            error(KEYWORDS_FILE, 0, f"required topic {required!r} is missing")
    if STOP_TOPIC in seen_ids and not next((t.silent for t in topics if t.id == STOP_TOPIC), True):
        error(
            KEYWORDS_FILE,
            seen_ids[STOP_TOPIC],
            "topic 'stop' must be silent: true (opt-outs get no reply)",
        )

    danger = _danger_words(spec.danger, languages, lines, error)
    warnings: list[Problem] = []
    examples = parse_examples(
        bundle,
        languages,
        frozenset(known),
        lambda file, line, message, severity: (
            problems if severity == "error" else warnings
        ).append(Problem(file, line, message, severity)),
    )

    if problems:
        raise LibraryError(problems)

    topics = [_expand_menu(t, topics, languages) if t.id == MENU_TOPIC else t for t in topics]
    return Library(
        topics=tuple(topics),
        languages=languages,
        bundle=MappingProxyType(dict(bundle)),
        digest=bundle_digest(bundle),
        voice=MappingProxyType(voice),
        danger=danger,
        examples=examples,
        load_warnings=tuple(warnings),
    )


def _danger_words(
    spec: _DangerSpec,
    languages: tuple[str, ...],
    lines: Lines,
    error: Callable[[str, int, str], None],
) -> DangerWords:
    """The `danger:` word families, checked: known languages, entries with words, within caps."""
    families: dict[str, MappingProxyType[str, tuple[str, ...]]] = {}
    for family in FAMILIES:
        per_lang: dict[str, tuple[str, ...]] = {}
        for lang, entries in getattr(spec, family).items():
            where = lines.of(("danger", family, lang))
            if lang not in languages:
                error(KEYWORDS_FILE, where, f"danger {family}: unknown language {lang!r}")
                continue
            if len(entries) > MAX_DANGER_ENTRIES:
                error(
                    KEYWORDS_FILE,
                    where,
                    f"danger {family} {lang}: {len(entries)} entries, at most {MAX_DANGER_ENTRIES}",
                )
                continue
            kept = []
            for k, entry in enumerate(entries):
                at = lines.of(("danger", family, lang, k))
                if len(entry) > MAX_DANGER_ENTRY_CHARS:
                    error(
                        KEYWORDS_FILE,
                        at,
                        f"danger {family} {lang}: entry longer than {MAX_DANGER_ENTRY_CHARS} "
                        "characters",
                    )
                elif not tokenize(entry):
                    error(
                        KEYWORDS_FILE, at, f"danger {family} {lang}: entry {entry!r} has no words"
                    )
                else:
                    kept.append(entry)
            per_lang[lang] = tuple(kept)
        families[family] = MappingProxyType(per_lang)
    return DangerWords(MappingProxyType(families))


def _fold(word: str) -> str:
    """A keyword as duplicates are found: case and runs of spaces do not count."""
    return " ".join(word.split()).casefold()


def _first_keyword_lines(spec: _LibrarySpec, lines: Lines) -> dict[tuple[str, str], int]:
    """The line where each folded keyword is first written, per language."""
    found: dict[tuple[str, str], int] = {}
    for index, ts in enumerate(spec.topics):
        for field_name in ("keywords", "context"):
            for lang, words in getattr(ts, field_name).items():
                for k, word in enumerate(words):
                    path = ("topics", index, field_name, lang, k)
                    found.setdefault((lang, _fold(word)), lines.of(path))
    return found


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
