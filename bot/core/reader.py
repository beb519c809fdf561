"""The learned reader: scores every topic for a whole text, trained from the library's example texts.

A linear model over hashed character n-grams (and word unigrams and bigrams) of a normalised
text, so it reads any script: Latin with or without accents, Cyrillic, Han without spaces,
Hangul, Vietnamese with or without tone marks. docs/reader.md says why this model and not
another (measured side by side by bench/reader_candidates.py).

Training is a multinomial logistic regression fitted by mini-batch gradient descent in numpy, written here because the maintained trainers (scikit-learn) pull scipy and ~60 MB into a
serving worker; with a fixed example order and a seeded shuffle, the same examples give the
same weights, bit for bit.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import itertools
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

#: Hashed feature space: 2**17 rows of weights, one byte per topic each (QUANTUM). 2**17 read
#: 0.7 points more blind texts right than 2**16 with nine languages' examples (fewer n-grams
#: share a row), for the memory 2**16 half-precision weights took (docs/reader.md, round six).
HASH_BITS = 17
#: Weights are kept as signed bytes, each topic's scaled so its largest weight is this: the
#: blind sets' answers were those of the unrounded weights but for 1 text of 3,070.
QUANTUM = 127
#: Character n-grams from CHAR_MIN to CHAR_MAX characters, inside words padded by a space.
CHAR_MIN, CHAR_MAX = 2, 5
#: Passes over the examples, and the step size of the averaged SGD.
EPOCHS = 6
LEARNING_RATE = 3.0
#: Trainings on differently shuffled examples, their weights averaged: one training's answers
#: hang on the order it saw the examples in (two orders disagreed on 6% of held-out texts).
#: Two of 6 passes caught 5 more of 358 unlearned emergencies than one of 10, with 1 fewer false
#: alarm of 1,197, for 1.2 times the training time (docs/reader.md, round four).
RUNS = 2
#: Penalty on the weights a step touches (lazy L2), against overconfident single features.
L2 = 0.0
#: Weight features by inverse document frequency, as tf-idf does.
IDF = True
#: Texts per step of the gradient descent.
BATCH = 32
#: A text's features are capped so that a hostile 1,600-character text costs what a long SMS does.
MAX_TEXT_CHARS = 640
SEED = 2112

#: The smallest integer type that holds a feature's index: training holds one for every feature
#: of every example.
_INDEX_TYPE = np.uint16 if HASH_BITS <= 16 else np.uint32
# Letters people stretch ("ayudaaa") fold to one, as the matcher's normalisation does.
_FOLD_EXTRA = str.maketrans({"đ": "d", "ı": "i", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe"})
_APOSTROPHES = str.maketrans("", "", "'`\u2019\u02bc")  # "won't" -> "wont", as people type it
_ASCII_WORDS = str.maketrans(
    {chr(c): (None if chr(c) in "'`" else " ") for c in range(128) if not chr(c).isalnum()}
)
_STRETCHED = re.compile(r"(\w)\1\1+")


def normalize_for_reader(text: str) -> str:
    """Lower-case words of any script, accents and tone marks dropped, split by single spaces.

    Marks are dropped from decomposed letters and the rest composed again, so Hangul syllables
    come back whole and Vietnamese reads the same with or without its tone marks."""
    text = text[:MAX_TEXT_CHARS]
    if text.isascii():  # most texts: one table, no Unicode decomposition
        text = text.lower().translate(_ASCII_WORDS)
    else:
        text = unicodedata.normalize("NFKD", text.casefold()).translate(_APOSTROPHES)
        text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", text).translate(_FOLD_EXTRA)
    return " ".join(_STRETCHED.sub(r"\1", text).split())


# Multiplier of the rolling hash of n-grams, and the odd constant that spreads a hash's bits
# before its top HASH_BITS bits are taken (Fibonacci hashing).
_ROLL = np.uint64(0x100000001B3)
_SPREAD = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - HASH_BITS)


def _unspaced(codes: np.ndarray) -> np.ndarray:
    """Characters of scripts written without spaces between words (Han, kana): each counts alone."""
    return codes[((codes >= 0x2E80) & (codes <= 0x9FFF)) | ((codes >= 0xF900) & (codes <= 0xFAFF))]


def feature_hashes(text: str) -> np.ndarray:
    """The 64-bit hashes of a text's features: character n-grams (CHAR_MIN to CHAR_MAX, across
    words too), single characters of unspaced scripts, whole words and pairs of words."""
    norm = normalize_for_reader(text)
    if not norm:
        return np.zeros(0, dtype=np.uint64)
    padded = f" {norm} "
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    # Most texts are ASCII, with no character of an unspaced script: seven array operations less.
    parts = [] if padded.isascii() else [_unspaced(codes)]
    rolling = codes
    for n in range(2, CHAR_MAX + 1):
        if len(codes) < n:
            break
        rolling = rolling[:-1] * _ROLL + codes[n - 1 :]
        if n >= CHAR_MIN:
            parts.append(rolling + np.uint64(n))
    words = norm.split()
    crc = zlib.crc32
    tokens = [f"\x01{w}" for w in words]
    tokens += [f"\x02{a} {b}" for a, b in itertools.pairwise(words)]
    parts.append(np.fromiter((crc(t.encode()) for t in tokens), np.uint64, len(tokens)))
    return np.concatenate(parts)


def hashed(text: str, idf: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A text as feature indices and values: each distinct feature once, weighted by `idf` (rare
    features count more) when given, the vector of unit length."""
    hashes = feature_hashes(text)
    if not len(hashes):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
    # np.unique's result, sorted and each once; np.unique itself imports numpy.ma (1.2 MB).
    index = np.sort(((hashes * _SPREAD) >> _SHIFT).astype(np.intp))
    index = index[np.concatenate(([True], index[1:] != index[:-1]))]
    if idf is None:
        return index, np.full(len(index), 1.0 / np.sqrt(len(index)), dtype=np.float32)
    values = idf[index]
    return index, values / np.float32(np.sqrt(values @ values))


