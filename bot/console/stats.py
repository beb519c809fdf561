"""The console's stats page: daily counts as a chart drawn on the server (SVG, no script, no
third party), and as CSV."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import Response, render_template, request
from markupsafe import Markup, escape

from bot.console.blueprint import bp, library_store, settings
from bot.console.security import requires
from bot.core.topics import PSEUDO_TOPICS
from bot.store import CountRow

#: Colours of the topics' bars, in turn (readable on white, distinct in greyscale order too).
PALETTE = (
    "#1b6ca8",
    "#e07b00",
    "#2e8b57",
    "#b03a48",
    "#6a4c93",
    "#8c6d1f",
    "#0f8b8d",
    "#d1495b",
    "#4f5d75",
    "#7a9e3e",
    "#c05299",
    "#3d405b",
)
PERIODS = (7, 30, 90)


@dataclass(frozen=True)
class Chart:
    """An SVG chart and the totals shown beside it."""

    svg: Markup
    by_topic: list[tuple[str, str, int]]  # topic, colour, total
    by_lang: dict[str, int]
    total: int
    #: Texts that got no reply, counted apart: "(silenced)" (a sender over the rate limit) and
    #: "(auto-reply)" (a phone's automatic answer), by count
    apart: dict[str, int] = field(default_factory=dict)


def days_back(today: date, days: int) -> list[date]:
    """The last `days` days, today included, oldest first."""
    return [today - timedelta(days=days - 1 - i) for i in range(days)]


def chart(rows: list[CountRow], today: date, days: int, lang: str | None = None) -> Chart:
    """Stacked daily bars per topic, for all languages or one."""
    span = days_back(today, days)
    per_day: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    topic_totals: dict[str, int] = defaultdict(int)
    lang_totals: dict[str, int] = defaultdict(int)
    apart: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.day < span[0]:
            continue
        if r.topic in PSEUDO_TOPICS:  # no reply was sent: not a reply, and no language
            apart[r.topic] += r.count
            continue
        lang_totals[r.lang] += r.count
        if lang and r.lang != lang:
            continue
        per_day[r.day][r.topic] += r.count
        topic_totals[r.topic] += r.count
    topics = sorted(topic_totals, key=lambda t: (-topic_totals[t], t))
    colour = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(topics)}
    width, height, left, bottom, top = 640, 260, 48, 30, 12
    plot_h = height - bottom - top
    peak = max((sum(v.values()) for v in per_day.values()), default=0)
    scale = plot_h / peak if peak else 0
    slot = (width - left) / len(span)
    bar = max(slot * 0.8, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Replies per day, last {days} days" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{top + 12}" text-anchor="end" font-size="16">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="16">0</text>',
    ]
    for i, day in enumerate(span):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for t in topics:
            n = per_day.get(day, {}).get(t, 0)
            if not n:
                continue
            h = n * scale
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour[t]}"><title>{escape(day.isoformat())} {escape(t)}: {n}</title></rect>'
            )
        last = i == len(span) - 1
        if i == 0 or last or (days > 7 and i % (days // 5) == 0 and len(span) - i > days // 10):
            anchor = "end" if last else "start" if i == 0 else "middle"
            at = x + bar if last else x if i == 0 else x + bar / 2
            parts.append(
                f'<text x="{at:.1f}" y="{height - 8}" text-anchor="{anchor}" '
                f'font-size="16">{day:%m-%d}</text>'
            )
    parts.append("</svg>")
    return Chart(
        svg=Markup("".join(parts)),
        by_topic=[(t, colour[t], topic_totals[t]) for t in topics],
        by_lang=dict(sorted(lang_totals.items())),
        total=sum(topic_totals.values()),
        apart=dict(sorted(apart.items())),
    )


def as_csv(rows: list[CountRow]) -> str:
    """The counts as CSV: day, topic, lang, count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", "topic", "lang", "count"])
    for r in rows:
        writer.writerow([r.day.isoformat(), r.topic, r.lang, r.count])
    return out.getvalue()


def _days() -> int:
    try:
        days = int(request.args.get("days", "30"))
    except ValueError:
        days = 30
    return days if days in PERIODS else 30


@bp.get("/stats")
@requires("editor")
def stats() -> str:
    """Replies per day, topic and language: a chart drawn here, and a CSV download."""
    days = _days()
    lang = request.args.get("lang") or None
    today = datetime.now(UTC).date()
    rows = library_store().counts(today - timedelta(days=days - 1))
    return render_template(
        "console/stats.html",
        days=days,
        periods=PERIODS,
        lang=lang,
        chart=chart(rows, today, days, lang),
        counting=settings().daily_counts,
    )


@bp.get("/stats.csv")
@requires("editor")
def stats_csv() -> Response:
    """The daily counts of the period as CSV."""
    days = _days()
    rows = library_store().counts(datetime.now(UTC).date() - timedelta(days=days - 1))
    return Response(
        as_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="counts-{days}d.csv"'},
    )
