"""Matching a text message to a topic of the library: opt-outs, menu numbers, keywords, typos."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.core.language import FUNCTION_WORDS, detect_language
from bot.core.text import normalize, tokenize

if TYPE_CHECKING:
    from bot.core.library import Library

#: Twilio's opt-out words. Only a whole message that is one of them opts out.
OPT_OUT_WORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
)
STOP_TOPIC = "stop"
MENU_TOPIC = "menu"
EMERGENCY_TOPIC = "emergency"

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
_OPT_OUT_TRIM = re.compile(r"^[\W_]+|[\W_]+$")
#: Longer than any opt-out word with generous spaces and punctuation around it: not an opt-out.
_OPT_OUT_MAX_CHARS = 64


def fuzzy_threshold(length: int) -> float | None:
    """The rapidfuzz ratio a word of this length needs to count as a typo of it; None = exact only."""
    if length < FUZZY_MIN_LENGTH:
        return None
    if length <= 6:
        return 85.0  # one missing or extra letter, not a substituted one ("labr" yes, "pagan"/"pagar" no)
    if length <= 8:
        return 84.0  # one substitution ("trabaho" -> "trabajo")
    return 80.0


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
    one_edit_apart = ({word} | _one_letter_dropped(word)) & (
        {keyword_word} | _one_letter_dropped(keyword_word)
    )  # the deletion index finds no other typo candidates
    return (one_edit_apart and fuzz.ratio(word, keyword_word, score_cutoff=threshold)) or None


def confusable_keys(word: str) -> set[str]:
    """Keys such that two words the matcher may confuse always share one (exact, prefix, one edit)."""
    keys = {word, *(word[:cut] for cut in range(PREFIX_MIN_LENGTH, len(word)))}
    if len(word) >= FUZZY_MIN_LENGTH - 1:
        keys |= _one_letter_dropped(word)
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
    """A library's keywords, normalised and indexed once so that matching a message is cheap."""

    library: Library
    topic_order: Mapping[str, int]
    priority: Mapping[str, int]
    vocabulary: frozenset[str]
    #: words that are a whole keyword by themselves
    keyword_words: frozenset[str]
    #: word -> the one-word keywords that are that word
    single: Mapping[str, tuple[_Keyword, ...]]
    #: (first word, second word) -> the longer keywords that start with them
    by_first_pair: Mapping[tuple[str, str], tuple[_Keyword, ...]]
    #: the first words of the longer keywords
    phrase_starts: frozenset[str]
    #: how each word the library spells resolves, worked out once when the library loads
    known_words: Mapping[str, tuple[Mapping[str, float], frozenset[str]]]
    #: a keyword word, and each form of it with one letter dropped -> the keyword words it came
    #: from, space-separated: most keys have one, and a str costs less than a tuple of one
    near_words: Mapping[str, str]

    def match(self, text: str) -> Match:
        """Match one message."""
        return _match(self, text)


def build_matcher(library: Library) -> Matcher:
    """Normalise and index a library's keywords once, so each message costs a few lookups."""
    # Every index is built in its final form (tuples, not lists converted afterwards), so a
    # worker never holds two copies of it: at 10,000 keywords that raised its peak by megabytes.
    single: dict[str, tuple[_Keyword, ...]] = {}
    by_first_pair: dict[tuple[str, str], tuple[_Keyword, ...]] = {}
    vocabulary: set[str] = set()
    weights: dict[float, float] = {}  # one float object per distinct weight, not per keyword
    for topic in library.topics:
        for strength, lists in ((1.0, topic.keywords), (CONTEXT_WEIGHT, topic.context)):
            for lang, keywords in lists.items():
                for text in keywords:
                    # Interned, so each distinct word is stored once however many keywords use it.
                    words = tuple(sys.intern(w) for w in tokenize(text))
                    if not words:
                        continue
                    weight = strength * _weight(words)
                    weight = weights.setdefault(weight, weight)
                    kw = _Keyword(topic.id, lang, text, words, weight, context=strength < 1)
                    if len(words) == 1:
                        single[words[0]] = (*single.get(words[0], ()), kw)
                    else:
                        pair = (words[0], words[1])
                        by_first_pair[pair] = (*by_first_pair.get(pair, ()), kw)
                    vocabulary.update(words)
    near_words: dict[str, str] = {}
    for word in sorted(vocabulary):
        if len(word) >= FUZZY_MIN_LENGTH:
            for key in (word, *_one_letter_dropped(word)):
                near_words[key] = f"{near_words[key]} {word}" if key in near_words else word
    matcher = Matcher(
        library=library,
        topic_order={t.id: i for i, t in enumerate(library.topics)},
        priority={t.id: t.priority for t in library.topics},
        vocabulary=frozenset(vocabulary),
        keyword_words=frozenset(single),
        single=single,
        by_first_pair=by_first_pair,
        phrase_starts=frozenset(first for first, _ in by_first_pair),
        near_words=near_words,
        known_words={},
    )
    # Library words are most of what a message's words resolve to; resolving them here, from the
    # library alone, leaves only unknown words for the request.
    known = {word: _resolve_word(matcher, word) for word in vocabulary}
    return replace(matcher, known_words=MappingProxyType(known))


