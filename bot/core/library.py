"""The response library: load_library builds it from operator files, or lists every problem.

The pieces live in their own modules and are all importable from here:
problems.py  Problem, LibraryError
bundle.py    a library's files: read, written, capped, digested
schema.py    the keywords.yaml schema and its errors in operators' words
model.py     Topic and Library, the immutable values
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from pydantic import ValidationError

from bot.core.bundle import (
    KEYWORDS_FILE,
    MAX_KEYWORDS_BYTES,
    MAX_REPLY_BYTES,
    REGISTRY_FILE,
    RESPONSES_DIR,
    Bundle,
    bundle_digest,
    bundle_problems,
    max_bytes,
    not_utf8,
    read_bundle,
    read_file,
    reply_path,
    too_big,
    voice_path,
    write_bundle,
)
from bot.core.danger import FAMILIES, DangerWords
from bot.core.examples import is_examples_file, parse_examples
from bot.core.languages import (
    BACK_TRANSLATIONS_DIR,
    LANGUAGE_FILE,
    OTHER_LANGUAGE_FILE,
    check_language_codes,
    folded_opt_out_words,
    load_languages,
    opt_out_keyword_problem,
)
from bot.core.model import DEFAULT_SEGMENT_BUDGET, MENU_PLACEHOLDER, Library, Topic
from bot.core.problems import LibraryError, Problem, Severity
from bot.core.recordings import is_recording_path, load_recordings
from bot.core.schema import (
    MAX_DANGER_ENTRIES,
    MAX_DANGER_ENTRY_CHARS,
    DangerSpec,
    LibrarySpec,
    TopicSpec,
    load_yaml,
    schema_problems,
)
from bot.core.sms import is_gsm, transliterate_gsm
from bot.core.text import tokenize
from bot.core.tips import tip_words
from bot.core.topics import (
    MENU_TOPIC,
    RESERVED_TOPIC_IDS,
    STOP_TOPIC,
    STRUCTURAL_TOPICS,
    VOICE_REPLY,
    reserved_topic_message,
)
from bot.core.yamlfile import Lines

__all__ = [
    "DEFAULT_SEGMENT_BUDGET",
    "KEYWORDS_FILE",
    "MAX_KEYWORDS_BYTES",
    "MAX_REPLY_BYTES",
    "MENU_PLACEHOLDER",
    "RESPONSES_DIR",
    "STRUCTURAL_TOPICS",
    "Bundle",
    "Library",
    "LibraryError",
    "Problem",
    "Severity",
    "Topic",
    "bundle_digest",
    "bundle_problems",
    "kept_as_written",
    "load_library",
    "load_library_dir",
    "load_library_partly",
    "load_yaml",
    "max_bytes",
    "not_utf8",
    "read_bundle",
    "read_file",
    "reply_path",
    "schema_problems",
    "too_big",
    "voice_path",
    "write_bundle",
]


def load_library(bundle: Bundle) -> Library:
    """Build a Library from a bundle, or raise LibraryError listing every problem found."""
    library, problems = load_library_partly(bundle)
    if problems or library is None:
        raise LibraryError(problems)
    return library


def load_library_partly(bundle: Bundle) -> tuple[Library | None, list[Problem]]:
    """Every problem that keeps a bundle from loading, and the library made of what did load.

    The library is for the checks only (bot.library.prepare runs them on it, so that one error
    does not hide the others); it is never served while there are problems. It is None only when
    keywords.yaml itself cannot be read; a reply file over its cap or not Unicode is left out
    (and said once), and the rest of the library is still read.
    """
    problems = bundle_problems(bundle)
    unreadable = {p.file for p in problems}
    if KEYWORDS_FILE in unreadable:
        return None, problems
    text = bundle.get(KEYWORDS_FILE)
    if text is None:
        return None, [*problems, Problem(KEYWORDS_FILE, 0, "file is missing")]
    try:
        raw, lines = load_yaml(text, KEYWORDS_FILE)
        spec = LibrarySpec.model_validate(raw if raw is not None else {})
    except LibraryError as exc:
        return None, [*problems, *exc.problems]
    except ValidationError as exc:
        return None, [*problems, *schema_problems(exc, raw, lines, text, KEYWORDS_FILE)]

    readable = {name: body for name, body in bundle.items() if name not in unreadable}
    loading = _Loading(readable, spec, lines, unreadable)
    loading.problems = problems
    # Each language's own file first: its opt-out words may not be keywords.
    check_language_codes(loading.languages, lines, loading.error)
    language_info = load_languages(
        readable, loading.languages, loading.error, load_yaml, schema_problems
    )
    loading.opt_out_words = folded_opt_out_words(language_info)
    topics = [t for index, ts in enumerate(spec.topics) if (t := loading.topic(index, ts))]
    voice = loading.other_files({t.id for t in topics})
    recordings, recording_problems = load_recordings(dict(readable), loading.languages)
    loading.problems.extend(recording_problems)
    other_language = readable.get(OTHER_LANGUAGE_FILE, "").strip()
    if OTHER_LANGUAGE_FILE in readable and not other_language:
        loading.error(OTHER_LANGUAGE_FILE, 1, "the reply to texts in other languages is empty")
    loading.required_topics(topics)
    danger = _danger_words(spec.danger, loading.languages, lines, loading.error)
    tips = tip_words(
        spec.tips,
        {t.id for t in topics},
        loading.languages,
        lines,
        lambda line, msg: loading.error(KEYWORDS_FILE, line, msg),
    )
    warnings: list[Problem] = []
    examples = parse_examples(
        readable,
        loading.languages,
        frozenset(t.id for t in topics),
        lambda file, line, message, severity: (
            loading.problems if severity == "error" else warnings
        ).append(Problem(file, line, message, severity)),
    )

    languages = loading.languages
    topics = [_expand_menu(t, topics, languages) if t.id == MENU_TOPIC else t for t in topics]
    library = Library(
        topics=tuple(topics),
        languages=languages,
        bundle=MappingProxyType(readable),
        digest=bundle_digest(readable),
        voice=MappingProxyType(voice),
        recordings=MappingProxyType(recordings),
        danger=danger,
        tips=tips,
        examples=examples,
        load_warnings=tuple(warnings),
        language_info=language_info,
        other_language=other_language,
        default_budget=spec.segment_budget,
    )
    return library, loading.problems


class _Loading:
    """One load_library run: the problems found so far, and what the topics read before the
    current one have claimed (ids, menu numbers, keywords)."""

    def __init__(
        self, bundle: Bundle, spec: LibrarySpec, lines: Lines, unreadable: set[str] | None = None
    ) -> None:
        self.bundle = bundle
        #: files left out because they are over their cap or not Unicode (said once already)
        self.unreadable = unreadable or set()
        self.spec = spec
        self.lines = lines
        self.languages = tuple(spec.languages)
        self.problems: list[Problem] = []
        self.seen_ids: dict[str, int] = {}
        # language -> folded keyword -> the topic listing it; a keyword already folded is its own
        # key, so a 10,000-keyword load does not hold a second copy of each while it runs
        self.seen_keywords: dict[str, dict[str, str]] = {lang: {} for lang in self.languages}
        self.menu_numbers: dict[int, str] = {}
        self.first_lines: dict[tuple[str, str], int] | None = None
        #: the library's own opt-out words (language.yaml), which no keyword may be
        self.opt_out_words: frozenset[str] = frozenset()

    def error(self, file: str, line: int, message: str) -> None:
        """Note a problem; loading goes on, so that every problem is listed at once."""
        self.problems.append(Problem(file, line, message))

    def topic(self, index: int, ts: TopicSpec) -> Topic | None:
        """The index-th topic, checked (None when its id is taken already)."""
        tline = self.lines.of(("topics", index))
        if ts.id in self.seen_ids:
            self.error(
                KEYWORDS_FILE,
                tline,
                f"topic {ts.id!r} is defined twice (first at line {self.seen_ids[ts.id]})",
            )
            return None
        self.seen_ids[ts.id] = tline
        self._check_topic(index, ts, tline)
        keywords = self._word_list(index, ts, "keywords")
        context = self._word_list(index, ts, "context")
        replies = self._replies(ts, tline, keywords)
        return Topic(
            id=ts.id,
            keywords=MappingProxyType(keywords),
            context=MappingProxyType(context),
            replies=MappingProxyType(replies),
            menu=ts.menu,
            titles=MappingProxyType(dict(ts.title)),
            segment_budget=ts.segment_budget or self.spec.segment_budget,
            own_budget=ts.segment_budget is not None,
            silent=ts.silent,
            priority=ts.priority,
            escalates=ts.escalates,
            accepted_lookalikes=MappingProxyType(
                {
                    lang: MappingProxyType({k: tuple(v) for k, v in pairs.items()})
                    for lang, pairs in ts.accepted_lookalikes.items()
                }
            ),
            keep_accents=tuple(ts.keep_accents),
            line=tline,
        )

    def _check_topic(self, index: int, ts: TopicSpec, tline: int) -> None:
        """A topic's id, escalation, menu number, titles and languages."""
        error, languages = self.error, self.languages
        if ts.escalates and ts.id in STRUCTURAL_TOPICS:
            error(
                KEYWORDS_FILE,
                self.lines.of(("topics", index, "escalates")),
                f"topic {ts.id!r} cannot escalate: only an ordinary topic can turn into an emergency",
            )
        if ts.id in RESERVED_TOPIC_IDS:
            error(KEYWORDS_FILE, tline, reserved_topic_message(ts.id))
        if ts.menu is not None:
            if ts.menu in self.menu_numbers:
                error(
                    KEYWORDS_FILE,
                    self.lines.of(("topics", index, "menu")),
                    f"menu number {ts.menu} is used by {self.menu_numbers[ts.menu]!r} and {ts.id!r}",
                )
            self.menu_numbers[ts.menu] = ts.id
            for lang in languages:
                if not ts.title.get(lang, "").strip():
                    error(
                        KEYWORDS_FILE,
                        tline,
                        f"topic {ts.id!r} is on the menu but has no {lang} title",
                    )
        for lang in (
            *ts.keywords,
            *ts.context,
            *ts.title,
            *ts.accepted_lookalikes,
            *ts.keep_accents,
        ):
            if lang not in languages:
                error(
                    KEYWORDS_FILE,
                    tline,
                    f"topic {ts.id!r} uses language {lang!r}, not in languages {list(languages)}",
                )

    def _word_list(self, index: int, ts: TopicSpec, field_name: str) -> dict[str, tuple[str, ...]]:
        """A topic's keywords or context words per language, each listed once in the library."""
        by_lang: dict[str, tuple[str, ...]] = {}
        for lang in self.languages:
            seen = self.seen_keywords[lang]
            kept = []
            for k, word in enumerate(getattr(ts, field_name).get(lang, [])):
                kline = self.lines.of(("topics", index, field_name, lang, k))
                folded = _fold(word)
                folded = word if folded == word else folded
                if not folded:
                    self.error(KEYWORDS_FILE, kline, f"topic {ts.id!r} has an empty {lang} keyword")
                    continue
                owner = seen.get(folded)
                if owner is not None:
                    if self.first_lines is None:  # built once, and only when a keyword repeats
                        self.first_lines = _first_keyword_lines(self.spec, self.lines)
                    before = self.first_lines[(lang, folded)]
                    where = (
                        f"twice in {owner!r} (lines {before} and {kline})"
                        if owner == ts.id
                        else f"under both {owner!r} (line {before}) and {ts.id!r} (line {kline})"
                    )
                    self.error(KEYWORDS_FILE, kline, f"keyword {word!r} ({lang}) is listed {where}")
                    continue
                seen[folded] = ts.id
                if ts.id != STOP_TOPIC:
                    opt_out = opt_out_keyword_problem(word, self.opt_out_words)
                    if opt_out is not None:
                        self.error(KEYWORDS_FILE, kline, f"topic {ts.id!r}: {opt_out}")
                kept.append(word.strip())
            by_lang[lang] = tuple(kept)
        return by_lang

    def _replies(
        self, ts: TopicSpec, tline: int, keywords: dict[str, tuple[str, ...]]
    ) -> dict[str, str]:
        """A topic's reply per language: none for a silent topic, else one in every language."""
        replies: dict[str, str] = {}
        if ts.silent:
            for lang in self.languages:
                if reply_path(ts.id, lang) in self.bundle:
                    self.error(
                        reply_path(ts.id, lang),
                        0,
                        f"topic {ts.id!r} is silent and must have no reply file",
                    )
            return replies
        for lang in self.languages:
            path = reply_path(ts.id, lang)
            body = self.bundle.get(path)
            if body is None and path in self.unreadable:
                continue
            if body is None:
                self.error(path, 0, f"topic {ts.id!r} has no {lang} reply (missing translation)")
                continue
            body = body.strip()
            if not body:
                self.error(path, 1, f"the {lang} reply of {ts.id!r} is empty")
                continue
            replies[lang] = body
            if not keywords[lang] and ts.id not in STRUCTURAL_TOPICS:
                self.error(
                    KEYWORDS_FILE,
                    tline,
                    f"topic {ts.id!r} has a {lang} reply but no {lang} keywords",
                )
        return replies

    def other_files(self, known: set[str]) -> dict[str, str]:
        """Check every file but keywords.yaml belongs to a topic or is the spoken message of
        calls; returns the spoken message per language."""
        bundle, languages, error = self.bundle, self.languages, self.error
        voice: dict[str, str] = {}
        for name in sorted(bundle):
            if name in (KEYWORDS_FILE, REGISTRY_FILE, OTHER_LANGUAGE_FILE) or is_examples_file(
                name
            ):
                continue  # the registry is read by the checks, examples by bot.core.examples
            if name.startswith(f"{BACK_TRANSLATIONS_DIR}/"):
                continue  # checked by bot.core.back_translations
            if is_recording_path(name):
                continue  # checked by bot.core.recordings
            parts = name.split("/")
            if len(parts) == 3 and parts[0] == RESPONSES_DIR and parts[2] == LANGUAGE_FILE:
                if parts[1] not in languages:
                    error(
                        name, 0, f"language file of {parts[1]!r}, which keywords.yaml does not list"
                    )
                continue
            if len(parts) != 3 or parts[0] != RESPONSES_DIR or not parts[2].endswith(".txt"):
                error(
                    name,
                    0,
                    "unexpected file in the library (expected responses/<lang>/<topic>.txt)",
                )
            elif parts[1] not in languages:
                error(name, 0, f"reply in language {parts[1]!r}, which keywords.yaml does not list")
            elif parts[2][:-4] == VOICE_REPLY:
                spoken = bundle[name].strip()
                if spoken:
                    voice[parts[1]] = spoken
                else:
                    error(name, 1, f"the {parts[1]} spoken message of calls is empty")
            elif parts[2][:-4] not in known:
                error(
                    name, 0, f"reply for unknown topic {parts[2][:-4]!r} (add it to keywords.yaml)"
                )
        if voice:
            # Calls offer every language, so a spoken message in one needs its translations.
            for lang in languages:
                recorded = any(
                    f"{RESPONSES_DIR}/{lang}/voice.{ext}" in bundle for ext in ("mp3", "wav")
                )
                if lang not in voice and voice_path(lang) not in bundle and not recorded:
                    error(
                        voice_path(lang),
                        0,
                        f"the spoken message of calls has no {lang} version (missing translation)",
                    )
        return voice

    def required_topics(self, topics: list[Topic]) -> None:
        """The structural topics are there, and 'stop' is silent."""
        known = {t.id for t in topics}
        for required in STRUCTURAL_TOPICS:
            if required not in known:
                self.error(KEYWORDS_FILE, 0, f"required topic {required!r} is missing")
        stop = next((t.silent for t in topics if t.id == STOP_TOPIC), True)
        if STOP_TOPIC in self.seen_ids and not stop:
            self.error(
                KEYWORDS_FILE,
                self.seen_ids[STOP_TOPIC],
                "topic 'stop' must be silent: true (opt-outs get no reply)",
            )


