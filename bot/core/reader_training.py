"""Training a reader in a short-lived child process, so a serving worker never holds its peak.

Training holds every example's features, float32 weights and their running average, and leaves
the heap of the process that ran it fragmented: in a worker that cost about 13 MB at its peak
and 8 MB for its whole life (bench/memory.py). The child runs the same code as train_reader and
sends back only what the reader keeps, the weights as bytes with their scale, the biases and
the idf (about 3 MB), so the weights are the same bit for bit (tests/core/test_reader.py holds them
equal). The child gets the examples' topics and texts, library content, never a message.

    python -m bot.core.reader_training < examples.json > weights   # what the worker runs

A handful of examples (tests, a small library) trains in the process itself: its peak is
under a megabyte, and a child would cost a Python start.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from bot.core.reader import (
    Example,
    Reader,
    fit_reader,
    release_freed_memory,
    select_examples,
    trained_reader,
)

#: Fewer examples than this train in the process itself.
CHILD_MIN_EXAMPLES = 500
#: The folder that holds the `bot` package, from which the child runs this module.
_CODE_ROOT = Path(__file__).resolve().parents[2]
#: The arrays a trained reader keeps, in the order the child writes them, and their types
#: (little-endian): weights as signed bytes, single-precision scale, biases and idf.
SECTIONS = ("weights", "scale", "bias", "idf")
DTYPES = {"weights": "|i1", "scale": "<f4", "bias": "<f4", "idf": "<f4"}
#: The arrays of a trained reader: weights, scale, bias, idf (None: every feature alike).
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]


def train(examples: Iterable[Example], topics: Sequence[str] | None = None) -> Reader:
    """train_reader's reader, trained in a child process unless the examples are few (or no
    child can be started). Raises ValueError when fewer than two topics have examples, and
    RuntimeError when the child fails."""
    kept, order, present = select_examples(examples, topics)
    if len(kept) < CHILD_MIN_EXAMPLES:
        arrays = fit_reader(kept, order, present)
        release_freed_memory()
        return trained_reader(kept, order, *arrays)
    try:
        arrays = _fit_in_child(kept, order, present)
    except OSError:  # no child process here (a sandbox, no interpreter path): train here
        arrays = fit_reader(kept, order, present)
        release_freed_memory()
    return trained_reader(kept, order, *arrays)


def _fit_in_child(kept: Sequence[Example], order: Sequence[str], present: list[int]) -> Arrays:
    position = {t: i for i, t in enumerate(order)}
    request = json.dumps(
        {
            "topics": list(order),
            "present": present,
            "examples": [[position[e.topic], e.text] for e in kept],
        },
        ensure_ascii=False,
    ).encode()
    with subprocess.Popen(
        [sys.executable, "-m", "bot.core.reader_training"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=_CODE_ROOT,  # where `bot` is, whatever the working directory of the parent
    ) as child:
        assert child.stdin is not None and child.stdout is not None and child.stderr is not None
        try:
            child.stdin.write(request)
            child.stdin.close()
        except BrokenPipeError:  # it failed before reading: its stderr says why
            pass
        del request
        arrays = read_arrays(child.stdout)
        errors = child.stderr.read()
        if child.wait() != 0 or arrays is None:
            raise RuntimeError(
                "the reader's training failed: " + errors.decode("utf-8", "replace")[-500:]
            )
    return arrays


def write_arrays(out: BinaryIO, arrays: Arrays, **header: object) -> None:
    """Write a reader's arrays (weights, scale, bias, idf) as a JSON header line and their bytes,
    little-endian: the child's answer, and the weights a store keeps. `header` adds fields."""
    little = {
        name: None if a is None else a.astype(DTYPES[name], copy=False)
        for name, a in zip(SECTIONS, arrays, strict=True)
    }
    sections = {
        name: None if a is None else {"dtype": a.dtype.str, "shape": list(a.shape)}
        for name, a in little.items()
    }
    out.write(json.dumps({**header, "sections": sections}).encode() + b"\n")
    for name in SECTIONS:
        if little[name] is not None:
            out.write(np.ascontiguousarray(little[name]).tobytes())
    out.flush()


def read_arrays(stream: BinaryIO) -> Arrays | None:
    """The arrays write_arrays wrote, or None when the stream ends early or is not such a
    stream."""
    header = _read_header(stream)
    if header is None:
        return None
    arrays: list[np.ndarray | None] = []
    for name in SECTIONS:
        spec = header["sections"].get(name)
        if spec is None:
            arrays.append(None)
            continue
        array = _read_array(stream, spec)
        if array is None:
            return None
        arrays.append(array)
    weights, scale, bias, idf = arrays
    if weights is None or scale is None or bias is None:
        return None
    return weights, scale, bias, idf


def _read_header(stream: BinaryIO) -> dict | None:
    """The JSON header line of write_arrays' stream; None when it is not one."""
    try:
        header = json.loads(stream.readline())
    except ValueError:
        return None
    if not isinstance(header, dict) or not isinstance(header.get("sections"), dict):
        return None
    return header


def _read_array(stream, spec: dict) -> np.ndarray | None:
    """An array of the header's dtype and shape read straight into its final memory; None when
    the stream ends first."""
    array = np.empty(spec["shape"], dtype=np.dtype(spec["dtype"]))
    view = memoryview(array).cast("B")
    filled = 0
    while filled < len(view):
        got = stream.readinto(view[filled:])
        if not got:
            return None
        filled += got
    return array


def main() -> None:
    """Read the examples (JSON on stdin), train, and write a JSON header line and the arrays'
    bytes (little-endian) to stdout."""
    request = json.loads(sys.stdin.buffer.read())
    order = tuple(request["topics"])
    kept = [Example(text, order[label]) for label, text in request["examples"]]
    del request["examples"]
    arrays = fit_reader(kept, order, request["present"])
    write_arrays(sys.stdout.buffer, arrays)


if __name__ == "__main__":
    main()
