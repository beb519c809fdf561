"""Matching a text message to a topic of the library: opt-outs, menu numbers, keywords, typos."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import TYPE_CHECKING, NamedTuple

from rapidfuzz import fuzz

from bot.core.combine import answer
from bot.core.common_words import is_common_word, load_common_words
from bot.core.danger import DangerIndex, build_danger_index, read_danger
from bot.core.detect import LanguageDetector, closest_language, detect, library_detector
from bot.core.examples_reader import SavedReaders, library_reader
from bot.core.language import FUNCTION_WORDS
from bot.core.language_model import keyword_spellings, own_spellings
from bot.core.opt_out import is_opt_out
from bot.core.reader import Reader
from bot.core.text import normalize, release_transliteration_tables, tokenize
from bot.core.tips import TipWords, tip_answer
from bot.core.topics import EMERGENCY_TOPIC, MENU_TOPIC, NO_LANG, OTHER_LANGUAGE_TOPIC, STOP_TOPIC

if TYPE_CHECKING:
    from bot.core.library import Library


#: Keyword words shorter than this match only exactly: "pay"/"day" are one letter apart.
FUZZY_MIN_LENGTH = 5
#: A keyword word this long or longer also matches words it starts: "evict" -> "evicted".
PREFIX_MIN_LENGTH = 4
#: The most letters a longer form may add to a keyword word (three for four-letter words).
MAX_PREFIX_EXTENSION = 5
#: Phrases tolerate this many extra words between their own ("took my passport" ~ "took my old passport").
PHRASE_MAX_GAP = 1
#: Scores of a word spelled out and of a longer form of a keyword word; typos score their ratio.
EXACT, PREFIX = 100.0, 92.0
#: A context word ("hotel", "trabajo") weighs this much of a keyword: it sets the scene, it does not
#: name the problem, so "landlord changed the locks while i was at work" stays about housing.
CONTEXT_WEIGHT = 0.5

_MENU_CHOICE = re.compile(
    r"^(?:#|no|num|number|numero|option|opcion|opt|choice|op)?\s*#?\s*(\d{1,2})$"
)


def fuzzy_threshold(length: int) -> float | None:
    """The rapidfuzz ratio a word of this length needs to count as a typo of it; None = exact only."""
    if length < FUZZY_MIN_LENGTH:
        return None
    if length <= 6:
        return 85.0  # one missing or extra letter, not a substituted one ("labr" yes, "pagan"/"pagar" no)
    if length <= 8:
        return 84.0  # one substitution ("trabaho" -> "trabajo")
    return 80.0


def _shortest_to_drop_a_letter() -> int:
    """The shortest message word whose forms with one letter dropped can find a typo the fuzzy
    thresholds accept.

    In the deletion index those forms find the keyword words one letter shorter (which need
    FUZZY_MIN_LENGTH letters) and those of the word's own length with one letter changed or two
    swapped: two edits, which a short word's threshold may refuse (five letters: 80 < 85).
    """
    two_edits = fuzz.ratio("a" * FUZZY_MIN_LENGTH, "b" + "a" * (FUZZY_MIN_LENGTH - 1))
    threshold = fuzzy_threshold(FUZZY_MIN_LENGTH)
    if threshold is not None and two_edits >= threshold:
        return FUZZY_MIN_LENGTH
    return FUZZY_MIN_LENGTH + 1


_SHORTEST_TO_DROP_A_LETTER = _shortest_to_drop_a_letter()


def _extends(word: str, stem: str) -> bool:
    """Whether a word is a keyword word plus a few letters: 'work'+'ers', not 'work'+'shop'."""
    added = len(word) - len(stem)
    limit = 3 if len(stem) == PREFIX_MIN_LENGTH else MAX_PREFIX_EXTENSION
    return len(stem) >= PREFIX_MIN_LENGTH and 0 < added <= limit and word.startswith(stem)


def _word_stands_for(word: str, keyword_word: str) -> float | None:
    """How well a message word matches one keyword word by the matcher's rules, or None."""
    if word == keyword_word:
        return EXACT
    if word in FUNCTION_WORDS or len(word) < PREFIX_MIN_LENGTH:
        return None
    if _extends(word, keyword_word):
        return PREFIX
    threshold = fuzzy_threshold(len(keyword_word))
    if threshold is None or abs(len(word) - len(keyword_word)) > 1:
        return None
    one_edit_apart = {word, *_one_letter_dropped(word)} & {
        keyword_word,
        *_one_letter_dropped(keyword_word),
    }  # the deletion index finds no other typo candidates
    return (one_edit_apart and fuzz.ratio(word, keyword_word, score_cutoff=threshold)) or None