def _danger_words(
    spec: DangerSpec,
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


def _first_keyword_lines(spec: LibrarySpec, lines: Lines) -> dict[tuple[str, str], int]:
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
    """Fill the {menu} placeholder of the menu reply with the numbered topics' titles.

    Titles are written for paper, accents and all ("Jóvenes"); in a menu reply that is GSM-7 (as
    publish makes it) they are sent as their GSM-7 look-alikes ("Jovenes"), so a title never
    turns the menu into UCS-2. A menu reply the operator kept in UCS-2 keeps its titles as written.
    """
    numbered = sorted((t for t in topics if t.menu is not None), key=lambda t: t.menu or 0)
    replies = {}
    for lang in languages:
        reply = menu.replies.get(lang)
        if reply is None:  # a library with problems, loaded for the checks only
            continue
        # .get: a missing title is one of the problems of a library loaded for the checks only
        titles = [t.titles.get(lang, "") for t in numbered]
        if is_gsm(reply):
            titles = [transliterate_gsm(title)[0] for title in titles]
        lines = "\n".join(f"{t.menu} {title}" for t, title in zip(numbered, titles, strict=True))
        replies[lang] = reply.replace(MENU_PLACEHOLDER, lines)
    return replace(menu, replies=MappingProxyType(replies))


def kept_as_written(bundle: Bundle) -> frozenset[str]:
    """The reply files publish keeps as written: those of the languages a topic lists under
    `keep_accents`, and every reply of a language whose language.yaml says `keep_accents: true`.
    Read leniently (a file that does not load keeps nothing), since this runs before
    load_library, on the files as typed."""
    kept = set()
    for name, text in bundle.items():
        parts = name.split("/")
        if len(parts) != 3 or parts[0] != RESPONSES_DIR or parts[2] != LANGUAGE_FILE:
            continue
        try:
            spec, _lines = load_yaml(text, name)
        except LibraryError:
            continue
        if isinstance(spec, dict) and spec.get("keep_accents") is True:
            prefix = f"{RESPONSES_DIR}/{parts[1]}/"
            kept.update(n for n in bundle if n.startswith(prefix) and n.endswith(".txt"))
    try:
        raw, _lines = load_yaml(bundle.get(KEYWORDS_FILE, ""), KEYWORDS_FILE)
    except LibraryError:
        return frozenset(kept)
    topics = raw.get("topics") if isinstance(raw, dict) else None
    for topic in topics if isinstance(topics, list) else []:
        if not isinstance(topic, dict) or not isinstance(topic.get("id"), str):
            continue
        langs = topic.get("keep_accents")
        for lang in langs if isinstance(langs, list) else []:
            if isinstance(lang, str):
                kept.add(reply_path(topic["id"], lang))
    return frozenset(kept)


def load_library_dir(directory: str | Path) -> Library:
    """Load the library files under a directory."""
    return load_library(read_bundle(directory))