@dataclass(frozen=True, slots=True)  # thousands in every worker: no __dict__ each
class Example:
    """One labelled example text: the topic it is about, its language, and where it is written."""

    text: str
    topic: str
    lang: str = "any"
    file: str = ""
    line: int = 0


@dataclass(frozen=True, eq=False)
class Reader:
    """A trained reader: one weight per (hashed n-gram, topic), and the examples it learned from."""

    topics: tuple[str, ...]
    weights: np.ndarray = field(repr=False)  # (2**HASH_BITS, len(topics)) int8
    #: what one step of a topic's weights is worth (float32, one per topic)
    scale: np.ndarray = field(repr=False)
    bias: np.ndarray = field(repr=False)
    #: inverse document frequency per hashed feature, or None (every feature counts alike)
    idf: np.ndarray | None = field(default=None, repr=False)
    #: digest of the examples and settings it was trained from: same digest, same weights
    digest: str = ""
    examples: tuple[Example, ...] = field(default=(), repr=False)

    def scores(self, text: str) -> dict[str, float]:
        """Every topic's probability for a text (they add up to 1)."""
        return dict(zip(self.topics, self.probabilities(text).tolist(), strict=True))

    def probabilities(self, text: str) -> np.ndarray:
        """The topics' probabilities for a text, in the order of `topics`."""
        index, values = hashed(text, self.idf)
        logits = (values @ self.weights[index]) * self.scale + self.bias
        logits = logits - logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The k likeliest topics with their probabilities, likeliest first."""
        probs = self.probabilities(text)
        order = np.argsort(-probs, kind="stable")[:k]
        return [(self.topics[i], round(float(probs[i]), 3)) for i in order]

    def nearest(self, text: str, k: int = 3) -> list[tuple[Example, float]]:
        """The example texts that share most n-grams with a text (cosine), for explanations."""
        index, _ = hashed(text)
        if not len(index) or not self.examples:
            return []
        starts, owners, sizes = self._examples_by_feature
        counts = starts[index + 1] - starts[index]
        total = int(counts.sum())
        # The examples listed under each of the text's features, one after another.
        firsts = np.repeat(starts[index] - np.cumsum(counts) + counts, counts)
        shared = np.bincount(owners[firsts + np.arange(total)], minlength=len(sizes))
        score = shared / np.sqrt(len(index) * np.maximum(sizes, 1))
        kth = np.partition(score, -k)[-k] if len(score) > k else score.min()
        found = sorted(
            (-float(score[i]), self.examples[i].text, int(i)) for i in np.flatnonzero(score >= kth)
        )
        return [(self.examples[i], round(-minus, 3)) for minus, _, i in found[:k]]

    @cached_property
    def _examples_by_feature(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Which examples have each hashed feature, as a sparse matrix's columns are stored
        (start of each feature's list, the examples, each example's feature count). Built at the
        first explanation, so a worker that only answers texts never holds it; comparing a text
        with every example in turn took seconds with nine languages' examples."""
        pieces = [hashed(example.text)[0] for example in self.examples]
        sizes = np.fromiter(map(len, pieces), np.intp, len(pieces))
        features = np.concatenate(pieces)
        owner_type = np.uint16 if len(pieces) <= 1 << 16 else np.uint32
        owners = np.repeat(np.arange(len(pieces), dtype=owner_type), sizes)
        owners = owners[np.argsort(features, kind="stable")]
        starts = np.zeros((1 << HASH_BITS) + 1, dtype=np.int64)
        np.cumsum(np.bincount(features, minlength=1 << HASH_BITS), out=starts[1:])
        return starts, owners, sizes


