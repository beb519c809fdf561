"""Checks on a loaded library before it goes live: numbers, SMS length and encoding, keywords, menu."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.display_checks import display_problems, invisible_problems
from bot.core.language_checks import check_languages
from bot.core.library import (
    KEYWORDS_FILE,
    Library,
    Problem,
    Topic,
    reply_path,
    voice_path,
)
from bot.core.matcher import FUZZY_MIN_LENGTH, confusable_keys, keyword_confusion
from bot.core.numbers import NumberRegistry, find_numbers
from bot.core.reply_numbers import ReplyNumber, ReplyReport
from bot.core.reply_numbers import number_problems as _number_problems
from bot.core.reply_numbers import reply_numbers as _reply_numbers
from bot.core.sms import encode_info, transliterate_gsm
from bot.core.speech import VOICE_SECONDS_LIMIT, spoken_seconds, spoken_words
from bot.core.text import normalize, tokenize
from bot.core.topics import EMERGENCY_TOPIC, MENU_TOPIC, STOP_TOPIC, STRUCTURAL_TOPICS

#: The emergency reply must arrive whole and first, whatever keywords.yaml sets as its budget.
EMERGENCY_SEGMENT_LIMIT = 1


@dataclass(frozen=True)
class VoiceReport:
    """How long the spoken message of calls takes to say in one language, and its numbers."""

    lang: str
    file: str
    words: int
    seconds: float
    limit: int
    numbers: tuple[ReplyNumber, ...]


@dataclass(frozen=True)
class ExactOnlyKeyword:
    """A keyword too short for typo matching: the matcher takes it only as written."""

    topic: str
    lang: str
    keyword: str
    line: int


@dataclass(frozen=True)
class CheckReport:
    """Everything check_library found: a row per reply, exact-only keywords, and the problems."""

    replies: tuple[ReplyReport, ...]
    exact_only: tuple[ExactOnlyKeyword, ...]
    problems: tuple[Problem, ...]
    #: The spoken message of calls per language; empty when the library has none.
    voice: tuple[VoiceReport, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that stop a library from being published."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems an operator should look at, which do not stop publishing."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when there are no errors; warnings alone are fine."""
        return not self.errors


def _error(file: str, line: int, message: str) -> Problem:
    return Problem(file, line, message, "error")


def _warning(file: str, line: int, message: str) -> Problem:
    return Problem(file, line, message, "warning")


def _line_at(text: str, offset: int) -> int:
    """The 1-based line of an offset in a text."""
    return text.count("\n", 0, max(offset, 0)) + 1


def _chars(chars: Iterable[str]) -> str:
    return " ".join(repr(ch) for ch in chars)


# --- Registry --------------------------------------------------------------------------------


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _registry_problems(registry: NumberRegistry, today: dt.date) -> list[Problem]:
    problems = []
    for entry in registry.entries:
        if today > _one_year_after(entry.verified):
            problems.append(
                _warning(
                    registry.file,
                    entry.line,
                    f"{entry.id} ({entry.number}) was last verified on {entry.verified}, over a "
                    "year ago: check it with the organisation again and update 'verified'",
                )
            )
        elif entry.verified > today:
            problems.append(
                _warning(
                    registry.file,
                    entry.line,
                    f"{entry.id} ({entry.number}) says it was verified on {entry.verified}, "
                    f"after today ({today})",
                )
            )
    return problems


# --- Replies ---------------------------------------------------------------------------------


def _menu_titles(library: Library, lang: str) -> list[Topic]:
    return [t for t in library.topics if t.menu is not None and t.titles.get(lang)]


