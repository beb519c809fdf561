"""First-look figures of a library on labelled sets: top-1, emergency recall, false emergencies and
reply language, per set and per language.

    .venv/bin/python -m bench.first_look tests/corpus-blind/blind-d.jsonl ...
    .venv/bin/python -m bench.first_look --library /path/to/library --by-language SET...

A set is JSON lines shaped like tests/corpus (text, topics, lang). The figures are those the
bot's match() gives, rules and reader combined; docs/reader.md keeps the first look of each set
written blind, measured before anything learned from it.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from bench import ROOT
from bot.core.evaluate import EvalReport, LabelledMessage, evaluate, read_labelled
from bot.core.library import load_library_dir


def row(name: str, report: EvalReport) -> str:
    """One line of the table: a set's (or a language's) figures."""
    recall = report.emergency_recall
    emergencies = sum("emergency" in o.case.topics for o in report.outcomes)
    false, calm = report.false_emergencies
    lang = report.lang_accuracy
    return (
        f"| {name} | {report.total} | {100 * (report.top1 or 0):.1f}% "
        f"| {'-' if recall is None else f'{100 * recall:.1f}%'} ({emergencies}) "
        f"| {false} of {calm} ({100 * false / max(1, calm):.1f}%) "
        f"| {'-' if lang is None else f'{100 * lang:.1f}%'} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--library", type=Path, default=ROOT, help="a library directory")
    parser.add_argument("--by-language", action="store_true", help="a row per language too")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    args = parser.parse_args(argv)

    library = load_library_dir(args.library)
    print("| set | texts | top-1 | emergency recall (emergencies) | false emergencies | language |")
    print("|---|---|---|---|---|---|")
    everything: list[LabelledMessage] = []
    for path in args.sets:
        with path.open(encoding="utf-8") as lines:
            cases = read_labelled(lines, source=str(path))
        everything += cases
        report = evaluate(cases, library)
        print(row(path.stem, report))
        if args.by_language:
            by_lang: dict[str, list[LabelledMessage]] = defaultdict(list)
            for case in cases:
                by_lang[case.lang].append(case)
            for lang, group in sorted(by_lang.items()):
                print(row(f"  {path.stem} {lang}", evaluate(group, library)))
        if args.misses:
            for o in report.misses:
                print(
                    f"    want {'|'.join(o.case.topics)}/{o.case.lang}, got "
                    f"{o.match.topic}/{o.match.lang}: {o.case.text}"
                )
    if len(args.sets) > 1:
        print(row("all", evaluate(everything, library)))


if __name__ == "__main__":
    main()
