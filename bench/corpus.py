"""The texts the benchmarks send: the shared development corpus, else the tests' own."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench import ROOT

#: Realistic texts written for the project; read at run time only, never copied into the repo.
DEV_MESSAGES = Path(os.environ.get("BENCH_DEV_MESSAGES", ROOT.parent / "shared/dev-messages.jsonl"))
#: The tests' corpus, used when the shared one is not there.
OWN_CORPUS = ROOT / "tests" / "corpus" / "batch-0.jsonl"


def read_texts(path: Path) -> list[str]:
    """The "text" of every JSON line of a corpus file."""
    texts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            texts.append(json.loads(line)["text"])
    return texts


def read_dev_messages() -> list[str]:
    """The shared realistic texts, if the file is there."""
    return read_texts(DEV_MESSAGES) if DEV_MESSAGES.is_file() else []


def corpus_texts() -> tuple[list[str], str]:
    """Texts from the shared development corpus, or the tests' own corpus without it, and which."""
    source = DEV_MESSAGES if DEV_MESSAGES.is_file() else OWN_CORPUS
    return read_texts(source), str(source)
