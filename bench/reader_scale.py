"""The reader's costs: preparing the shipped library (training included), match p99 with 10,000
keywords and the shipped examples, and the memory of a process holding it.

    .venv/bin/python -m bench.reader_scale
    .venv/bin/python -m bench.memory            # one worker's peak with the bundled library

Each figure comes from a fresh child process, so imports and caches of one do not help another.
The 10,000-keyword library is bench/matcher_scale.py's generator, with the shipped examples
(examples/) laid over 16 of its topics, so the reader has as many topics and texts as the
shipped one. Prints figures and PASS/FAIL against issue 21's budgets, never asserts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from bench import ROOT

PREPARE_TARGET_S = 15.0
P99_TARGET_MS = 2.0
MEMORY_TARGET_MB = 120.0


def child_prepare() -> dict:
    """Prepare the shipped library as `flask library check` does: load, check, train."""
    start = time.perf_counter()
    from bot.library.prepare import prepare_library

    prepared = prepare_library(ROOT)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "ok": prepared.ok}


def scaled_bundle(keywords: int = 10_000, topics: int = 200) -> dict[str, str]:
    """The generated bundle (10,000 keywords by default) with the shipped examples under its
    topics; bench.throughput --examples uses it too."""
    import yaml

    from bench.matcher_scale import generate_bundle
    from bot.core.library import read_bundle

    bundle = generate_bundle(keywords, topics)
    topics = [t["id"] for t in yaml.safe_load(bundle["keywords.yaml"])["topics"]]
    structural = {"emergency", "menu"}
    ordinary = [t for t in topics if t not in ("emergency", "menu", "stop")]
    shipped = {n: text for n, text in read_bundle(ROOT).items() if n.startswith("examples/")}
    shipped_topics = sorted({n.rsplit("/", 1)[1][:-4] for n in shipped})
    mapping = {}
    for topic in shipped_topics:
        mapping[topic] = topic if topic in structural else ordinary[len(mapping) % len(ordinary)]
    for name, text in shipped.items():
        head, file = name.rsplit("/", 1)
        bundle[f"{head}/{mapping[file[:-4]]}.txt"] = text
    return bundle


def child_match(passes: int) -> dict:
    """Match p50/p99 over the corpus texts with the 10,000-keyword library and the examples."""
    import gc
    import resource

    from bench.matcher_scale import percentile
    from bench.reader_data import load_labelled
    from bot.core.examples_reader import library_reader
    from bot.core.library import load_library
    from bot.core.matcher import build_matcher, match

    start = time.perf_counter()
    library = load_library(scaled_bundle())
    loaded = time.perf_counter()
    library_reader(library)  # training alone, timed; build_matcher finds it in the cache
    trained = time.perf_counter()
    matcher = build_matcher(library)
    built = time.perf_counter()
    texts = [r.text for r in load_labelled({t.id for t in library.topics} | _corpus_topics())]
    for text in texts:
        match(text, matcher)
    gc.collect()
    times = []
    clock = time.perf_counter_ns
    for _ in range(passes):
        for text in texts:
            t0 = clock()
            match(text, matcher)
            times.append(clock() - t0)
    times.sort()
    reading = []
    for text in texts:
        t0 = clock()
        matcher.reader.scores(text)
        reading.append(clock() - t0)
    reading.sort()
    return {
        "train_s": trained - loaded,
        "reader_p99_ms": percentile(reading, 99) / 1e6,
        "reader_p50_ms": percentile(reading, 50) / 1e6,
        "texts": len(texts),
        "passes": passes,
        "load_s": loaded - start,
        "build_s": built - trained,
        "reader_topics": len(matcher.reader.topics) if matcher.reader else 0,
        "p50_ms": percentile(times, 50) / 1e6,
        "p99_ms": percentile(times, 99) / 1e6,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _corpus_topics() -> set[str]:
    from bot.core.library import load_library_dir

    return {t.id for t in load_library_dir(ROOT).topics}


def run_child(mode: str, *extra: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.reader_scale", "--child", mode, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["prepare", "match"])
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args(argv)
    if args.child == "prepare":
        print(json.dumps(child_prepare()))
        return 0
    if args.child == "match":
        print(json.dumps(child_match(args.passes)))
        return 0
    with open("/proc/loadavg") as f:
        print(f"load average: {f.read().split()[0]} (2 cores shared)")
    prepared = run_child("prepare")
    print(
        f"prepare the shipped library (load, check, train): {prepared['seconds']:.2f} s, ok={prepared['ok']}"
    )
    matched = run_child("match", "--passes", str(args.passes))
    print(
        f"10,000 keywords + shipped examples ({matched['reader_topics']} reader topics): "
        f"load {matched['load_s']:.2f} s, matcher {matched['build_s']:.2f} s; "
        f"{matched['texts']} texts x {matched['passes']}: p50 {matched['p50_ms']:.3f} ms, "
        f"p99 {matched['p99_ms']:.3f} ms; process peak {matched['max_rss_mb']:.0f} MB"
    )
    print(
        f"training alone {matched['train_s']:.2f} s; the reader alone per text: "
        f"p50 {matched['reader_p50_ms']:.3f} ms, p99 {matched['reader_p99_ms']:.3f} ms"
    )
    print()
    verdict = "PASS" if prepared["seconds"] <= PREPARE_TARGET_S else "FAIL"
    print(f"{verdict}  prepare {prepared['seconds']:.2f} s (budget {PREPARE_TARGET_S:.0f} s)")
    verdict = "PASS" if matched["p99_ms"] <= P99_TARGET_MS else "FAIL"
    print(f"{verdict}  match p99 {matched['p99_ms']:.3f} ms (budget {P99_TARGET_MS:.0f} ms)")
    print("(one worker's memory: python -m bench.memory, budget 120 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