def check_reply(
    library: Library, topic_id: str, lang: str, registry: NumberRegistry
) -> tuple[ReplyReport, tuple[Problem, ...]]:
    """Check the reply one topic sends in one language: its numbers, length and encoding."""
    topic = library.topic(topic_id)
    reply = library.reply(topic_id, lang) or ""
    file = reply_path(topic_id, lang)
    # Lines are counted in the file as the operator wrote it; the menu's titles live in keywords.yaml.
    raw = library.bundle.get(file, reply)
    titles = _menu_titles(library, lang) if topic_id == MENU_TOPIC else []
    problems: list[Problem] = []

    problems += _number_problems(find_numbers(raw), registry, file)
    problems += display_problems(raw, file)
    for t in titles:
        problems += _number_problems(find_numbers(t.titles[lang]), registry, KEYWORDS_FILE, t.line)
        problems += display_problems(t.titles[lang], KEYWORDS_FILE, t.line)

    numbers = _reply_numbers(find_numbers(reply), registry)
    if not any(n.registry_id for n in numbers):
        problems.append(
            _error(
                file,
                1,
                f"the reply carries no number from {registry.file}: every reply must give a way to reach help",
            )
        )

    info = encode_info(reply)
    budget = library.segment_budget(topic_id, lang)
    if topic_id == EMERGENCY_TOPIC:
        budget = min(budget, EMERGENCY_SEGMENT_LIMIT)
    fix = ""
    if info.encoding == "UCS-2":
        fixed = encode_info(transliterate_gsm(reply)[0])
        if fixed.encoding == "GSM-7":
            fix = f" (transliterated to GSM-7 it would be {fixed.segments})"
    if info.segments > budget:
        why = (
            "the emergency reply must fit in one segment"
            if topic_id == EMERGENCY_TOPIC
            else "its budget"
        )
        problems.append(
            _error(
                file,
                1,
                f"the reply is {info.segments} segments ({info.encoding}, {info.units} units), "
                f"over {why} of {budget}{fix}",
            )
        )

    kept = lang in topic.keep_accents or library.language(lang).keep_accents
    if info.encoding == "UCS-2" and kept:
        # Kept as written on purpose (keep_accents): say what it costs where plain letters would
        # cost less; Cyrillic, Han, Hangul and Vietnamese's đ have no plain version to choose.
        plain = encode_info(transliterate_gsm(reply)[0])
        if plain.encoding == "GSM-7":
            problems.append(
                _warning(
                    file,
                    1,
                    f"keeps its accents (keep_accents: {lang}): sent as special characters, 70 "
                    f"to a message part: {info.segments} part{'s' if info.segments != 1 else ''}"
                    f"; with plain letters it would be {plain.segments}",
                )
            )
    elif info.encoding == "UCS-2":
        problems += _ucs2_problems(raw, info.ucs2_chars, file, titles, lang)

    report = ReplyReport(
        topic=topic_id,
        lang=lang,
        file=file,
        characters=info.characters,
        encoding=info.encoding,
        units=info.units,
        segments=info.segments,
        budget=budget,
        ucs2_chars=info.ucs2_chars,
        numbers=numbers,
    )
    return report, tuple(problems)


def check_voice(
    library: Library, lang: str, registry: NumberRegistry
) -> tuple[VoiceReport, tuple[Problem, ...]]:
    """Check the spoken message of calls in one language: its numbers and how long it takes to say.

    Like a reply it may carry only registry numbers and must carry one; it has no SMS budget, but
    must be said in VOICE_SECONDS_LIMIT seconds or less (bot/core/speech.py says how that is
    estimated), so a caller in a hurry hears the way out before hanging up.
    """
    text = library.voice_reply(lang) or ""
    file = voice_path(lang)
    raw = library.bundle.get(file, text)
    found = find_numbers(raw)
    problems = _number_problems(found, registry, file)
    numbers = _reply_numbers(found, registry)
    if not any(n.registry_id for n in numbers):
        problems.append(
            _error(
                file,
                1,
                f"the spoken message carries no number from {registry.file}: say at least 911",
            )
        )
    words, seconds = spoken_words(text), spoken_seconds(text)
    if seconds > VOICE_SECONDS_LIMIT:
        problems.append(
            _error(
                file,
                1,
                f"the spoken message takes about {seconds:.0f} s to say ({words} words, each digit "
                f"counted), over the limit of {VOICE_SECONDS_LIMIT} s: shorten it",
            )
        )
    report = VoiceReport(lang, file, words, round(seconds, 1), VOICE_SECONDS_LIMIT, numbers)
    return report, tuple(problems)


