"""The check report for operators: a plain-text table, or JSON for `--json`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from bot.core.checks import CheckReport, ReplyNumber
from bot.core.matcher import FUZZY_MIN_LENGTH
from bot.core.sms import Change
from bot.core.tables import format_table

# --- Output ----------------------------------------------------------------------------------


def _numbers_cell(numbers: tuple[ReplyNumber, ...]) -> str:
    cells = dict.fromkeys(n.text if n.registry_id else f"{n.text} (unknown)" for n in numbers)
    return ", ".join(cells) or "-"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def format_report(report: CheckReport) -> str:
    """The report as a plain-text table for operators, then problems (errors first) and a summary."""
    header = ("topic", "lang", "chars", "encoding", "segments", "numbers")
    rows = [
        (
            r.topic,
            r.lang,
            str(r.characters),
            r.encoding if not r.ucs2_chars else f"{r.encoding} {''.join(r.ucs2_chars)}",
            f"{r.segments}/{r.budget}" + (" OVER" if r.segments > r.budget else ""),
            _numbers_cell(r.numbers),
        )
        for r in report.replies
    ]
    # Characters read best right-aligned; the numbers column is free text.
    out = [format_table(header, rows, right={2}, open_last=True)]

    if report.voice:
        out += ["", "Spoken message of calls (estimated length, each digit counted as a word):"]
        out += [
            f"  {v.lang}: {v.words} words, about {v.seconds:.0f} s of {v.limit} s; "
            f"{_numbers_cell(v.numbers)}"
            for v in report.voice
        ]
    else:
        out += ["", "No spoken message of calls (voice.txt): calls hear the fixed bilingual one."]

    if report.exact_only:
        out += [
            "",
            f"Exact-only keywords (shorter than {FUZZY_MIN_LENGTH} letters, no typo matching):",
        ]
        grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
        for k in report.exact_only:
            grouped[(k.topic, k.lang)].append(k.keyword)
        out += [f"  {topic} {lang}: {', '.join(words)}" for (topic, lang), words in grouped.items()]

    for title, problems in (("Errors:", report.errors), ("Warnings:", report.warnings)):
        if problems:
            out += ["", title, *(f"  {p}" for p in problems)]
    out += ["", f"{_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}"]
    return "\n".join(out)


def report_as_json(report: CheckReport) -> dict[str, Any]:
    """The report as plain JSON-ready data, for `--json`."""
    return {
        "ok": report.ok,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "replies": [
            {
                "topic": r.topic,
                "lang": r.lang,
                "file": r.file,
                "characters": r.characters,
                "encoding": r.encoding,
                "units": r.units,
                "segments": r.segments,
                "budget": r.budget,
                "ucs2_chars": list(r.ucs2_chars),
                "numbers": [
                    {"text": n.text, "digits": n.digits, "registry_id": n.registry_id}
                    for n in r.numbers
                ],
            }
            for r in report.replies
        ],
        "voice": [
            {
                "lang": v.lang,
                "file": v.file,
                "words": v.words,
                "seconds": v.seconds,
                "limit": v.limit,
                "numbers": [
                    {"text": n.text, "digits": n.digits, "registry_id": n.registry_id}
                    for n in v.numbers
                ],
            }
            for v in report.voice
        ],
        "exact_only": [
            {"topic": k.topic, "lang": k.lang, "keyword": k.keyword, "line": k.line}
            for k in report.exact_only
        ],
        "problems": [
            {"severity": p.severity, "file": p.file, "line": p.line, "message": p.message}
            for p in report.problems
        ],
    }


def changes_as_json(changes: Mapping[str, tuple[Change, ...]]) -> dict[str, list[dict[str, Any]]]:
    """transliterate_library's changes as plain JSON-ready data."""
    return {
        file: [{"char": c.char, "replacement": c.replacement, "count": c.count} for c in made]
        for file, made in changes.items()
    }
