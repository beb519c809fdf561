"""The store's plain values: revisions, history rows, daily counts, and what a count key may be."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from bot.core.topics import PSEUDO_TOPICS
from bot.store.models import LANG_MAX, TOPIC_MAX

_TOPIC_RE = re.compile(rf"^[a-z][a-z0-9_-]{{0,{TOPIC_MAX - 1}}}$")
_LANG_RE = re.compile(rf"^[A-Za-z0-9_-]{{1,{LANG_MAX}}}$")


def check_count_key(day: date, topic: str, lang: str) -> None:
    """Raise ValueError or TypeError unless this is a date, a topic id and a language code; the
    error never echoes the value, which could be message text passed by mistake."""
    if not isinstance(topic, str) or not (topic in PSEUDO_TOPICS or _TOPIC_RE.match(topic)):
        raise ValueError("add_counts: topic must be a topic id (lowercase slug) or a pseudo-topic")
    if not isinstance(lang, str) or not _LANG_RE.match(lang):
        raise ValueError("add_counts: lang must be a language code")
    if not isinstance(day, date) or isinstance(day, datetime):
        raise TypeError("add_counts: day must be a date")


@dataclass(frozen=True)
class Revision:
    """A published library revision as plain values."""

    id: int
    published_at: datetime
    published_by: str
    comment: str
    bundle: dict[str, str]
    digest: str


@dataclass(frozen=True)
class RevisionSummary:
    """A revision without its files, as history lists it."""

    id: int
    published_at: datetime
    published_by: str
    comment: str
    digest: str
    files: int
    live: bool


@dataclass(frozen=True)
class CountRow:
    """One anonymous daily count."""

    day: date
    topic: str
    lang: str
    count: int
