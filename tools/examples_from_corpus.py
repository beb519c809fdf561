"""Write the bundled library's example files from the labelled corpus, holding out whole writers.

    .venv/bin/python -m tools.examples_from_corpus [--train-dir DIR] [--dev FILE]
    .venv/bin/python -m tools.examples_from_corpus --add tests/corpus-writers/ru.jsonl ...

Reads tests/corpus/*.jsonl (a batch is one writer), tests/corpus-own/*.jsonl, the shared dev set and
every <writer>.jsonl of --train-dir (rows naming their "writer"). Writes examples/<lang>/<topic>.txt
from most writers and examples/heldout/<lang>/<topic>.txt from the writers in HELDOUT_WRITERS and
every HELDOUT_EVERY-th writer of --train-dir (by name), so the held-out texts are by people the
reader never learned from. Opt-outs are left out (they stay exact); a text's first topic is its
label; rows of topics keywords.yaml lacks are left out with a warning; a text already written
(under any topic) is written once.

--add appends the rows of new writers' files to the example files as they are, leaving every
example already written in place (the texts of writers whose files are no longer at hand stay),
and holds out every HELDOUT_EVERY-th of the new writers in the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from bot.core.examples import EXAMPLES_DIR, examples_path
from bot.core.library import load_library_dir
from bot.core.reader import normalize_for_reader
from bot.core.topics import STOP_TOPIC

ROOT = Path(__file__).resolve().parent.parent
#: Corpus batches held out whole. None: tests/test_corpus_accuracy.py holds the bundled library
#: to every emergency of the whole corpus, which only a reader that learned from it can promise.
HELDOUT_WRITERS: frozenset[str] = frozenset()
#: Of the newer writers (--train-dir), every this-many-th by name is held out.
HELDOUT_EVERY = 5
HEADER = "# {topic} ({lang}): one text a line, as people write them; from {source}.\n"


def read_rows(path: Path, writer: str | None) -> list[dict]:
    """The labelled rows of a JSON-lines file, each with its writer."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            topics = row["topics"]
            rows.append(
                {
                    "text": " ".join(str(row["text"]).split()),
                    "topic": topics if isinstance(topics, str) else topics[0],
                    "lang": row.get("lang", "any"),
                    "writer": writer or row["writer"],
                }
            )
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            print(f"warning: {path}:{number}: skipped ({exc})", file=sys.stderr)
    return rows


def deal_rows(
    rows: list[dict],
    topics: set[str],
    heldout: set[str],
    seen: set[str],
    languages: tuple[str, ...],
    default: str | None = None,
) -> tuple[dict[str, list[str]], Counter[str]]:
    """Each row's text under its example file (held out by writer), each text once (`seen` grows);
    a language the library lacks goes to `default`, or is left out and counted when there is none.
    Opt-outs are left out; rows of topics the library lacks are counted."""
    files: dict[str, list[str]] = defaultdict(list)
    skipped: Counter[str] = Counter()
    for row in rows:
        if row["topic"] == STOP_TOPIC:
            continue
        lang = row["lang"] if row["lang"] in languages else default
        if row["topic"] not in topics or lang is None:
            skipped[row["topic"] if lang else f"{row['topic']}/{row['lang']}"] += 1
            continue
        key = normalize_for_reader(row["text"])
        if not key or key in seen:
            continue
        seen.add(key)
        held = row["writer"] in heldout
        files[examples_path(row["topic"], lang, heldout=held)].append(row["text"])
    return files, skipped


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-dir", type=Path, default=ROOT / "tests" / "corpus-writers")
    parser.add_argument("--dev", type=Path, default=Path("/work/shared/dev-messages.jsonl"))
    parser.add_argument("--out", type=Path, default=ROOT)
    parser.add_argument("--add", type=Path, nargs="+", help="append these writers' files only")
    args = parser.parse_args(argv)
    if args.add:
        add_examples(args.add, args.out)
        return

    library = load_library_dir(ROOT)
    topics = {t.id for t in library.topics if t.id != STOP_TOPIC}
    rows: list[dict] = []
    for path in sorted((ROOT / "tests" / "corpus").glob("*.jsonl")):
        rows += read_rows(path, path.stem)
    for path in sorted((ROOT / "tests" / "corpus-own").glob("*.jsonl")):
        rows += read_rows(path, f"own-{path.stem}")
    if args.dev.is_file():
        rows += read_rows(args.dev, "dev-messages")
    newer: list[str] = []
    if args.train_dir.is_dir():
        for path in sorted(args.train_dir.glob("*.jsonl")):
            found = read_rows(path, None)
            rows += found
            newer += sorted({r["writer"] for r in found})
    heldout = set(HELDOUT_WRITERS) | set(sorted(set(newer))[HELDOUT_EVERY - 1 :: HELDOUT_EVERY])

    files: dict[str, list[str]] = defaultdict(list)
    files, skipped = deal_rows(
        rows, topics, heldout, set(), library.languages, default=library.default_language
    )
    if skipped:
        print(
            "warning: left out rows of topics the library lacks: "
            + ", ".join(f"{t} ({n})" for t, n in sorted(skipped.items())),
            file=sys.stderr,
        )
    # Only the languages written here are replaced: others' examples (the translators') stay.
    written = {name.split("/")[-2] for name in files}
    out = args.out / EXAMPLES_DIR
    for lang in sorted(written):
        for old in [*out.glob(f"{lang}/*.txt"), *out.glob(f"heldout/{lang}/*.txt")]:
            old.unlink()
    for name, texts in sorted(files.items()):
        path = args.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        lang, topic = path.parent.name, path.stem
        source = "writers held out from training" if "/heldout/" in name else "the labelled corpus"
        path.write_text(
            HEADER.format(topic=topic, lang=lang, source=source) + "\n".join(texts) + "\n",
            encoding="utf-8",
        )
    total = sum(len(t) for t in files.values())
    held_total = sum(len(t) for n, t in files.items() if "/heldout/" in n)
    print(
        f"wrote {total} examples in {len(files)} files; {held_total} held out "
        f"(writers: {', '.join(sorted(heldout))})"
    )


def _written(path: Path) -> list[str]:
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def add_examples(sources: list[Path], out: Path) -> None:
    """Append new writers' rows to the example files, each text once, whole writers held out."""
    library = load_library_dir(ROOT)
    topics = {t.id for t in library.topics if t.id != STOP_TOPIC}
    rows = [row for path in sources for row in read_rows(path, None)]
    writers = sorted({r["writer"] for r in rows})
    heldout = set(writers[HELDOUT_EVERY - 1 :: HELDOUT_EVERY])
    seen = {
        normalize_for_reader(text)
        for path in (out / EXAMPLES_DIR).rglob("*.txt")
        for text in _written(path)
    }
    files, skipped = deal_rows(rows, topics, heldout, seen, library.languages)
    if skipped:
        print(f"warning: left out {dict(sorted(skipped.items()))}", file=sys.stderr)
    for name, texts in sorted(files.items()):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file():
            lang, topic = path.parent.name, path.stem
            source = "writers held out from training" if "/heldout/" in name else "new writers"
            path.write_text(HEADER.format(topic=topic, lang=lang, source=source), encoding="utf-8")
        with path.open("a", encoding="utf-8") as appended:
            appended.write("\n".join(texts) + "\n")
    total = sum(len(t) for t in files.values())
    held_total = sum(len(t) for n, t in files.items() if "/heldout/" in n)
    print(f"added {total} examples; {held_total} held out (writers: {', '.join(sorted(heldout))})")


if __name__ == "__main__":
    main()