def examples_digest(examples: Sequence[Example]) -> str:
    """What identifies a training run: the examples in order and the reader's settings."""
    digest = hashlib.sha256()
    settings = (HASH_BITS, CHAR_MIN, CHAR_MAX, EPOCHS, LEARNING_RATE, BATCH, IDF, L2, SEED, RUNS)
    digest.update(repr(settings).encode())
    for example in examples:
        digest.update(f"{example.topic}\t{example.text}\n".encode())
    return digest.hexdigest()


def train_reader(examples: Iterable[Example], topics: Sequence[str] | None = None) -> Reader:
    """Train a reader from example texts; the same examples (in any order) give the same weights.

    `topics` are the topics it may answer (default: those the examples name); examples of other
    topics are left out. Raises ValueError when fewer than two topics have examples."""
    kept, order, present = select_examples(examples, topics)
    arrays = fit_reader(kept, order, present)
    release_freed_memory()
    return trained_reader(kept, order, *arrays)


def select_examples(
    examples: Iterable[Example], topics: Sequence[str] | None = None
) -> tuple[list[Example], tuple[str, ...], list[int]]:
    """What a training run learns from: each text once per topic, in a fixed order whatever order
    they came in, the topics it answers (their order) and the positions of those with examples.
    Raises ValueError when fewer than two topics have examples."""
    chosen = sorted({(e.topic, normalize_for_reader(e.text), e.text): e for e in examples}.items())
    allowed = set(topics) if topics is not None else None
    kept = [e for (_, norm, _), e in chosen if norm and (allowed is None or e.topic in allowed)]
    labels = sorted({e.topic for e in kept})
    if len(labels) < 2:
        raise ValueError("a reader needs examples of at least two topics")
    order = tuple(topics) if topics is not None else tuple(labels)
    position = {t: i for i, t in enumerate(order)}
    return kept, order, sorted(position[t] for t in labels)


def trained_reader(
    kept: Sequence[Example],
    order: tuple[str, ...],
    weights: np.ndarray,
    scale: np.ndarray,
    bias: np.ndarray,
    idf: np.ndarray | None,
) -> Reader:
    """The Reader of a training run's weights (fit_reader's, here or in a child process)."""
    return Reader(
        topics=order,
        weights=weights,
        scale=scale,
        bias=bias,
        idf=idf,
        digest=examples_digest(kept),
        examples=shown_examples(kept),
    )


#: The language tag of an example's romanised twin (bot.core.examples_reader.romanized_twins).
TWIN_SUFFIX = "-Latn"


def shown_examples(kept: Sequence[Example]) -> tuple[Example, ...]:
    """The examples a reader keeps to explain itself: those as written, not their romanised
    twins, which it learns from only (2,655 of them with the bundled library: a worker keeps
    each for nothing)."""
    return tuple(e for e in kept if not e.lang.endswith(TWIN_SUFFIX))