def _weight(words: tuple[str, ...]) -> float:
    """A keyword counts once per content word and half per function word: phrases say more."""
    function = sum(w in FUNCTION_WORDS for w in words)
    return max(1.0, len(words) - function + 0.5 * function)


def match(text: str, library: Library) -> Match:
    """Match a message to a topic and reply language of the library."""
    return library.matcher.match(text)


def is_opt_out(text: str) -> bool:
    """True when the whole message is one Twilio opt-out word, give or take spaces and punctuation."""
    if len(text) > _OPT_OUT_MAX_CHARS:
        return False
    word = _OPT_OUT_TRIM.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return word in OPT_OUT_WORDS


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
        return ({word: EXACT} if word in vocabulary else {}), _NO_GUESSES
    found: dict[str, float] = {}
    # Only stems a few letters shorter than the word can extend to it.
    for cut in range(max(PREFIX_MIN_LENGTH, len(word) - MAX_PREFIX_EXTENSION), len(word)):
        stem = word[:cut]
        if stem in vocabulary and _extends(word, stem):
            found[stem] = PREFIX
    if word in vocabulary:
        found[word] = EXACT
        return found, _NO_GUESSES  # a word the library spells is never read as a typo of another
    near = matcher.near_words
    guesses = set()
    keys = _one_letter_dropped(word)
    keys.add(word)
    for key in sorted(keys & near.keys()):  # one set operation, in a fixed order
        for candidate in near[key].split():
            if candidate in found:
                continue
            score = fuzz.ratio(word, candidate, score_cutoff=fuzzy_threshold(len(candidate)))
            if score:
                found[candidate] = score
                guesses.add(candidate)
    return found, frozenset(guesses)


_NO_GUESSES: frozenset[str] = frozenset()


