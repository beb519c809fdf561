"""A trained reader's arrays as bytes, so that a store can keep them and a worker load them.

Training the bundled reader takes seconds (12 s for 9,013 examples on this 2-core machine, far
more under load); every worker of every instance trained it again at each start. Publishing
trains once and the store keeps the arrays under a key of the examples, the topics and the
reader's settings (examples_digest): the same key always means the same weights, bit for bit.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence

import numpy as np

from bot.core.reader import HASH_BITS, Example, Reader, trained_reader
from bot.core.reader_training import DTYPES, SECTIONS, write_arrays

#: Bumped when the bytes' layout changes: older rows are then never read, only replaced.
FORMAT = 2  # 2: weights as bytes with a scale per topic, 2**17 rows


def saved_reader_key(digest: str, topics: Sequence[str]) -> str:
    """The key a reader trained from examples of this digest for these topics is kept under."""
    text = f"{FORMAT}\n{digest}\n" + "\t".join(topics)
    return hashlib.sha256(text.encode()).hexdigest()


def reader_bytes(reader: Reader, key: str) -> bytes:
    """A trained reader's arrays and what they were trained for, as bytes (about 3 MB)."""
    out = io.BytesIO()
    arrays = (reader.weights, reader.scale, reader.bias, reader.idf)
    write_arrays(out, arrays, format=FORMAT, key=key)
    return out.getvalue()


def reader_from_bytes(
    data: bytes, key: str, kept: Sequence[Example], topics: tuple[str, ...]
) -> Reader | None:
    """The reader kept as reader_bytes(..., key) wrote it, over these examples; None when the
    bytes are not that (another key or format, cut short, the wrong shapes): train instead.
    The arrays are read in place, without a copy."""
    end = data.find(b"\n")
    try:
        header = json.loads(data[:end]) if end > 0 else None
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key:
        return None
    expected = {
        "weights": [1 << HASH_BITS, len(topics)],
        "scale": [len(topics)],
        "bias": [len(topics)],
        "idf": [1 << HASH_BITS],
    }
    arrays: list[np.ndarray | None] = []
    offset = end + 1
    sections = header.get("sections") or {}
    for name in SECTIONS:
        spec = sections.get(name)
        if spec is None and name == "idf":
            arrays.append(None)
            continue
        if not isinstance(spec, dict) or spec.get("dtype") != DTYPES[name]:
            return None
        if spec.get("shape") != expected[name]:
            return None
        count = int(np.prod(expected[name]))
        size = count * np.dtype(DTYPES[name]).itemsize
        if offset + size > len(data):
            return None
        array = np.frombuffer(data, dtype=DTYPES[name], count=count, offset=offset)
        arrays.append(array.reshape(expected[name]))
        offset += size
    if offset != len(data):
        return None
    weights, scale, bias, idf = arrays
    assert weights is not None and scale is not None and bias is not None
    return trained_reader(kept, topics, weights, scale, bias, idf)
