"""The labelled texts the reader benchmarks learn from and measure on, each with its writer.

tests/corpus/batch-N.jsonl: one writer per batch; tests/corpus-own/<file>.jsonl: the developer of
issue 15, one writer per file; /work/shared/dev-messages.jsonl: one writer; tests/corpus-writers/*.jsonl
(when present): rows that name their "writer". Rows whose topics the library lacks are dropped
with a warning.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench import ROOT

SHARED_DEV = Path("/work/shared/dev-messages.jsonl")
TRAIN_DIR = ROOT / "tests" / "corpus-writers"


@dataclass(frozen=True)
class Labelled:
    """A labelled text and who wrote it."""

    text: str
    topics: tuple[str, ...]
    lang: str
    writer: str


def _rows(path: Path, writer: str | None) -> list[Labelled]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        topics = row["topics"]
        topics = (topics,) if isinstance(topics, str) else tuple(topics)
        out.append(
            Labelled(str(row["text"]), topics, str(row.get("lang", "any")), writer or row["writer"])
        )
    return out


def load_labelled(
    known_topics: set[str], *, include_train: bool = True, train_dir: Path = TRAIN_DIR
) -> list[Labelled]:
    """Every labelled text the benchmarks use, less those of topics the library lacks."""
    rows: list[Labelled] = []
    for path in sorted((ROOT / "tests" / "corpus").glob("*.jsonl")):
        rows += _rows(path, path.stem)
    for path in sorted((ROOT / "tests" / "corpus-own").glob("*.jsonl")):
        rows += _rows(path, f"own-{path.stem}")
    if SHARED_DEV.is_file():
        rows += _rows(SHARED_DEV, "dev-messages")
    if include_train and train_dir.is_dir():
        for path in sorted(train_dir.glob("*.jsonl")):
            try:
                rows += _rows(path, None)
            except (ValueError, KeyError) as exc:
                print(f"warning: {path.name}: skipped ({exc})", file=sys.stderr)
    kept, dropped = [], Counter()
    for row in rows:
        topics = tuple(t for t in row.topics if t in known_topics)
        if topics:
            kept.append(Labelled(row.text, topics, row.lang, row.writer))
        else:
            dropped.update(row.topics)
    if dropped:
        print(
            "warning: left out texts of topics the library lacks: "
            + ", ".join(f"{t} ({n})" for t, n in sorted(dropped.items())),
            file=sys.stderr,
        )
    return kept


def writer_folds(rows: list[Labelled], folds: int) -> list[list[int]]:
    """Indices of rows split into folds by writer: a writer's texts are all in one fold.

    Writers are dealt largest first to the fold with fewest texts, so folds come out even."""
    sizes = Counter(r.writer for r in rows)
    bins: list[list[str]] = [[] for _ in range(folds)]
    totals = [0] * folds
    for writer, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        k = totals.index(min(totals))
        bins[k].append(writer)
        totals[k] += n
    fold_of = {w: k for k, ws in enumerate(bins) for w in ws}
    out: list[list[int]] = [[] for _ in range(folds)]
    for i, r in enumerate(rows):
        out[fold_of[r.writer]].append(i)
    return out