def same_stem(word: str, other: str) -> bool:
    """Whether two words differ only in their last letter, or by one letter added at the end:
    another ending of one word ("paga", "pagan"), not a different word ("message", "massage")."""
    shorter = min(len(word), len(other))
    return abs(len(word) - len(other)) <= 1 and word[: shorter - 1] == other[: shorter - 1]


def confusable_keys(word: str) -> set[str]:
    """Keys such that two words the matcher may confuse always share one (exact, prefix, one edit)."""
    keys = {word, *(word[:cut] for cut in range(PREFIX_MIN_LENGTH, len(word)))}
    if len(word) >= FUZZY_MIN_LENGTH - 1:
        keys.update(_one_letter_dropped(word))
    return keys


def keyword_confusion(a: str, b: str) -> float | None:
    """The score at which the matcher could read keyword `a` as `b` or back, word by word, or None."""
    words_a, words_b = tokenize(a), tokenize(b)
    if words_a == words_b:
        return EXACT
    if len(words_a) != len(words_b):
        return None  # one inside the other counts only for the longer; other lengths never align
    total = 0.0
    for x, y in zip(words_a, words_b, strict=True):
        score = max(_word_stands_for(x, y) or 0.0, _word_stands_for(y, x) or 0.0)
        if not score:
            return None
        total += score
    return round(total / len(words_a), 1)


@dataclass(frozen=True)
class Match:
    """What a message was matched to: the topic, the reply language, and how sure the matcher is (0-100)."""

    topic: str
    lang: str
    score: float
    keyword: str | None = None
    #: the text gave no sign of its language (a menu number, "ok"): `lang` is the default
    guessed_lang: bool = False
    #: an opt-out word or a menu number: nothing may override it (bot.core.combine.is_exact)
    exact: bool = False


@dataclass(frozen=True, eq=False, slots=True)  # hashed by identity: each is built once
class _Keyword:
    topic: str
    lang: str
    text: str
    words: tuple[str, ...]
    weight: float
    context: bool = False


@dataclass(frozen=True)
class Matcher:
    """A library's keywords, normalised and indexed once so that matching a message is cheap.

    It holds what matching needs of the library, not the library itself: the snapshot a worker
    serves holds both (bot.live.Snapshot)."""

    #: the library's languages, its default first
    languages: tuple[str, ...]
    #: menu number -> the id of the topic it chooses
    menu_choices: Mapping[int, str]
    topic_order: Mapping[str, int]
    priority: Mapping[str, int]
    #: topics whose keywords, next to an emergency context word ("right now"), make an emergency
    escalating: frozenset[str]
    vocabulary: frozenset[str]
    #: words that are a whole keyword by themselves
    keyword_words: frozenset[str]
    #: word -> the one-word keywords that are that word
    single: Mapping[str, tuple[_Keyword, ...]]
    #: first word -> second word -> the longer keywords that start with those two words
    phrases: Mapping[str, Mapping[str, tuple[_Keyword, ...]]]
    #: the first PREFIX_MIN_LENGTH letters of each keyword word that long: a message word that
    #: starts otherwise is no longer form of any
    stem_heads: frozenset[str]
    #: how each word the library spells resolves, worked out once when the library loads
    known_words: Mapping[str, tuple[Mapping[str, float], frozenset[str]]]
    #: a keyword word, and each form of it with one letter dropped -> the keyword words it came
    #: from, space-separated: most keys have one, and a str costs less than a tuple of one
    near_words: Mapping[str, str]
    #: the library's danger word families, inflected and indexed (bot.core.danger)
    danger: DangerIndex
    #: texts about someone else that another topic answers (bot.core.tips)
    tips: TipWords = field(default_factory=TipWords)
    reader: Reader | None = None  # trained from the library's examples; None: the rules alone
    #: which of the library's languages a text is in (bot.core.detect)
    detector: LanguageDetector | None = None
    #: the library's own opt-out words (language.yaml opt_out), folded, besides Twilio's
    opt_out_words: frozenset[str] = frozenset()


