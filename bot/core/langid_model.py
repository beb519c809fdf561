"""py3langid's language-identification model, cut down to the languages a library needs.

py3langid (a maintained fork of langid.py; its naive Bayes model over byte n-grams ships inside
the package, 140 languages) holds the whole model once loaded: ~70 MB for its automaton and
weights, ~130 MB at its peak while loading. A worker has 120 MB in all. So the model is read
in a short-lived child process, which keeps the weights of the languages asked for only and
turns the automaton into the table of n-grams it recognises (its states, as byte strings); the
worker gets those few megabytes through a pipe and scores texts exactly as py3langid does
(tests/core/test_detect.py holds the two equal). Nothing about any message goes to the child.

    python -m bot.core.langid_model en es vi > tables   # what the worker runs
"""

from __future__ import annotations

import json
import math
import struct
import subprocess
import sys
import threading
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from operator import add
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()
#: The folder that holds the `bot` package, from which the child runs this module.
_CODE_ROOT = Path(__file__).resolve().parents[2]
#: Tables per set of languages, built once per process: the model's own data, never a message's.
_CACHE: dict[tuple[str, ...], LangidTables] = {}
#: Only a text's first bytes are read: they tell its language as well as all 1,600 would, and
#: keep the cost of a long text near that of an SMS.
MAX_BYTES = 320
#: The longest state of py3langid's automaton, in bytes (the child checks it).
MAX_STATE_BYTES = 7
_MARKS = tuple(1 << (8 * n) for n in range(MAX_STATE_BYTES + 1))
_MASKS = tuple((1 << (8 * n)) - 1 for n in range(MAX_STATE_BYTES + 1))
#: States of the automaton expanded at once while tracing it: bounds the child's memory.
_CHUNK = 4096


@dataclass(frozen=True, eq=False)
class LangidTables:
    """The part of py3langid's model one library uses: n-gram -> feature, and the weights.

    Scored in plain Python, without numpy: a text has a few dozen features, and numpy alone
    would add 15 MB to every worker.
    """

    #: the model's language codes, in the order of the weight columns
    classes: tuple[str, ...]
    #: every state of the automaton, as the bytes that reach it packed into one integer (see
    #: state_key), sorted: a dict of them would cost a worker 12 MB, these arrays 1.3 MB
    keys: array[int]
    #: the feature each state emits, in the order of `keys` (-1: none)
    features: array[int]
    #: log-probability of each feature per language, one byte each: low + byte * step of its
    #: language. py3langid ships them in half precision; a byte halves the 5 MB of 26 languages'
    #: rows and moves a probability in the third decimal (tests/core/test_detect.py).
    weights: bytes
    #: prior log-probability per language
    prior: tuple[float, ...]
    #: per language: the smallest log-probability, and what one step of a byte is worth
    low: tuple[float, ...]
    step: tuple[float, ...]

    def rank(self, text: str) -> list[tuple[str, float]]:
        """The languages by probability for a text, best first, as py3langid's rank() with
        normalised probabilities computes them."""
        data = _encode(text)[:MAX_BYTES]
        counts = self.visits(data)
        width = len(self.classes)
        if not counts:
            return [(c, 1.0 / width) for c in self.classes]
        sums = [0.0] * width
        row = struct.Struct(f"<{width}B")
        size = row.size
        unpack = row.unpack_from
        weights = self.weights
        mass = 0.0
        for feature, count in counts.items():
            # map() keeps the per-language arithmetic in C: a Python loop over it took 4x longer.
            times = math.log1p(count)
            mass += times
            sums = list(map(add, sums, map(times.__mul__, unpack(weights, feature * size))))
        scores = [
            p + low * mass + step * total
            for p, low, step, total in zip(self.prior, self.low, self.step, sums, strict=True)
        ]
        scale = 1.0 / math.sqrt(len(data) or 1)
        top = max(scores) * scale
        exps = [math.exp(s * scale - top) for s in scores]
        total = sum(exps)
        ranked = sorted(range(width), key=lambda i: -exps[i])
        return [(self.classes[i], exps[i] / total) for i in ranked]

    def visits(self, data: bytes) -> Counter[int]:
        """How often each feature occurs in the bytes: py3langid's automaton walk, by table."""
        keys, features, find = self.keys, self.features, bisect_left
        count = len(keys)
        marks, masks = _MARKS, _MASKS
        # The state as its key: its bytes as an integer under a 1 marking its length (state_key).
        value, length = 0, 0
        found: Counter[int] = Counter()
        for byte in data[:MAX_BYTES]:
            if length == MAX_STATE_BYTES:  # no state is longer: drop the oldest byte at once
                length -= 1
                value &= masks[length]
            value, length = (value << 8) | byte, length + 1
            while True:  # the longest suffix the automaton knows (the empty state always)
                key = marks[length] | value
                at = find(keys, key, 0, count)
                if at < count and keys[at] == key:
                    break
                length -= 1
                value &= masks[length]
            feature = features[at]
            if feature >= 0:
                found[feature] += 1
        return found


def state_key(state: bytes) -> int:
    """The bytes of a state as one integer, a 1 byte before them so that length counts: the
    automaton's states are at most 7 bytes long, so every key fits in 64 bits."""
    return int.from_bytes(b"\x01" + state, "big")


