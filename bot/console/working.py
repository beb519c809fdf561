"""The library a console page works on: the draft (else the live revision), read once per page.

A page asks many questions of the same files: its topics, its languages, its check, where each
problem is, what changed against the live revision. Working answers each once (cached on the
object) and keywords.yaml texts shared by the draft, its prepared form and the live revision are
parsed once between them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from typing import Any

from flask import abort, g

from bot.console.blueprint import (
    console_store,
    kept_readers,
    library_store,
    served_library,
    settings,
)
from bot.console.editing import TopicFields, languages, locator, parse_keywords, read_topics
from bot.console.storage import Draft
from bot.core.library import KEYWORDS_FILE, STRUCTURAL_TOPICS
from bot.core.numbers import REGISTRY_FILE
from bot.library.prepare import PreparedLibrary, check_for_deployment
from bot.library.registry import registry_text
from bot.store import Revision

#: Topics every library must have (the project's required topics); the console will not delete
#: them.
REQUIRED_TOPICS = frozenset(
    {
        *STRUCTURAL_TOPICS,
        "labor",
        "housing",
        "youth",
        "disaster",
        "report",
        "immigration",
        "safety",
        "survivors",
        "training",
        "community",
        "story",
        "updates",
        "violence",
        "health",
    }
)


class Parsed:
    """One bundle's keywords.yaml as the console reads it, parsed at most once."""

    def __init__(self, bundle: dict[str, str], parses: dict[str, dict]):
        self.bundle = bundle
        self._parses = parses  # keywords.yaml text -> its data, shared by a page's bundles

    @cached_property
    def data(self) -> dict:
        """keywords.yaml as plain data."""
        text = self.bundle.get(KEYWORDS_FILE, "")
        if text not in self._parses:
            self._parses[text] = parse_keywords(text)
        return self._parses[text]

    @cached_property
    def topics(self) -> list[TopicFields]:
        """Every topic as form fields, in file order."""
        return read_topics(self.bundle, self.data)

    @cached_property
    def by_id(self) -> dict[str, TopicFields]:
        """The topics by id."""
        return {t.id: t for t in self.topics}

    @cached_property
    def languages(self) -> list[str]:
        """The languages, in order."""
        return languages(self.bundle, self.data)


class Working:
    """The bundle being edited (the draft, else the live revision) and the live revision."""

    def __init__(self, bundle: dict[str, str], draft: Draft | None, live: Revision | None):
        self.bundle = bundle
        self.draft = draft
        self.live = live
        self._parses: dict[str, dict] = {}

    @property
    def base_id(self) -> int | None:
        """The revision the draft started from (the live one when there is no draft)."""
        if self.draft is not None:
            return self.draft.base_revision_id
        return self.live.id if self.live else None

    @property
    def stale(self) -> bool:
        """Someone published after this draft was started."""
        return (
            self.draft is not None
            and self.live is not None
            and (self.draft.base_revision_id != self.live.id)
        )

    @cached_property
    def parsed(self) -> Parsed:
        """The bundle being edited, as typed."""
        return Parsed(self.bundle, self._parses)

    @cached_property
    def checked(self) -> PreparedLibrary:
        """The bundle prepared and checked exactly as publish would."""
        return check_for_deployment(
            self.bundle, settings(), live=served_library(), saved=kept_readers()
        )

    @cached_property
    def prepared(self) -> Parsed:
        """The bundle as publish would store it (transliterated)."""
        return Parsed(self.checked.bundle, self._parses)

    @cached_property
    def live_parsed(self) -> Parsed | None:
        """The live revision's files (None before the first publish)."""
        return Parsed(dict(self.live.bundle), self._parses) if self.live is not None else None

    def problems_by_place(self) -> dict[str | None, dict[str, list[Any]]]:
        """The check's problems by topic, and by "field:lang" within it; the rest under None."""
        where = locator(self.checked.bundle)
        topics = set(self.prepared.by_id)
        by_topic: dict[str | None, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for p in self.checked.problems:
            w = where(p.file, p.line)
            if w.topic not in topics:  # e.g. the calls' spoken message, responses/<lang>/voice.txt
                by_topic[None][":"].append(p)
                continue
            key = f"{w.field or ''}:{w.lang or ''}"
            by_topic[w.topic][key].append(p)
        return by_topic

    def replies(self) -> dict[tuple[str, str], Any]:
        """The check's report of each reply, by (topic, language)."""
        report = self.checked.report
        return {(r.topic, r.lang): r for r in (report.replies if report else ())}

    @property
    def registry_changed(self) -> bool:
        """The draft changes the number registry (edited on the Numbers page)."""
        if self.draft is None or REGISTRY_FILE not in self.bundle:
            return False
        return self.bundle[REGISTRY_FILE] != registry_text({}, settings())

    def topic_changes(self) -> dict[str, str]:
        """For each topic that differs from the live revision: new, changed or deleted."""
        if self.live_parsed is None:
            return {}
        old, new = self.live_parsed.by_id, self.prepared.by_id
        changes = {tid: "new" for tid in new if tid not in old}
        changes |= {tid: "deleted" for tid in old if tid not in new}
        changes |= {tid: "changed" for tid in new if tid in old and new[tid] != old[tid]}
        return changes


def working() -> Working:
    """The draft, else the live revision (503 before the first publish with no draft)."""
    live = library_store().live_revision()
    draft = console_store().draft()
    if draft is not None:
        return Working(draft.bundle, draft, live)
    if live is None:
        abort(503)
    return Working(dict(live.bundle), None, live)


def edit(current: Working, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
    """Apply an edit to the draft as it is in the database now (another operator may have saved
    another topic since this page was read), starting one from the live revision if need be."""
    live = current.live
    start = (dict(live.bundle), live.id) if live is not None else (current.bundle, None)
    console_store().change_draft(change, start=start, by=g.account.name)
