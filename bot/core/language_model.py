"""The library's own language model: which of its languages a text reads like, learned from the
library's example texts, each labelled by the language it is written in.

Naive Bayes over the features the reader hashes (bot.core.reader.feature_hashes: character
n-grams of two to five letters and whole words and word pairs, accents dropped), folded into
2**HASH_BITS buckets: 32 KB a language, where py3langid's cut-down tables take megabytes, and
learned once per library. It knows what py3langid cannot: how the library's writers text each
language (without accents or tone marks, with the English words they mix in).

A language people also text in Latin letters (its language.yaml says `romanized:`) is learned
from its texts romanised too: by anyascii's table for its script (the matcher folds every text
with it already), after the language's own spellings of letters that language.yaml gives
(`romanized: {г: h}`). So a text of it written in Latin letters ("pomogite", "dopomozhit")
reads like it.

bot.core.detect weighs what it says with the script, the library's words and py3langid.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from anyascii import anyascii

from bot.core.reader import feature_hashes
from bot.core.text import tokenize

if TYPE_CHECKING:
    from bot.core.model import Library

#: Buckets of the hashed features: 2**14 rows of one float16 per language (32 KB a language).
HASH_BITS = 14  # at most 16: training counts bucket indices as uint16
#: Added to every feature's count in every language: a feature a language's texts never showed
#: is unlikely in it, not impossible.
ALPHA = 0.1
#: A language with fewer distinct texts than this is left out of the model (a detector then does
#: without the model wherever that language is a candidate): a few keywords make a poor model.
MIN_TEXTS = 50

#: Texts whose features are counted at once while learning.
_CHUNK = 256
# The odd constant of Fibonacci hashing: spreads a 64-bit hash before its top bits are taken.
_SPREAD = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - HASH_BITS)


def features(text: str) -> np.ndarray:
    """A text's hashed features as bucket indices, each as often as it occurs."""
    return ((feature_hashes(text) * _SPREAD) >> _SHIFT).astype(np.intp)


def romanize(text: str, letters: Mapping[str, str] | None = None) -> str:
    """A text in Latin letters: the language's own spellings of letters first (lower-case), then
    anyascii's table for the rest."""
    if letters:
        text = "".join(letters.get(ch, ch) for ch in text.lower())
    return anyascii(text)


@dataclass(frozen=True, eq=False)
class LanguageModel:
    """Log-probability of each hashed feature in each language, read as naive Bayes reads a text."""

    languages: tuple[str, ...]
    #: (2**HASH_BITS, len(languages)) float16: log P(feature | language)
    weights: np.ndarray = field(repr=False)
    #: the languages learned from their texts romanised too
    romanized: frozenset[str] = frozenset()
    #: language -> its column in `weights`
    column: Mapping[str, int] = field(default_factory=dict, repr=False)

    def __contains__(self, lang: object) -> bool:
        return lang in self.column

    def probabilities(self, text: str, candidates: Sequence[str]) -> dict[str, float]:
        """The probability of each candidate the model knows for a text (equal priors).

        Each language's log-likelihood is divided by the square root of the text's number of
        features, as py3langid does: naive Bayes counts every n-gram of a word as news, and would
        be sure of a language after two words."""
        wanted = [(lang, self.column[lang]) for lang in candidates if lang in self.column]
        if not wanted:
            return {}
        index = features(text)
        if not len(index):
            return dict.fromkeys((lang for lang, _ in wanted), 1.0 / len(wanted))
        # Every language's sum at once (one gather), then plain floats: for nine numbers, numpy
        # costs more than it saves.
        sums = self.weights[index].sum(axis=0, dtype=np.float32).tolist()
        scale = 1.0 / math.sqrt(len(index))
        scores = [sums[column] * scale for _, column in wanted]
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return {lang: e / total for (lang, _), e in zip(wanted, exps, strict=True)}


def library_texts(library: Library) -> dict[str, list[str]]:
    """The library's texts in each of its languages, which its model learns from: the example
    texts, not the held-out ones. (Its keywords too were measured: no text answered otherwise,
    and a 10,000-keyword library took a second longer to load.)"""
    texts: dict[str, list[str]] = {lang: [] for lang in library.languages}
    for example in library.examples.train:
        if example.lang in texts:
            texts[example.lang].append(example.text)
    return texts


