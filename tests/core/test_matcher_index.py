"""The matcher's indexes find what a scan of the whole library finds, for any word and any text."""

from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from bot.core.common_words import is_common_word
from bot.core.language import FUNCTION_WORDS
from bot.core.library import load_library_dir
from bot.core.matcher import (
    EXACT,
    FUZZY_MIN_LENGTH,
    PHRASE_MAX_GAP,
    PREFIX,
    PREFIX_MIN_LENGTH,
    _extends,
    _find_keywords,
    _resolve_word,
    build_matcher,
    fuzzy_threshold,
    same_stem,
)

ROOT = Path(__file__).resolve().parents[2]
MATCHER = build_matcher(load_library_dir(ROOT), reader=False)  # the indexes are the rules'
VOCABULARY = sorted(MATCHER.vocabulary)
KEYWORDS = [
    *(kw for kws in MATCHER.single.values() for kw in kws),
    *(kw for followers in MATCHER.phrases.values() for kws in followers.values() for kw in kws),
]
PHRASES = sorted({" ".join(kw.words) for kw in KEYWORDS if len(kw.words) > 1})
LETTERS = "abcdefghijklmnopqrstuvwxyz"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LONG_TEXT_SETTINGS = settings(SETTINGS, max_examples=60)  # the scan takes ~0.1 s per text


def scanned_word(word: str) -> tuple[dict[str, float], set[str]]:
    """What _resolve_word finds, by comparing the word with every keyword word in turn."""
    vocabulary = MATCHER.vocabulary
    if word in MATCHER.keyword_words:
        return {word: EXACT}, set()
    if word in FUNCTION_WORDS or len(word) < PREFIX_MIN_LENGTH or word.isdigit():
        return ({word: EXACT} if word in vocabulary else {}), set()
    found = {stem: PREFIX for stem in VOCABULARY if _extends(word, stem)}
    if word in vocabulary:
        return found | {word: EXACT}, set()
    # A typo is one letter dropped and one added at most, so lengths within one of each other.
    guesses = {}
    for other in VOCABULARY:
        if other in found or len(other) < FUZZY_MIN_LENGTH or abs(len(other) - len(word)) > 1:
            continue
        if is_common_word(word) and not same_stem(word, other):
            continue  # a word spelled right is only ever another ending of a keyword word
        if Indel.distance(word, other) <= 2:
            score = fuzz.ratio(word, other, score_cutoff=fuzzy_threshold(len(other)))
            if score:
                guesses[other] = score
    return found | guesses, set(guesses)


@st.composite
def edited_words(draw: st.DrawFn) -> str:
    """A keyword word as typed: as it is, a letter dropped, added, changed or swapped, longer."""
    word = draw(st.sampled_from(VOCABULARY))
    at = draw(st.integers(0, len(word) - 1))
    letter = draw(st.sampled_from(LETTERS))
    edits = [
        word,
        word[:at] + word[at + 1 :],
        word[:at] + letter + word[at:],
        word[:at] + letter + word[at + 1 :],
        word[:at] + word[at + 1 : at + 2] + word[at] + word[at + 2 :],
        word + draw(st.text(LETTERS, min_size=1, max_size=6)),
    ]
    return draw(st.sampled_from(edits))


words = st.one_of(edited_words(), st.text(LETTERS, min_size=1, max_size=12))


@SETTINGS
@given(word=words)
def test_a_word_stands_for_exactly_the_keyword_words_a_full_scan_finds(word: str) -> None:
    scores, guesses = _resolve_word(MATCHER, word)
    assert (dict(scores), set(guesses)) == scanned_word(word)


def scanned_keywords(resolved, guessed) -> list[tuple]:
    """What _find_keywords finds, by trying every keyword at every position its first word is at:
    each later word within PHRASE_MAX_GAP words of the one before, the second at the first place
    the rest then follows, the rest at the first place each comes."""
    at_positions = defaultdict(list)
    for at, candidates in enumerate(resolved):
        for word in candidates:
            at_positions[word].append(at)
    hits = []
    for kw in KEYWORDS:
        for start in at_positions[kw.words[0]]:
            first_score = resolved[start][kw.words[0]]
            if len(kw.words) == 1:
                hits.append((kw, first_score, start, start, kw.words[0] in guessed[start]))
                break
            found = None
            for second_at in range(start + 1, start + PHRASE_MAX_GAP + 2):
                if second_at < len(resolved) and kw.words[1] in resolved[second_at]:
                    found = _follow_the_rest(kw.words, resolved, guessed, second_at)
                    if found is not None:
                        break
            if found is not None:
                total, last, typo = found
                second_score = resolved[second_at][kw.words[1]]
                score = (first_score + second_score + total) / len(kw.words)
                typo = typo or kw.words[0] in guessed[start] or kw.words[1] in guessed[second_at]
                hits.append((kw, score, start, last, typo))
                break
    # A keyword inside a longer one found over the same words counts only for the longer one.
    return sorted(
        (kw.text, kw.topic, kw.lang, score, first, last, typo)
        for kw, score, first, last, typo in hits
        if not any(
            len(other.words) > len(kw.words) and o_first <= first and last <= o_last
            for other, _, o_first, o_last, _ in hits
        )
    )


def _follow_the_rest(words, resolved, guessed, position):
    total, typo = 0.0, False
    for word in words[2:]:
        for at in range(position + 1, min(position + PHRASE_MAX_GAP + 2, len(resolved))):
            if word in resolved[at]:
                total += resolved[at][word]
                typo = typo or word in guessed[at]
                position = at
                break
        else:
            return None
    return total, position, typo


@st.composite
def long_texts(draw: st.DrawFn) -> list[str]:
    """Up to 200 words: whole phrases (sometimes with a word slipped in), keyword words as typed,
    and other words."""
    parts = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.sampled_from(["phrase", "spread", "word", "other"]))
        if kind in ("phrase", "spread"):
            phrase = draw(st.sampled_from(PHRASES)).split()
            if kind == "spread":
                at = draw(st.integers(1, len(phrase) - 1))
                phrase.insert(at, draw(words))
            parts += phrase
        else:
            parts.append(draw(edited_words() if kind == "word" else words))
    return parts


@LONG_TEXT_SETTINGS
@given(text=long_texts())
def test_a_text_holds_exactly_the_keywords_a_scan_of_every_keyword_finds(text: list[str]) -> None:
    readings = [MATCHER.known_words.get(word) or _resolve_word(MATCHER, word) for word in text]
    resolved = [scores for scores, _ in readings]
    guessed = [guesses for _, guesses in readings]
    found = sorted(
        (h.keyword.text, h.keyword.topic, h.keyword.lang, h.score, h.first, h.last, h.guessed)
        for h in _find_keywords(MATCHER, resolved, guessed)
    )
    assert found == scanned_keywords(resolved, guessed)