def _ucs2_problems(
    raw: str, chars: tuple[str, ...], file: str, titles: list[Topic], lang: str
) -> list[Problem]:
    """A warning naming the characters that force UCS-2, at the line they are written on."""
    problems = []
    wanted = set(chars)
    # One pass for every character's first place: a search per character was quadratic in a
    # reply of thousands of distinct characters.
    first: dict[str, int] = {}
    for offset, ch in enumerate(raw):
        if ch in wanted and ch not in first:
            first[ch] = offset
    in_file = tuple(ch for ch in chars if ch in first)
    if in_file:
        line = _line_at(raw, min(first[ch] for ch in in_file))
        problems.append(_warning(file, line, _ucs2_message(in_file, publish_fixes=True)))
    for t in titles:
        in_title = tuple(ch for ch in chars if ch in t.titles[lang] and ch not in in_file)
        if in_title:
            problems.append(
                _warning(
                    KEYWORDS_FILE,
                    t.line,
                    f"the {lang} menu title of {t.id!r}: "
                    + _ucs2_message(in_title, publish_fixes=False),
                )
            )
    return problems


def _ucs2_message(chars: tuple[str, ...], publish_fixes: bool) -> str:
    _, changes = transliterate_gsm("".join(chars))
    fixable = {c.char: c.replacement for c in changes}
    message = f"sent as UCS-2 (70 characters a segment, not 160) because of {_chars(chars)}"
    if fixable:
        message += "; transliterate " + ", ".join(f"{c!r} -> {r!r}" for c, r in fixable.items())
    stuck = [ch for ch in chars if ch not in fixable]
    if stuck:
        message += f"; no GSM-7 look-alike for {_chars(stuck)}: remove or reword"
    elif publish_fixes:
        message += " (publish does this by default)"
    return message


# --- Keywords and menu -----------------------------------------------------------------------


def _exact_only(library: Library) -> tuple[list[ExactOnlyKeyword], list[Problem]]:
    exact, problems = [], []
    for topic in library.topics:
        for lang in library.languages:
            for word in topic.all_keywords(lang):
                norm = normalize(word)
                line = library.keyword_line(topic.id, lang, word)
                if not norm:
                    problems.append(
                        _warning(
                            KEYWORDS_FILE,
                            line,
                            f"keyword {word!r} of {topic.id!r} has no letters or digits: nothing can match it",
                        )
                    )
                elif " " not in norm and len(norm) < FUZZY_MIN_LENGTH:
                    exact.append(ExactOnlyKeyword(topic.id, lang, word, line))
    return exact, problems


def _fold(word: str) -> str:
    return " ".join(word.split()).casefold()


def _accepted_pairs(library: Library) -> dict[tuple[str, str, str], tuple[str, str, str]]:
    """Accepted look-alike pairs, keyed (lang, keyword, other) both ways -> (topic, lang, keyword).

    The value names the marker (its topic, language and keyword) so an unused one can be reported.
    """
    pairs = {}
    for topic in library.topics:
        for lang, accepted in topic.accepted_lookalikes.items():
            for word, others in accepted.items():
                for other in others:
                    marker = (topic.id, lang, word)
                    pairs[(lang, _fold(word), _fold(other))] = marker
                    pairs[(lang, _fold(other), _fold(word))] = marker
    return pairs


def _confusions(library: Library) -> list[Problem]:
    """Warnings for keywords of different topics that the matcher could take for one another.

    A pair an operator marked in a topic's `accepted_lookalikes` stays quiet; a marker that no
    longer silences anything is a warning, so stale ones do not pile up.
    """
    problems = []
    accepted = _accepted_pairs(library)
    used: set[tuple[str, str, str]] = set()
    for lang in library.languages:
        entries = [
            (topic, word, tuple(tokenize(word)))
            for topic in library.topics
            for word in topic.all_keywords(lang)
        ]
        entries = [e for e in entries if e[2]]
        # Only keywords of as many words whose first words share a key can be confused, so an
        # index on those keys replaces comparing every pair (about 3 s at 1,000 keywords).
        index: dict[tuple[int, str], list[int]] = defaultdict(list)
        for i, (_, _, words) in enumerate(entries):
            for key in confusable_keys(words[0]):
                index[(len(words), key)].append(i)
        for i, (topic, word, words) in enumerate(entries):
            candidates = {
                j
                for key in confusable_keys(words[0])
                for j in index[(len(words), key)]
                if j > i and entries[j][0].id != topic.id
            }
            for j in sorted(candidates):
                other, other_word, _ = entries[j]
                score = keyword_confusion(word, other_word)  # the matcher's own verdict decides
                if score is None:
                    continue
                marker = accepted.get((lang, _fold(word), _fold(other_word)))
                if marker is not None and marker[0] in (topic.id, other.id):
                    used.add(marker)
                    continue
                line_a, line_b = (
                    library.keyword_line(topic.id, lang, word),
                    library.keyword_line(other.id, lang, other_word),
                )
                problems.append(
                    _warning(
                        KEYWORDS_FILE,
                        max(line_a, line_b),
                        f"{lang} keywords {word!r} ({topic.id}, line {line_a}) and {other_word!r} "
                        f"({other.id}, line {line_b}) are alike enough ({score:.0f}) that the matcher "
                        "may take one for the other (if both must stay, list the pair under "
                        "accepted_lookalikes of one of the topics)",
                    )
                )
    for topic in library.topics:
        for lang, marked in topic.accepted_lookalikes.items():
            for word, others in marked.items():
                if (topic.id, lang, word) not in used:
                    problems.append(
                        _warning(
                            KEYWORDS_FILE,
                            topic.line,
                            f"accepted_lookalikes of {topic.id!r} ({lang}): {word!r} and "
                            f"{', '.join(map(repr, others))} are not look-alike keywords of "
                            f"{topic.id!r} and another topic (any more): remove the entry",
                        )
                    )
    return problems