def build_matcher(
    library: Library, *, reader: bool = True, saved: SavedReaders | None = None
) -> Matcher:
    """Index a library's keywords once (a message then costs a few lookups); train its reader,
    or load the one `saved` keeps for its examples."""
    # Every index is built in its final form (tuples, not lists converted afterwards), so a
    # worker never holds two copies of it: at 10,000 keywords that raised its peak by megabytes.
    single: dict[str, tuple[_Keyword, ...]] = {}
    phrases: dict[str, dict[str, tuple[_Keyword, ...]]] = {}
    vocabulary: set[str] = set()
    weights: dict[float, float] = {}  # one float object per distinct weight, not per keyword
    spellings = own_spellings(library)
    for topic in library.topics:
        for strength, lists in ((1.0, topic.keywords), (CONTEXT_WEIGHT, topic.context)):
            for lang, keywords in lists.items():
                for text, words in keyword_spellings(keywords, spellings.get(lang)):
                    weight = strength * _weight(words)
                    weight = weights.setdefault(weight, weight)
                    kw = _Keyword(topic.id, lang, text, words, weight, context=strength < 1)
                    if len(words) == 1:
                        single[words[0]] = (*single.get(words[0], ()), kw)
                    else:
                        followers = phrases.setdefault(words[0], {})
                        followers[words[1]] = (*followers.get(words[1], ()), kw)
                    vocabulary.update(words)
    near_words: dict[str, str] = {}
    for word in sorted(vocabulary):
        if len(word) >= FUZZY_MIN_LENGTH:
            for key in {word, *_one_letter_dropped(word)}:
                near_words[key] = f"{near_words[key]} {word}" if key in near_words else word
    matcher = Matcher(
        languages=library.languages,
        menu_choices={number: topic.id for number, topic in library.by_menu_number.items()},
        topic_order={t.id: i for i, t in enumerate(library.topics)},
        priority={t.id: t.priority for t in library.topics},
        escalating=frozenset(t.id for t in library.topics if t.escalates),
        vocabulary=frozenset(vocabulary),
        keyword_words=frozenset(single),
        single=single,
        phrases=phrases,
        stem_heads=frozenset(
            w[:PREFIX_MIN_LENGTH] for w in vocabulary if len(w) >= PREFIX_MIN_LENGTH
        ),
        near_words=near_words,
        known_words={},
        danger=build_danger_index(library.danger),
        tips=library.tips,
        detector=library_detector(library),
        opt_out_words=library.opt_out_words,
    )
    # Library words and function words are most of what a message's words resolve to; resolving
    # them here, from the library alone, leaves only unknown words for the request.
    known = {word: _resolve_word(matcher, word) for word in vocabulary | FUNCTION_WORDS}
    load_common_words()  # now, not on the first request that has a typo
    learned = library_reader(library, saved) if reader else None
    release_transliteration_tables()
    return replace(matcher, known_words=known, reader=learned)


def _weight(words: tuple[str, ...]) -> float:
    """A keyword counts once per content word and half per function word: phrases say more."""
    function = sum(w in FUNCTION_WORDS for w in words)
    return max(1.0, len(words) - function + 0.5 * function)