def fit_reader(
    kept: Sequence[Example], order: Sequence[str], present: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The weights (int8) and their scale per topic, biases (float32) and idf (float32, or None)
    learned from select_examples' examples: deterministic, bit for bit."""
    position = {t: i for i, t in enumerate(order)}
    # Every text's features in one array (as a sparse matrix's rows are), never an array per
    # text: thousands of small arrays left the heap of a serving worker tens of MB larger.
    pieces = [hashed(e.text)[0].astype(_INDEX_TYPE) for e in kept]
    lengths = np.fromiter(map(len, pieces), np.intp, len(pieces))
    all_index = np.concatenate(pieces)
    del pieces
    idf = None
    if IDF:
        seen = np.bincount(all_index, minlength=1 << HASH_BITS)
        idf = (np.log((1 + len(kept)) / (1 + seen)) + 1).astype(np.float32)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        squares = np.add.reduceat(np.square(idf[all_index]), starts)
    else:
        squares = lengths.astype(np.float32)
    # A text's values are worked out batch by batch from these, not held for every text at once.
    scale = (1 / np.sqrt(squares)).astype(np.float32)
    y = np.array([position[e.topic] for e in kept], dtype=np.int64)
    weights = np.zeros((1 << HASH_BITS, len(order)), dtype=np.float32)
    bias = np.zeros(len(order), dtype=np.float32)
    for run in range(RUNS):
        run_weights, run_bias = _fit(
            all_index, idf, scale, lengths, y, len(order), present=present, seed=SEED + run
        )
        weights += run_weights
        bias += run_bias
        del run_weights
    weights /= RUNS
    quantized, scale = quantize(weights)
    return quantized, scale, bias / np.float32(RUNS), idf


def quantize(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights as signed bytes and what one step is worth per topic (column): the largest
    weight of a topic becomes +-QUANTUM."""
    largest = np.abs(weights).max(axis=0)
    scale = np.where(largest > 0, largest / QUANTUM, 1.0).astype(np.float32)
    np.divide(weights, scale, out=weights)
    return np.rint(weights).astype(np.int8), scale


def _fit(
    all_index: np.ndarray,
    idf: np.ndarray | None,
    scale: np.ndarray,
    lengths: np.ndarray,
    y: np.ndarray,
    classes: int,
    present: list[int],
    seed: int = SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """Mini-batch SGD on the softmax loss over texts given as one feature array (each text's
    `lengths` features in turn, its values idf times its `scale`), the weights averaged over the
    later epochs' ends; returns the weights (float16) and biases (float32)."""
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.intp)
    w = np.zeros((1 << HASH_BITS, classes), dtype=np.float32)
    b = np.zeros(classes, dtype=np.float64)
    # Summed in half precision: half the memory, and the probabilities move in the fourth digit.
    average_w = np.zeros_like(w, dtype=np.float16)
    average_b = np.zeros_like(b)
    absent = np.full(classes, -np.inf)
    absent[present] = 0.0  # a topic with no examples is never chosen by the reader
    rng = np.random.default_rng(seed)
    averaged = 0
    for epoch in range(EPOCHS):
        rate = LEARNING_RATE / (1 + 0.5 * epoch)
        order = rng.permutation(len(lengths))
        for first in range(0, len(order), BATCH):
            docs = order[first : first + BATCH]
            sizes = lengths[docs]
            offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
            # positions of the batch's features in all_index, without a loop over its texts
            positions = np.repeat(starts[docs] - offsets, sizes) + np.arange(sizes.sum())
            # Indices as intp: numpy gathers rows by any other integer type several times slower.
            index = all_index[positions].astype(np.intp)
            values = np.repeat(scale[docs], sizes)
            if idf is not None:
                values *= idf[index]
            # The batch as a dense matrix over the features it touches (texts x features): two
            # small matrix products do what sums over every feature of every text did, 1.7 times
            # faster on the shipped examples, as accurate on the blind sets (docs/reader.md).
            # Not np.unique, which imports numpy.ma.
            # Equal features get one column whatever their order: no need for a stable sort.
            by_feature = np.argsort(index)
            starts_here = np.r_[True, index[by_feature][1:] != index[by_feature][:-1]]
            touched = index[by_feature][starts_here]
            column = np.empty(len(index), dtype=np.intp)
            column[by_feature] = np.cumsum(starts_here) - 1
            x = np.zeros((len(docs), len(touched)), dtype=np.float32)
            x[np.repeat(np.arange(len(docs)), sizes), column] = values
            batch_w = np.take(w, touched, axis=0)
            logits = x @ batch_w + b + absent
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(docs)), y[docs]] -= 1.0
            gradient = x.T @ p.astype(np.float32)
            if L2:  # shrink the weights a step touches: no feature grows sure of itself alone
                gradient += np.float32(L2) * batch_w
            w[touched] = batch_w - rate * gradient
            b -= rate * p.sum(axis=0)
        if epoch >= EPOCHS // 2:
            average_w += w
            average_b += b
            averaged += 1
    average_w /= np.float16(averaged)
    average_b = average_b / averaged + absent
    average_b[~np.isfinite(average_b)] = -1e9
    return average_w, average_b.astype(np.float32)


def release_freed_memory() -> None:
    """Hand the memory training freed back to the system (glibc keeps it otherwise, and a
    serving worker would carry it for its whole life); a no-op where there is no glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def labelled_examples(examples: Mapping[str, Mapping[str, Sequence[str]]]) -> list[Example]:
    """Examples from {lang: {topic: [texts]}}, as a library holds them."""
    return [
        Example(text, topic, lang)
        for lang, by_topic in sorted(examples.items())
        for topic, texts in sorted(by_topic.items())
        for text in texts
    ]