def _missing_keywords(library: Library) -> list[Problem]:
    """Errors for topics without keywords in a language, where load_library does not check it."""
    problems = []
    for topic in library.topics:
        # load_library already requires keywords of every other topic that has a reply.
        if topic.id == STOP_TOPIC or not (topic.id in STRUCTURAL_TOPICS or topic.silent):
            continue
        for lang in library.languages:
            if not topic.keywords.get(lang):
                problems.append(
                    _error(KEYWORDS_FILE, topic.line, f"topic {topic.id!r} has no {lang} keywords")
                )
    return problems


def _menu_gaps(library: Library) -> list[Problem]:
    numbers = sorted(library.by_menu_number)
    missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
    if not missing:
        return []
    after_gap = library.by_menu_number[min(n for n in numbers if n > missing[0])]
    return [
        _error(
            KEYWORDS_FILE,
            after_gap.line,
            f"menu numbers must run from 1 without gaps: {', '.join(map(str, missing))} missing "
            f"(the menu has {', '.join(map(str, numbers))})",
        )
    ]


def _emergency_budget(library: Library) -> list[Problem]:
    topic = library.by_id.get(EMERGENCY_TOPIC)
    if topic is None or topic.segment_budget <= EMERGENCY_SEGMENT_LIMIT:
        return []
    return [
        _warning(
            KEYWORDS_FILE,
            topic.line,
            f"emergency has segment_budget {topic.segment_budget}; it is checked against "
            f"{EMERGENCY_SEGMENT_LIMIT} whatever this says, so set it to {EMERGENCY_SEGMENT_LIMIT}",
        )
    ]


# --- The whole library -----------------------------------------------------------------------


def ordered_problems(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """Problems without repeats, errors first, then by file and line."""
    unique = dict.fromkeys(problems)
    return tuple(sorted(unique, key=lambda p: (p.severity != "error", p.file, p.line, p.message)))


def check_library(library: Library, registry: NumberRegistry, today: dt.date) -> CheckReport:
    """Check a loaded library against the number registry, as of `today`."""
    problems = _registry_problems(registry, today)
    problems += invisible_problems(library.bundle)
    replies = []
    for topic in library.topics:
        if topic.silent:
            continue
        for lang in library.languages:
            if lang in topic.replies:
                report, found = check_reply(library, topic.id, lang, registry)
                replies.append(report)
                problems += found
    language_reports, found = check_languages(library, registry)
    replies += language_reports
    problems += found
    voice = []
    for lang in library.languages:
        if library.voice_reply(lang) is not None:
            voice_report, found = check_voice(library, lang, registry)
            voice.append(voice_report)
            problems += found
    exact, keyword_problems = _exact_only(library)
    problems += keyword_problems
    problems += _confusions(library)
    problems += _missing_keywords(library)
    problems += _menu_gaps(library)
    problems += _emergency_budget(library)
    return CheckReport(tuple(replies), tuple(exact), ordered_problems(problems), tuple(voice))