def _resolve_word(matcher: Matcher, word: str) -> tuple[dict[str, float], frozenset[str]]:
    """The keyword words a message word may stand for, how well it matches each, and which of
    them are only typo guesses.

    Typo candidates come from a symmetric-deletion index (as SymSpell does): two words within one
    inserted, dropped, changed or swapped letter share a form with one letter dropped. That finds
    every word the fuzzy thresholds can accept in a few dict lookups, where scanning the whole
    vocabulary with rapidfuzz costs milliseconds at 10,000 keywords; rapidfuzz then scores them.
    """
    vocabulary = matcher.vocabulary
    if word in matcher.keyword_words:
        # A word listed alone as a keyword is claimed by its topic: "fired" is not "fire"+"d".
        return {word: EXACT}, _NO_GUESSES
    if word in FUNCTION_WORDS or len(word) < PREFIX_MIN_LENGTH or word.isdigit():
        return ({word: EXACT} if word in vocabulary else _NOTHING), _NO_GUESSES
    found: dict[str, float] = {}
    # A word whose first letters start no keyword word is none, and extends none.
    if word[:PREFIX_MIN_LENGTH] in matcher.stem_heads:
        # Only stems a few letters shorter than the word can extend to it.
        for cut in range(max(PREFIX_MIN_LENGTH, len(word) - MAX_PREFIX_EXTENSION), len(word)):
            stem = word[:cut]
            if stem in vocabulary and _extends(word, stem):
                found[stem] = PREFIX
        if word in vocabulary:
            found[word] = EXACT
            return found, _NO_GUESSES  # a word the library spells is never read as a typo
    near = matcher.near_words
    if len(word) >= _SHORTEST_TO_DROP_A_LETTER:
        keys = near.keys() & _one_letter_dropped(word)
    else:
        keys = set()
    if word in near:
        keys.add(word)
    if not keys:  # most words are no typo of a keyword word
        return found, _NO_GUESSES
    guesses = set()
    # A word spelled right is meant as written: "message" is no typo of "massage". It may still
    # be another ending of a keyword word ("paga" for "pagan", "mata" for "matar").
    common = is_common_word(word)
    for key in sorted(keys):  # in a fixed order
        for candidate in near[key].split():
            if candidate in found or (common and not same_stem(word, candidate)):
                continue
            score = fuzz.ratio(word, candidate, score_cutoff=fuzzy_threshold(len(candidate)))
            if score:
                found[candidate] = score
                guesses.add(candidate)
    return found, frozenset(guesses)


_NO_GUESSES: frozenset[str] = frozenset()
#: What a word that stands for no keyword word resolves to; shared, and never written to.
_NOTHING: dict[str, float] = {}
_UNKNOWN_WORD = (_NOTHING, _NO_GUESSES)


def _one_letter_dropped(word: str) -> Iterator[str]:
    """Every form of a word with one letter left out (a letter doubled gives one form twice)."""
    return map("".join, combinations(word, len(word) - 1)) if word else iter(())


class _Hit(NamedTuple):  # not a frozen dataclass, which takes three times as long to build
    """A keyword found in a message: how well it matched, and the positions of its first and last words."""

    keyword: _Keyword
    score: float
    first: int
    last: int
    #: some word of the keyword is only a typo guess
    guessed: bool = False

    @property
    def strength(self) -> tuple[float, float]:
        """Which hit best explains a topic: the surest, then the most specific."""
        return (self.score, self.keyword.weight)

    def inside(self, other: _Hit) -> bool:
        """A longer keyword covers this one's words: "emergency" in "emergency shelter", or
        "was trafficked" in "i was trafficked" (counted once, not twice)."""
        return (
            len(other.keyword.words) > len(self.keyword.words)
            and other.first <= self.first
            and self.last <= other.last
        )


_PAST_THE_END: list[dict[str, float]] = [{}] * (PHRASE_MAX_GAP + 1)  # never written to
#: How many positions after one word of a phrase the next may come.
_NEXT_WORD_STEPS = range(1, PHRASE_MAX_GAP + 2)


def _find_keywords(
    matcher: Matcher, resolved: list[dict[str, float]], guessed: list[frozenset[str]]
) -> list[_Hit]:
    """Every keyword whose words appear in order in the message, less those inside longer ones."""
    hits: list[_Hit] = []
    seen: set[_Keyword] = set()
    single, phrases = matcher.single, matcher.phrases
    # Empty positions past the end, so the words after any position are read without bounds checks.
    padded = resolved + _PAST_THE_END
    for start, candidates in enumerate(resolved):
        if not candidates:
            continue
        for first, first_score in candidates.items():
            for kw in single.get(first, ()):
                if kw not in seen:
                    seen.add(kw)
                    hits.append(_Hit(kw, first_score, start, start, first in guessed[start]))
            longer = phrases.get(first)
            if longer is None:
                continue
            for step in _NEXT_WORD_STEPS:
                second_at = start + step
                for second, second_score in padded[second_at].items():
                    started = longer.get(second)
                    if started is None:
                        continue
                    thirds = None  # the words that may come third, gathered if a phrase needs them
                    for kw in started:
                        if kw in seen:
                            continue
                        if len(kw.words) > 2:  # most long phrases fail at their third word
                            if thirds is None:
                                thirds = set().union(
                                    *padded[second_at + 1 : second_at + PHRASE_MAX_GAP + 2]
                                )
                            if kw.words[2] not in thirds:
                                continue
                        found = _follow_phrase(kw.words, padded, guessed, second_at)
                        if found is not None:
                            seen.add(kw)
                            total, last, rest_guessed = found
                            score = (first_score + second_score + total) / len(kw.words)
                            typo = (
                                first in guessed[start]
                                or second in guessed[second_at]
                                or rest_guessed
                            )
                            hits.append(_Hit(kw, score, start, last, typo))
    # The longer keyword is the more specific reading of the same words.
    over: dict[int, list[_Hit]] = {}  # position -> the phrases found over it
    for hit in hits:
        if hit.last > hit.first:
            for at in range(hit.first, hit.last + 1):
                over.setdefault(at, []).append(hit)
    if not over:
        return hits
    return [
        hit
        for hit in hits
        if hit.first not in over  # one word: any phrase over it is longer
        or (hit.last > hit.first and not any(hit.inside(other) for other in over[hit.first]))
    ]