def _encode(text: str) -> bytes:
    """The bytes py3langid scores: NFC, lower-cased when the whole text is upper case."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf-8", errors="surrogatepass")


def langid_tables(codes: Sequence[str]) -> LangidTables:
    """The cut-down tables for those of these languages the model knows (the others are left out:
    `classes` says which are in), built once per process in a child process; raises
    RuntimeError if it fails."""
    key = tuple(sorted(set(codes)))
    with _LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = _CACHE[key] = _from_child(key)
        return found


def _from_child(codes: tuple[str, ...]) -> LangidTables:
    # Each section is read straight into its final object: no second copy of the output at once.
    with subprocess.Popen(
        [sys.executable, "-m", "bot.core.langid_model", *codes],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=_CODE_ROOT,  # where `bot` is, whatever the working directory of the parent
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        header_line = child.stdout.readline()
        sections: dict[str, bytes] = {}
        if header_line:
            header = json.loads(header_line)
            for name in ("keys", "features", "weights"):
                sections[name] = child.stdout.read(header["sizes"][name])
        errors = child.stderr.read()
        if child.wait(timeout=120) != 0 or not header_line:
            raise RuntimeError(
                "could not read py3langid's model: " + errors.decode("utf-8", "replace")[-500:]
            )
    keys = array("Q")
    keys.frombytes(sections.pop("keys"))
    features = array("i")
    features.frombytes(sections.pop("features"))
    if sys.byteorder != "little":
        keys.byteswap()
        features.byteswap()
    return LangidTables(
        tuple(header["classes"]),
        keys,
        features,
        sections["weights"],
        tuple(header["prior"]),
        tuple(header["low"]),
        tuple(header["step"]),
    )


def build_tables(codes: Sequence[str]) -> dict[str, Any]:
    """The cut-down tables (run in the child, which alone imports numpy): trace py3langid's automaton breadth
    first from its start, so each state is first reached by the shortest bytes that lead to it,
    which are the n-gram it stands for."""
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, out = load_model(MODEL_DIR / MODEL_FILE)
    classes = list(classes)
    # An aliased language (two columns, e.g. a script variant) keeps its first column.
    keep = [classes.index(c) for c in dict.fromkeys(codes) if c in classes]
    moves = np.frombuffer(nextmove, dtype=np.dtype(nextmove.typecode)).reshape(-1, 256)
    rows = np.frombuffer(row, dtype=np.dtype(row.typecode)).astype(np.int64)
    out_features = np.asarray(out, dtype=np.int32)
    count = len(rows)
    depth = np.full(count, -1, np.int32)
    parent = np.zeros(count, np.int64)
    last_byte = np.zeros(count, np.uint8)
    depth[0] = 0
    level, d = np.array([0], np.int64), 0
    all_bytes = np.arange(256)
    while len(level):
        reached = []
        for start in range(0, len(level), _CHUNK):
            part = level[start : start + _CHUNK]
            targets = moves[rows[part]].astype(np.int64).ravel()
            sources = np.repeat(part, 256)
            byte_values = np.tile(all_bytes, len(part))
            new = depth[targets] == -1
            targets, sources, byte_values = targets[new], sources[new], byte_values[new]
            unique, first = np.unique(targets, return_index=True)
            unique_new = depth[unique] == -1
            unique, first = unique[unique_new], first[unique_new]
            depth[unique] = d + 1
            parent[unique] = sources[first]
            last_byte[unique] = byte_values[first]
            reached.append(unique)
        level = np.concatenate(reached) if reached else np.array([], np.int64)
        d += 1
    strings: list[bytes] = [b""] * count
    for state in np.argsort(depth, kind="stable")[1:].tolist():
        strings[state] = strings[parent[state]] + bytes((int(last_byte[state]),))
    kept = [s for s in range(count) if depth[s] >= 0]
    if max(len(strings[s]) for s in kept) > MAX_STATE_BYTES:
        raise SystemExit("py3langid's automaton has states longer than 7 bytes: update state_key")
    keyed = sorted((state_key(strings[s]), s) for s in kept)
    weights = np.asarray(ptc, dtype=np.float64)[:, keep]
    low = weights.min(axis=0)
    step = np.maximum(weights.max(axis=0) - low, 1e-9) / 255
    steps = np.rint((weights - low) / step).astype("<u1")
    return {
        "classes": [classes[i] for i in keep],
        "keys": np.array([k for k, _ in keyed], dtype="<u8").tobytes(),
        "features": out_features[[s for _, s in keyed]].astype("<i4").tobytes(),
        "weights": np.ascontiguousarray(steps).tobytes(),
        "prior": [float(x) for x in np.asarray(pc, np.float64)[keep]],
        "low": low.tolist(),
        "step": step.tolist(),
    }


def main(argv: Sequence[str]) -> None:
    """Write the cut-down tables for the languages named as arguments to stdout: a JSON header
    line (classes, priors, section sizes), then the sections' bytes."""
    tables = build_tables(list(argv))
    sections = {name: tables[name] for name in ("keys", "features", "weights")}
    header = {
        "classes": tables["classes"],
        "prior": tables["prior"],
        "low": tables["low"],
        "step": tables["step"],
        "sizes": {name: len(data) for name, data in sections.items()},
    }
    out = sys.stdout.buffer
    out.write(json.dumps(header).encode() + b"\n")
    for data in sections.values():
        out.write(data)


if __name__ == "__main__":
    main(sys.argv[1:])
