"""What each language of a library still lacks, for `flask library check` (make check): replies,
menu titles, keywords, example texts, its language.yaml, labels, call prompts, back-translations.

Read from the files alone, so the summary is there even when the library does not load (a
missing reply is then also one of the load's errors, with its file).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from bot.core.call_menu import MENU_KEYS, has_speech
from bot.core.languages import (
    CALL_KEYS,
    LABEL_KEYS,
    back_translation_path,
    language_file,
)
from bot.core.recordings import RECORDING_TYPES, recording_path
from bot.core.topics import RESERVED_TOPIC_IDS, STOP_TOPIC, STRUCTURAL_TOPICS

KEYWORDS_FILE = "keywords.yaml"
EXAMPLES_DIR = "examples"


@dataclass(frozen=True)
class LanguageGaps:
    """One language's gaps: each a list of topic ids (or keys), empty when complete."""

    lang: str
    name: str
    reviewed: bool
    has_language_file: bool
    replies: tuple[str, ...]
    titles: tuple[str, ...]
    keywords: tuple[str, ...]
    examples: tuple[str, ...]
    back_translations: tuple[str, ...]
    labels: tuple[str, ...]
    call: tuple[str, ...]
    topics: int
    #: why calls do not offer this language ("" when they do): no voice and no recording, or
    #: past the ninth key
    not_in_call_menu: str = ""

    @property
    def complete(self) -> bool:
        """Nothing a text message needs is missing (replies, titles, keywords)."""
        return not (self.replies or self.titles or self.keywords)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def language_gaps(bundle: Mapping[str, str]) -> tuple[LanguageGaps, ...]:
    """Each language keywords.yaml lists, with what it lacks; empty if keywords.yaml is unreadable."""
    try:
        raw = yaml.safe_load(bundle.get(KEYWORDS_FILE, "")) or {}
    except yaml.YAMLError:
        return ()
    raw = _mapping(raw)
    languages = [lang for lang in raw.get("languages") or [] if isinstance(lang, str)]
    topics = [t for t in raw.get("topics") or [] if isinstance(t, Mapping) and "id" in t]
    topics = [t for t in topics if str(t["id"]) not in RESERVED_TOPIC_IDS]
    english = languages[0] if languages else ""
    found = []
    callable_count = 0
    for lang in languages:
        info: Mapping[str, Any] = {}
        if language_file(lang) in bundle:
            try:
                info = _mapping(yaml.safe_load(bundle[language_file(lang)]))
            except yaml.YAMLError:
                info = {}
        answered = [t for t in topics if not t.get("silent")]
        replies = [
            str(t["id"]) for t in answered if f"responses/{lang}/{t['id']}.txt" not in bundle
        ]
        titles = [
            str(t["id"])
            for t in topics
            if t.get("menu") is not None and not _mapping(t.get("title")).get(lang)
        ]
        keywords = [
            str(t["id"])
            for t in topics
            if str(t["id"]) != STOP_TOPIC and not _mapping(t.get("keywords")).get(lang)
        ]
        examples = [
            str(t["id"])
            for t in answered
            if str(t["id"]) not in STRUCTURAL_TOPICS
            and f"{EXAMPLES_DIR}/{lang}/{t['id']}.txt" not in bundle
        ]
        back = (
            [
                str(t["id"])
                for t in answered
                if back_translation_path(str(t["id"]), lang) not in bundle
            ]
            # A language reviewed by a native speaker (or written by one) needs none.
            if lang != english and info.get("reviewed") is not True
            else []
        )
        labels = [k for k in LABEL_KEYS if not _mapping(info.get("labels")).get(k)]
        call = [k for k in CALL_KEYS if not _mapping(info.get("call")).get(k)]
        recorded = any(recording_path(lang, ext) in bundle for ext in RECORDING_TYPES)
        say_language = str(_mapping(info.get("call")).get("say_language") or "")
        if recorded:  # the recording is the language's voice
            call = [k for k in call if k not in ("say_language", "voice")]
        not_in_call_menu = ""
        if not (recorded or has_speech(lang, say_language)):
            not_in_call_menu = (
                "no call.say_language (a Twilio voice) and no recording "
                f"({recording_path(lang, 'mp3')} or .wav)"
            )
        else:
            callable_count += 1
            if callable_count > len(MENU_KEYS):
                not_in_call_menu = f"calls offer the first {len(MENU_KEYS)} languages only"
        found.append(
            LanguageGaps(
                lang=lang,
                name=str(info.get("name") or lang),
                reviewed=info.get("reviewed") is True,
                has_language_file=language_file(lang) in bundle,
                replies=tuple(replies),
                titles=tuple(titles),
                keywords=tuple(keywords),
                examples=tuple(examples),
                back_translations=tuple(back),
                labels=tuple(labels),
                call=tuple(call),
                topics=len(answered),
                not_in_call_menu=not_in_call_menu,
            )
        )
    return tuple(found)


def format_language_gaps(gaps: tuple[LanguageGaps, ...]) -> str:
    """The per-language summary as plain text, one block per language."""
    if not gaps:
        return ""
    out = ["Languages (in menu order; the first is the default):"]
    for g in gaps:
        state = "reviewed" if g.reviewed else "not reviewed by a native speaker"
        head = f"  {g.lang} ({g.name}, {state}): "
        head += "every topic has a reply, title and keywords" if g.complete else "INCOMPLETE"
        out.append(head)
        for label, missing in (
            (f"replies missing ({len(g.replies)} of {g.topics})", g.replies),
            ("menu titles missing", g.titles),
            ("keywords missing", g.keywords),
            ("example texts missing", g.examples),
            ("back-translations missing", g.back_translations),
        ):
            if missing:
                out.append(f"    {label}: {', '.join(missing)}")
        if not g.has_language_file:
            out.append(
                f"    no {language_file(g.lang)}: name, labels and call prompts are defaults"
            )
        else:
            if g.labels:
                out.append(f"    printed labels missing: {', '.join(g.labels)}")
            if g.call:
                out.append(f"    call prompts missing: {', '.join(g.call)}")
        if g.not_in_call_menu:
            out.append(f"    not in the call menu: {g.not_in_call_menu}")
    return "\n".join(out)