def _follow_phrase(
    words: tuple[str, ...],
    padded: list[dict[str, float]],
    guessed: list[frozenset[str]],
    position: int,
) -> tuple[float, int, bool] | None:
    """Where a phrase's third and later words follow position `position`: their summed score,
    the last position, and whether any was a typo guess; None if they do not follow.

    `padded` is the message's resolved words with _PAST_THE_END after them, as _find_keywords
    reads them: no word matches there, so no position needs a bounds check.
    """
    total, typo = 0.0, False
    for word in words[2:]:
        for step in _NEXT_WORD_STEPS:
            at = position + step
            score = padded[at].get(word)
            if score is not None:
                total += score
                typo = typo or word in guessed[at]
                position = at
                break
        else:
            return None
    return total, position, typo


def _escalated(matcher: Matcher, hits: list[_Hit]) -> bool:
    """An emergency context word ("right now") beside a keyword, spelled out, of a topic that
    escalates: "he is touching her right now" is an emergency, not only `violence`.

    The two must not share a word: in "si no salgo con el" the words "si ... salgo" are no "now"
    word of their own, only part of the violence phrase "salgo con el".
    """
    now = [h for h in hits if h.keyword.topic == EMERGENCY_TOPIC and h.keyword.context]
    if not now:
        return False
    acts = [
        h
        for h in hits
        if h.keyword.topic in matcher.escalating and not h.keyword.context and not h.guessed
    ]
    return any(a.last < n.first or n.last < a.first for a in acts for n in now)


def _rank(
    matcher: Matcher, scores: Mapping[str, float], named: Mapping[str, float], sure: set[str]
) -> str:
    """The topic that best explains a text (not an emergency): priority, then score."""
    if len(scores) == 1:
        return next(iter(scores))  # most texts name one topic, which needs no ranking
    # A topic of higher priority that a keyword names outranks the rest ("the flood closed
    # the farm, no work" is about the disaster), unless the keyword is only a typo guess;
    # otherwise the highest score wins, and on a tie the topic whose words name the problem
    # beats one whose words set the scene.
    priority = matcher.priority
    return min(
        (t for t in scores if t != MENU_TOPIC),
        key=lambda t: (
            -(priority[t] if t in sure else 0),
            -scores[t],
            -named[t],
            matcher.topic_order[t],
        ),
        default=MENU_TOPIC,
    )


def match(text: str, matcher: Matcher) -> Match:
    """Match a message to a topic and reply language: the rules, then the reader (bot.core.combine)."""
    return answer_for(text, match_rules(text, matcher), matcher)


def answer_for(text: str, rules: Match, matcher: Matcher) -> Match:
    """The bot's answer from the rules' match (bot.core.combine.answer); an emergency in a
    language the library lacks is answered in the library's language closest to it."""
    found = answer(text, rules, matcher.reader, matcher.tips, matcher.languages[0])
    if rules.topic == OTHER_LANGUAGE_TOPIC and found.topic == EMERGENCY_TOPIC:
        found = replace(found, lang=closest_language(text, matcher.detector, found.lang))
    return found