def romanized_languages(library: Library) -> dict[str, Mapping[str, str]]:
    """The library's languages people text in Latin letters too, each with its own spellings of
    letters (language.yaml `romanized:`)."""
    return {
        lang: letters
        for lang in library.languages
        if (letters := library.language(lang).romanized) is not None
    }


def train_language_model(
    texts: Mapping[str, Sequence[str]], romanized: Mapping[str, Mapping[str, str]]
) -> LanguageModel | None:
    """The model of the languages with MIN_TEXTS distinct texts or more, learned once per process
    for the same texts; None when fewer than two languages have that many.

    `romanized` names the languages learned in Latin letters too, each with its own spellings of
    letters (empty: anyascii's table alone)."""
    kept = tuple(lang for lang, written in texts.items() if len(set(written)) >= MIN_TEXTS)
    if len(kept) < 2:
        return None
    samples = tuple(tuple(sorted(set(texts[lang]))) for lang in kept)
    letters = tuple(
        tuple(sorted(romanized[lang].items())) if lang in romanized else None for lang in kept
    )
    digest = hashlib.sha256(repr((HASH_BITS, ALPHA, kept, letters)).encode())
    for written in samples:
        digest.update(b"\x00" + "\n".join(written).encode())
    return _trained(_Training(digest.hexdigest(), kept, samples, letters))


@dataclass(frozen=True)
class _Training:
    """What a model is learned from; compared and hashed by its digest alone."""

    digest: str
    languages: tuple[str, ...] = field(compare=False, hash=False)
    texts: tuple[tuple[str, ...], ...] = field(compare=False, hash=False)
    letters: tuple[tuple[tuple[str, str], ...] | None, ...] = field(compare=False, hash=False)


@lru_cache(maxsize=4)  # the live library's and a draft's, as the reader's cache
def _trained(training: _Training) -> LanguageModel:
    size = 1 << HASH_BITS
    weights = np.empty((size, len(training.languages)), dtype=np.float16)
    for column, (written, letters) in enumerate(zip(training.texts, training.letters, strict=True)):
        samples = list(written)
        if letters is not None:
            table = dict(letters)
            samples += [romanize(text, table) for text in written]
        counts = np.zeros(size, dtype=np.float64)
        # Counted a few hundred texts at a time: a worker never holds an array per text at once,
        # which would leave its heap larger for good.
        for first in range(0, len(samples), _CHUNK):
            chunk = samples[first : first + _CHUNK]
            counts += np.bincount(
                np.concatenate([features(text) for text in chunk]), minlength=size
            )
        weights[:, column] = np.log((counts + ALPHA) / (counts.sum() + ALPHA * size))
    return LanguageModel(
        languages=training.languages,
        weights=weights,
        romanized=frozenset(
            lang
            for lang, letters in zip(training.languages, training.letters, strict=True)
            if letters is not None
        ),
        column={lang: i for i, lang in enumerate(training.languages)},
    )


def own_spellings(library: Library) -> dict[str, Mapping[str, str]]:
    """The languages whose language.yaml spells some letters its own way in Latin letters
    (`romanized: {г: h, и: y}`): their keywords are also matched as so romanised."""
    return {lang: letters for lang, letters in romanized_languages(library).items() if letters}


def keyword_spellings(
    keywords: Iterable[str], letters: Mapping[str, str] | None
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each keyword with its words as the matcher reads them (interned, so each distinct word is
    stored once however many keywords use it), and again as its language romanises it when that
    differs from the matcher's own folding: "pryvit" (Ukrainian и as y) beside "privit" for
    "привіт"."""
    for text in keywords:
        words = tuple(sys.intern(w) for w in tokenize(text))
        if not words:
            continue
        yield text, words
        if letters:
            own = tuple(sys.intern(w) for w in tokenize(romanize(text, letters)))
            if own and own != words:
                yield text, own
