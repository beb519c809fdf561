"""Matching results to compare two versions of the bot: topic, language, score and keyword per
(library, text), as JSON lines, for the corpus and generated libraries.

    .venv/bin/python -m bench.match_diff > /tmp/new.jsonl
    git worktree add /tmp/base <commit>
    .venv/bin/python -m bench.match_diff --root /tmp/base > /tmp/base.jsonl
    cmp /tmp/base.jsonl /tmp/new.jsonl          # no output: the matcher did not change

--root imports the bot from another checkout (before or after match(text, matcher) existed), so
the same script reads both. Texts: tests/corpus/*.jsonl and the shared dev messages, each also
with a typo; libraries: the bundled one and bench.matcher_scale's 100, 1,000 and 10,000-keyword
ones, each with 1,500 messages generated for it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from bench import ROOT
from bench.corpus import DEV_MESSAGES, read_texts

LIBRARY_SIZES = ((100, 20), (1000, 60), (10000, 200))
EDGE_TEXTS = ["", "STOP", " stop! ", "3", "#2", "option 12", "ayuda", "help please"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose bot to use")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    for name in [m for m in sys.modules if m == "bot" or m.startswith("bot.")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    from bench.matcher_scale import generate_bundle, generate_messages, typo
    from bot.core import matcher as matching
    from bot.core.library import load_library, load_library_dir

    def target(library):
        # Before the snapshot held the matcher, match() took the library.
        if hasattr(type(library), "matcher"):
            return library
        return matching.build_matcher(library)

    paths = sorted((root / "tests" / "corpus").glob("*.jsonl"))
    if DEV_MESSAGES.is_file():
        paths.append(DEV_MESSAGES)
    texts = [text for path in paths for text in read_texts(path)]
    rng = random.Random(17)
    texts += [typo(rng, text) for text in texts] + EDGE_TEXTS
    libraries = {"bundled": load_library_dir(root)}
    for n, topics in LIBRARY_SIZES:
        libraries[f"gen{n}"] = load_library(generate_bundle(n, topics))
    for name, library in libraries.items():
        own = texts
        if name != "bundled":
            own = texts[:500] + [m.text for m in generate_messages(library, 1500)]
        matcher = target(library)
        for text in own:
            found = matching.match(text, matcher)
            row = [name, text, found.topic, found.lang, found.score, found.keyword]
            print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
