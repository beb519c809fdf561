"""Ways of combining the rules and the shipped reader, measured on labelled sets it never learned.

    .venv/bin/python -m bench.combine_sweep tests/corpus-blind/blind-d.jsonl ...

The bundled library's reader (trained from examples/) reads every text once; each row of the
table is then one CombineSettings: its top-1, emergency recall and false emergencies over the
sets given. Use sets the examples do not hold (docs/reader.md says which): a set the reader learned
from flatters every row alike and tells nothing.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from bench import ROOT
from bot.core.combine import DEFAULT_COMBINE, CombineSettings, combine_all, is_exact
from bot.core.evaluate import read_labelled
from bot.core.library import load_library_dir
from bot.core.matcher import build_matcher, match_rules
from bot.core.topics import EMERGENCY_TOPIC

FLOORS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)
THRESHOLDS = (0.35, 0.4, 0.5, 0.6, 0.7)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--library", type=Path, default=ROOT)
    args = parser.parse_args(argv)

    cases = []
    for path in args.sets:
        with path.open(encoding="utf-8") as lines:
            cases += read_labelled(lines, source=str(path))
    matcher = build_matcher(load_library_dir(args.library))
    reader = matcher.reader
    if reader is None:
        raise SystemExit("this library has no examples: no reader to combine")
    rules = [match_rules(c.text, matcher) for c in cases]
    scores = [reader.scores(c.text) for c in cases]
    emergencies = sum(EMERGENCY_TOPIC in c.topics for c in cases)
    calm = len(cases) - emergencies
    print(f"{len(cases)} texts, {emergencies} emergencies, {calm} not\n")
    print("| rules' emergency floor | reader's threshold | top-1 | recall | false | shipped |")
    print("|---|---|---|---|---|---|")
    for floor, threshold in itertools.product(FLOORS, THRESHOLDS):
        settings = CombineSettings(
            rules_emergency_floor=floor,
            emergency_threshold=threshold,
            rules_when_unsure=DEFAULT_COMBINE.rules_when_unsure,
            rules_topic_floor=DEFAULT_COMBINE.rules_topic_floor,
        )
        got = [
            r.topic if is_exact(r) else combine_all(c.text, r, p, settings, matcher.tips).topic
            for c, r, p in zip(cases, rules, scores, strict=True)
        ]
        right = sum(g in c.topics for g, c in zip(got, cases, strict=True))
        caught = sum(
            g == EMERGENCY_TOPIC
            for g, c in zip(got, cases, strict=True)
            if EMERGENCY_TOPIC in c.topics
        )
        false = sum(
            g == EMERGENCY_TOPIC
            for g, c in zip(got, cases, strict=True)
            if EMERGENCY_TOPIC not in c.topics
        )
        shipped = "yes" if settings == DEFAULT_COMBINE else ""
        print(
            f"| {floor:.2f} | {threshold:.2f} | {100 * right / len(cases):.1f}% "
            f"| {100 * caught / max(1, emergencies):.1f}% | {false} ({100 * false / max(1, calm):.1f}%) "
            f"| {shipped} |"
        )


if __name__ == "__main__":
    main()
