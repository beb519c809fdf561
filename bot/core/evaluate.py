"""Measuring the matcher against labelled messages: accuracy, reply language, emergency recall."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.core.examples_reader import SavedReaders
from bot.core.library import Library
from bot.core.matcher import Match, build_matcher, match
from bot.core.topics import EMERGENCY_TOPIC, STOP_TOPIC


@dataclass(frozen=True)
class LabelledMessage:
    """One text with the topics a right answer may have, its language ('any' if none) and tags."""

    text: str
    topics: tuple[str, ...]
    lang: str = "any"
    tags: tuple[str, ...] = ()


def read_labelled(lines: Iterable[str], source: str = "<input>") -> list[LabelledMessage]:
    """Parse JSON lines shaped like {"text", "topics", "lang", "tags"}; errors name the line."""
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            topics = row["topics"]
            cases.append(
                LabelledMessage(
                    text=str(row["text"]),
                    topics=tuple([topics] if isinstance(topics, str) else topics),
                    lang=str(row.get("lang", "any")),
                    tags=tuple(row.get("tags", ())),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{source}:{number}: not a labelled message ({exc})") from None
    return cases


@dataclass(frozen=True)
class Outcome:
    """A labelled message and what the matcher made of it."""

    case: LabelledMessage
    match: Match

    @property
    def topic_right(self) -> bool:
        """The matched topic is one of the acceptable ones."""
        return self.match.topic in self.case.topics

    @property
    def lang_right(self) -> bool | None:
        """The reply language is the labelled one; None where any language will do."""
        if self.case.lang == "any":
            return None
        return self.match.lang == self.case.lang


def _rate(right: int, total: int) -> float | None:
    return right / total if total else None


@dataclass(frozen=True)
class EvalReport:
    """Figures over a labelled set."""

    outcomes: tuple[Outcome, ...]
    per_tag: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    per_topic: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """How many messages were measured."""
        return len(self.outcomes)

    @property
    def top1(self) -> float | None:
        """Share of messages whose matched topic is acceptable."""
        return _rate(sum(o.topic_right for o in self.outcomes), self.total)

    @property
    def lang_accuracy(self) -> float | None:
        """Share of language-labelled messages answered in their language."""
        judged = [o.lang_right for o in self.outcomes if o.lang_right is not None]
        return _rate(sum(judged), len(judged))

    @property
    def emergency_recall(self) -> float | None:
        """Share of emergency messages that got the emergency reply."""
        cases = [o for o in self.outcomes if EMERGENCY_TOPIC in o.case.topics]
        return _rate(sum(o.match.topic == EMERGENCY_TOPIC for o in cases), len(cases))

    @property
    def false_emergencies(self) -> tuple[int, int]:
        """(non-emergency messages given the emergency reply, non-emergency messages)."""
        calm = [o for o in self.outcomes if EMERGENCY_TOPIC not in o.case.topics]
        return sum(o.match.topic == EMERGENCY_TOPIC for o in calm), len(calm)

    @property
    def false_opt_outs(self) -> int:
        """Messages taken for an opt-out that were not one."""
        return sum(
            o.match.topic == STOP_TOPIC and STOP_TOPIC not in o.case.topics for o in self.outcomes
        )

    @property
    def misses(self) -> tuple[Outcome, ...]:
        """Outcomes with a wrong topic or a wrong language."""
        return tuple(o for o in self.outcomes if not o.topic_right or o.lang_right is False)

    def as_dict(self) -> dict:
        """The figures as plain JSON-ready values."""
        return {
            "total": self.total,
            "top1": self.top1,
            "lang_accuracy": self.lang_accuracy,
            "emergency_recall": self.emergency_recall,
            "false_emergencies": self.false_emergencies[0],
            "non_emergencies": self.false_emergencies[1],
            "false_opt_outs": self.false_opt_outs,
            "per_tag": {t: {"right": r, "total": n} for t, (r, n) in self.per_tag.items()},
            "per_topic": {t: {"right": r, "total": n} for t, (r, n) in self.per_topic.items()},
            "misses": [
                {
                    "text": o.case.text,
                    "expected": list(o.case.topics),
                    "lang": o.case.lang,
                    "got": o.match.topic,
                    "got_lang": o.match.lang,
                    "score": o.match.score,
                    "keyword": o.match.keyword,
                }
                for o in self.misses
            ],
        }


def evaluate(
    cases: Iterable[LabelledMessage], library: Library, saved: SavedReaders | None = None
) -> EvalReport:
    """Run every labelled message through the matcher and tally the figures; with `saved`, the
    reader kept there for the library's examples is loaded rather than trained."""
    matcher = build_matcher(library, saved=saved)
    outcomes = tuple(Outcome(case, match(case.text, matcher)) for case in cases)
    per_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        for tag in o.case.tags:
            per_tag[tag][0] += o.topic_right
            per_tag[tag][1] += 1
        tally = per_topic[o.case.topics[0]]
        tally[0] += o.topic_right
        tally[1] += 1
    return EvalReport(
        outcomes=outcomes,
        per_tag={t: (r, n) for t, (r, n) in sorted(per_tag.items())},
        per_topic={t: (r, n) for t, (r, n) in sorted(per_topic.items())},
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def format_eval(report: EvalReport) -> str:
    """A plain-text summary for operators: headline figures, per tag and topic, then the misses."""
    lines = [
        f"messages:          {report.total}",
        f"top-1 accuracy:    {_pct(report.top1)}",
        f"reply language:    {_pct(report.lang_accuracy)}",
        f"emergency recall:  {_pct(report.emergency_recall)}",
        "false emergencies: {} of {}".format(*report.false_emergencies),
        f"false opt-outs:    {report.false_opt_outs}",
        "",
        "per tag:",
    ]
    lines += [f"  {t:<14} {r:>3}/{n:<3} {_pct(r / n)}" for t, (r, n) in report.per_tag.items()]
    lines += ["", "per topic:"]
    lines += [f"  {t:<14} {r:>3}/{n:<3} {_pct(r / n)}" for t, (r, n) in report.per_topic.items()]
    lines += ["", f"misses ({len(report.misses)}):"]
    for o in report.misses:
        expected = "|".join(o.case.topics)
        lines.append(
            f"  want {expected}/{o.case.lang}, got {o.match.topic}/{o.match.lang}"
            f" ({o.match.score:g}, {o.match.keyword!r}): {o.case.text}"
        )
    return "\n".join(lines)