def _one_letter_dropped(word: str) -> set[str]:
    """Every form of a word with one letter left out."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True, slots=True)
class _Hit:
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


def _find_keywords(
    matcher: Matcher, resolved: list[dict[str, float]], guessed: list[frozenset[str]]
) -> list[_Hit]:
    """Every keyword whose words appear in order in the message, less those inside longer ones."""
    hits: list[_Hit] = []
    seen: set[_Keyword] = set()
    end = len(resolved)
    for start, candidates in enumerate(resolved):
        for first, first_score in candidates.items():
            first_guessed = first in guessed[start]
            for kw in matcher.single.get(first, ()):
                if kw not in seen:
                    seen.add(kw)
                    hits.append(_Hit(kw, first_score, start, start, first_guessed))
            if first not in matcher.phrase_starts:
                continue
            for second_at in range(start + 1, min(start + PHRASE_MAX_GAP + 2, end)):
                for second, second_score in resolved[second_at].items():
                    for kw in matcher.by_first_pair.get((first, second), ()):
                        if kw in seen:
                            continue
                        if len(kw.words) > 2:  # most long phrases fail at their third word
                            third, after = kw.words[2], resolved[second_at + 1 : second_at + 3]
                            if not any(third in candidates_there for candidates_there in after):
                                continue
                        found = _follow_phrase(kw.words, resolved, guessed, second_at)
                        if found is not None:
                            seen.add(kw)
                            total, last, rest_guessed = found
                            score = (first_score + second_score + total) / len(kw.words)
                            typo = first_guessed or second in guessed[second_at] or rest_guessed
                            hits.append(_Hit(kw, score, start, last, typo))
    # The longer keyword is the more specific reading of the same words.
    phrases = [h for h in hits if len(h.keyword.words) > 1]
    if not phrases:
        return hits
    over: dict[int, list[_Hit]] = defaultdict(list)  # position -> the phrases spanning it
    for phrase in phrases:
        for at in range(phrase.first, phrase.last + 1):
            over[at].append(phrase)

    def kept(hit: _Hit) -> bool:
        if hit.first == hit.last:  # one word: any phrase over it is longer
            return hit.first not in over
        return not any(hit.inside(other) for other in over.get(hit.first, ()))

    return [h for h in hits if kept(h)]


def _follow_phrase(
    words: tuple[str, ...],
    resolved: list[dict[str, float]],
    guessed: list[frozenset[str]],
    position: int,
) -> tuple[float, int, bool] | None:
    """Where a phrase's third and later words follow position `position`: their summed score,
    the last position, and whether any was a typo guess; None if they do not follow."""
    total, typo = 0.0, False
    for word in words[2:]:
        for step in range(1, PHRASE_MAX_GAP + 2):
            at = position + step
            score = resolved[at].get(word) if at < len(resolved) else None
            if score is not None:
                total += score
                typo = typo or word in guessed[at]
                position = at
                break
        else:
            return None
    return total, position, typo


def _match(matcher: Matcher, text: str) -> Match:
    library = matcher.library
    if is_opt_out(text):
        return Match(STOP_TOPIC, library.default_language, EXACT, keyword=normalize(text))
    words = tokenize(text)
    resolved, guessed = [], []
    known = matcher.known_words
    seen_words: dict[str, tuple[dict[str, float], frozenset[str]]] = {}  # this message only
    for word in words:
        found = known.get(word) or seen_words.get(word)
        if found is None:
            found = seen_words[word] = _resolve_word(matcher, word)
        scores, guesses = found
        resolved.append(scores)
        guessed.append(guesses)
    hits = _find_keywords(matcher, resolved, guessed)
    lang = detect_language(words, hits, library)

    choice = _MENU_CHOICE.match(" ".join(words))
    if choice:
        topic = library.by_menu_number.get(int(choice.group(1)))
        if topic is not None:
            return Match(topic.id, lang, EXACT, keyword=choice.group(0))
        return Match(MENU_TOPIC, lang, 0.0)

    scores: dict[str, float] = defaultdict(float)
    named: dict[str, float] = defaultdict(float)  # the part of the score from non-context words
    sure: set[str] = set()  # topics named by a keyword spelled out, not guessed from a typo
    best_hit: dict[str, _Hit] = {}
    for hit in hits:
        topic = hit.keyword.topic
        scores[topic] += hit.keyword.weight * hit.score / EXACT
        if not hit.keyword.context:
            named[topic] += hit.keyword.weight * hit.score / EXACT
            if not hit.guessed:
                sure.add(topic)
        if topic not in best_hit or hit.strength > best_hit[topic].strength:
            best_hit[topic] = hit

    if EMERGENCY_TOPIC in named:
        chosen = EMERGENCY_TOPIC
    else:
        # A topic of higher priority that a keyword names outranks the rest ("the flood closed
        # the farm, no work" is about the disaster), unless the keyword is only a typo guess;
        # otherwise the highest score wins, and on a tie the topic whose words name the problem
        # beats one whose words set the scene.
        priority = matcher.priority
        chosen = min(
            (t for t in scores if t != MENU_TOPIC),
            key=lambda t: (
                -(priority[t] if t in sure else 0),
                -scores[t],
                -named[t],
                matcher.topic_order[t],
            ),
            default=MENU_TOPIC,
        )
    if chosen not in best_hit:
        return Match(MENU_TOPIC, lang, 0.0)
    hit = best_hit[chosen]
    return Match(chosen, lang, round(hit.score, 1), keyword=hit.keyword.text)