def match_rules(text: str, matcher: Matcher) -> Match:
    """Match a message by the rules alone: opt-outs, menu numbers, keywords, danger words."""
    if is_opt_out(text, matcher.opt_out_words):
        return Match(STOP_TOPIC, matcher.languages[0], EXACT, keyword=normalize(text), exact=True)
    words = tokenize(text)
    resolved, guessed = [], []
    known = matcher.known_words
    seen_words: dict[str, tuple[dict[str, float], frozenset[str]]] = {}  # this message only
    for word in words:
        found = known.get(word)
        if found is None:
            if len(word) < PREFIX_MIN_LENGTH:
                found = _UNKNOWN_WORD  # too short for a longer form or a typo of any keyword word
            else:
                found = seen_words.get(word)
                if found is None:
                    found = seen_words[word] = _resolve_word(matcher, word)
        word_scores, guesses = found
        resolved.append(word_scores)
        guessed.append(guesses)
    hits = _find_keywords(matcher, resolved, guessed)
    detector = matcher.detector
    if detector is None:
        return _topic(matcher, words, hits, matcher.languages[0])
    detected = detect(text, words, hits, detector)
    found = _topic(matcher, words, hits, detected.lang or detector.default)
    if detected.lang is None:
        # A language the library lacks: one reply in its first languages, saying how to reach an
        # interpreter; an emergency still gets the emergency reply.
        if found.topic == EMERGENCY_TOPIC:
            return found
        return Match(OTHER_LANGUAGE_TOPIC, detected.other or NO_LANG, found.score)
    if detected.guessed:
        return replace(found, guessed_lang=True)
    return found


def _topic(matcher: Matcher, words: list[str], hits: list[_Hit], lang: str) -> Match:
    """The topic a text names, answered in `lang` (the language match() decided)."""
    # A menu choice ends in its number; most texts do not, and skip the pattern.
    choice = words and words[-1][-1].isdigit() and _MENU_CHOICE.match(" ".join(words))
    if choice:
        chosen_topic = matcher.menu_choices.get(int(choice.group(1)))
        if chosen_topic is not None:
            return Match(chosen_topic, lang, EXACT, keyword=choice.group(0), exact=True)
        return Match(MENU_TOPIC, lang, 0.0)
    danger = read_danger(words, matcher.danger)
    if not hits:
        if danger.danger:
            return Match(EMERGENCY_TOPIC, lang, EXACT, keyword=danger.reason)
        return Match(MENU_TOPIC, lang, 0.0)

    scores: dict[str, float] = defaultdict(float)
    named: dict[str, float] = defaultdict(float)  # the part of the score from non-context words
    sure: set[str] = set()  # topics named by a keyword spelled out, not guessed from a typo
    best_hit: dict[str, _Hit] = {}
    for hit in hits:
        keyword = hit.keyword
        topic = keyword.topic
        part = keyword.weight * hit.score / EXACT
        scores[topic] += part
        if not keyword.context:
            named[topic] += part
            if not hit.guessed:
                sure.add(topic)
        best = best_hit.get(topic)
        if best is None or hit.strength > best.strength:
            best_hit[topic] = hit

    if danger.lowered:
        # Past, habit, "what do i do if" or a harm word about something else, and nothing says
        # it is now: the emergency list's phrases ("beat me") are not danger now either.
        scores.pop(EMERGENCY_TOPIC, None)
        named.pop(EMERGENCY_TOPIC, None)
    if EMERGENCY_TOPIC in named or (EMERGENCY_TOPIC in scores and _escalated(matcher, hits)):
        chosen = EMERGENCY_TOPIC
    elif danger.danger:
        # Danger found by its parts, where the emergency list names no phrase of it.
        return Match(EMERGENCY_TOPIC, lang, EXACT, keyword=danger.reason)
    else:
        # Emergency context words ("right now", "ahorita") only escalate; alone they choose nothing.
        scores.pop(EMERGENCY_TOPIC, None)
        chosen = _rank(matcher, scores, named, sure)
    if chosen not in best_hit:
        return Match(MENU_TOPIC, lang, 0.0)
    hit = best_hit[chosen]
    # "Her boss took her phone": the trouble is someone else's, and the answer is the tip line's.
    tip = tip_answer(chosen, words, lang, matcher.tips)
    return Match(tip or chosen, lang, round(hit.score, 1), keyword=hit.keyword.text)
