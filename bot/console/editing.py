"""Editing a draft bundle topic by topic, without anyone touching YAML.

keywords.yaml is changed by replacing only the lines of the topic being edited, so the operators'
comments and the layout of every other topic stay as written (ruamel.yaml round-trips comments
but reflows flow lists mid-phrase, and a dump of the whole file would do it to every topic).
ruamel.yaml only tells where each topic and field starts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import yaml

from bot.core.library import KEYWORDS_FILE, RESPONSES_DIR, reply_path

#: Fields a problem can be shown next to.
FIELDS = ("id", "menu", "title", "priority", "segment_budget", "keywords", "context", "reply")
#: Width keyword lists are wrapped at, as the bundled keywords.yaml is.
WRAP = 100


class EditError(ValueError):
    """The draft cannot be changed as asked; the message is fit to show an operator."""


@dataclass
class TopicFields:
    """One topic as the edit form shows it."""

    id: str
    menu: int | None = None
    titles: dict[str, str] = field(default_factory=dict)
    priority: int = 0
    segment_budget: int | None = None
    silent: bool = False
    keywords: dict[str, list[str]] = field(default_factory=dict)
    context: dict[str, list[str]] = field(default_factory=dict)
    replies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Where:
    """The topic, field and language a keywords.yaml line belongs to (field None: the topic)."""

    topic: str | None
    field: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class _Block:
    topic: str
    start: int  # 0-based line of "- id:"
    end: int  # 0-based line after the block
    dash_col: int
    keys: dict[str, int]  # key -> 0-based line
    langs: dict[str, dict[str, int]]  # keywords/context -> lang -> 0-based line


def _rt_load(text: str):
    # Imported here: serving workers never edit, and need not hold ruamel.yaml.
    from ruamel.yaml import YAML

    return YAML(typ="rt").load(text)


def _blocks(text: str) -> tuple[list[str], list[_Block], int]:
    """The file's lines, each topic's block, and the line after the topics list."""
    data = _rt_load(text)
    lines = text.splitlines(keepends=True)
    topics = data["topics"]
    top_keys = [data.lc.data[k][0] for k in data]
    topics_line = data.lc.data["topics"][0]
    after = [line for line in top_keys if line > topics_line]
    list_end = min(after) if after else len(lines)
    starts = [topics.lc.data[i][0] for i in range(len(topics))]
    blocks = []
    for i, topic in enumerate(topics):
        end = starts[i + 1] if i + 1 < len(topics) else list_end
        keys = {str(k): topic.lc.data[k][0] for k in topic}
        langs = {}
        for name in ("keywords", "context"):
            sub = topic.get(name)
            if sub:
                langs[name] = {str(lang): sub.lc.data[lang][0] for lang in sub}
        blocks.append(
            _Block(str(topic.get("id")), starts[i], end, lines[starts[i]].index("-"), keys, langs)
        )
    return lines, blocks, list_end


def languages(bundle: dict[str, str]) -> list[str]:
    """The library's languages, in order."""
    data = yaml.safe_load(bundle.get(KEYWORDS_FILE, "")) or {}
    return list(data.get("languages") or ["en", "es"])


def read_topics(bundle: dict[str, str]) -> list[TopicFields]:
    """Every topic of a bundle as form fields, in file order."""
    data = yaml.safe_load(bundle.get(KEYWORDS_FILE, "")) or {}
    langs = list(data.get("languages") or ["en", "es"])
    out = []
    for raw in data.get("topics") or []:
        tid = str(raw.get("id", ""))
        out.append(
            TopicFields(
                id=tid,
                menu=raw.get("menu"),
                titles={k: str(v) for k, v in (raw.get("title") or {}).items()},
                priority=int(raw.get("priority") or 0),
                segment_budget=raw.get("segment_budget"),
                silent=bool(raw.get("silent")),
                keywords={
                    k: [str(w) for w in v or []] for k, v in (raw.get("keywords") or {}).items()
                },
                context={
                    k: [str(w) for w in v or []] for k, v in (raw.get("context") or {}).items()
                },
                replies={
                    lang: bundle[reply_path(tid, lang)].strip()
                    for lang in langs
                    if reply_path(tid, lang) in bundle
                },
            )
        )
    return out


def _scalar(value: str) -> str:
    """A YAML flow scalar for a string: plain when it reads back as the same string."""
    if value and not re.search(r"[,\[\]{}#:&*!|>'\"%@`\n]", value) and value == value.strip():
        try:
            if yaml.safe_load(f"[{value}]") == [value]:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _flow_list(prefix: str, words: list[str]) -> list[str]:
    """`prefix[a, b, ...]` wrapped at commas under WRAP, continuation lines aligned after '['."""
    indent = " " * (len(prefix) + 1)
    lines, current = [], prefix + "["
    items = [_scalar(w) for w in words]
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "]")
        if current.endswith(("[",)) or len(current) + 1 + len(piece) <= WRAP:
            current += ("" if current.endswith("[") else " ") + piece
        else:
            lines.append(current)
            current = indent + piece
    if not items:
        current += "]"
    lines.append(current)
    return [line + "\n" for line in lines]


#: Given a key (and a language for keywords/context), the topic's original lines for it when its
#: value is unchanged, else None.
Reuse = Callable[[str, "str | None"], "list[str] | None"]


def _titles(topic: TopicFields) -> dict[str, str]:
    return {k: v.strip() for k, v in topic.titles.items() if v.strip()}


def _render(
    topic: TopicFields,
    langs: list[str],
    dash_col: int,
    comments: list[str],
    reuse: Reuse = lambda _key, _lang: None,
) -> list[str]:
    """A topic's lines; what did not change keeps its original lines (inline comments, wrapping)."""
    pad = " " * (dash_col + 2)
    out = [" " * dash_col + f"- id: {topic.id}\n"]

    def line(key: str, text: str) -> None:
        out.extend(reuse(key, None) or [f"{pad}{key}: {text}\n"])

    if topic.menu is not None:
        line("menu", str(topic.menu))
    titles = _titles(topic)
    if titles:
        line("title", "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in titles.items()) + "}")
    if topic.segment_budget is not None:
        line("segment_budget", str(topic.segment_budget))
    if topic.silent:
        line("silent", "true")
    if topic.priority:
        line("priority", str(topic.priority))
    out += comments
    for name in ("keywords", "context"):
        by_lang = {lang: words for lang, words in getattr(topic, name).items() if words}
        if by_lang:
            out.extend(reuse(name, None) or [f"{pad}{name}:\n"])
            for lang in [*langs, *(k for k in by_lang if k not in langs)]:
                if lang in by_lang:
                    out += reuse(name, lang) or _flow_list(f"{pad}  {lang}: ", by_lang[lang])
    return out


def _span(lines: list[str], block: _Block, start: int) -> list[str]:
    """The lines of the entry starting at `start`, up to the next entry, without whole-line
    comments (those are kept apart) or blank lines."""
    starts = {*block.keys.values(), block.end}
    starts.update(ln for by_lang in block.langs.values() for ln in by_lang.values())
    end = min(ln for ln in starts if ln > start)
    return [
        text if text.endswith("\n") else text + "\n"
        for text in lines[start:end]
        if text.strip() and not text.strip().startswith("#")
    ]


def _reuse_for(lines: list[str], block: _Block, old: TopicFields, new: TopicFields) -> Reuse:
    def reuse(key: str, lang: str | None) -> list[str] | None:
        if lang is None:
            if key not in block.keys:
                return None
            if key == "title":
                same = _titles(old) == _titles(new)
            elif key in ("keywords", "context"):
                same = True  # the section's own line
            else:
                same = getattr(old, key) == getattr(new, key)
            return _span(lines, block, block.keys[key]) if same else None
        start = block.langs.get(key, {}).get(lang)
        if start is None or getattr(old, key).get(lang, []) != getattr(new, key).get(lang, []):
            return None
        return _span(lines, block, start)

    return reuse


def _comments(lines: list[str], block: _Block) -> list[str]:
    """The whole-line comments inside a topic's block (kept when the topic is rewritten)."""
    return [
        line if line.endswith("\n") else line + "\n"
        for line in lines[block.start + 1 : block.end]
        if line.strip().startswith("#")
    ]


def _trailing_blank(lines: list[str], block: _Block) -> list[str]:
    return ["\n"] if block.end > block.start and not lines[block.end - 1].strip() else []


def set_topic(
    bundle: dict[str, str], original_id: str | None, topic: TopicFields
) -> dict[str, str]:
    """The bundle with one topic replaced (or added, when original_id is None)."""
    if not re.match(r"^[a-z][a-z0-9_-]*$", topic.id or ""):
        raise EditError(
            "a topic id is lower-case letters, digits, '-' or '_', starting with a letter"
        )
    text = bundle[KEYWORDS_FILE]
    lines, blocks, list_end = _blocks(text)
    by_id = {b.topic: b for b in blocks}
    if topic.id != original_id and topic.id in by_id:
        raise EditError(f"there is already a topic {topic.id!r}")
    langs = languages(bundle)
    if original_id is None:
        dash = blocks[0].dash_col if blocks else 2
        new_lines = _render(topic, langs, dash, [])
        before = lines[:list_end]
        if before and not before[-1].endswith("\n"):
            before[-1] += "\n"
        if before and before[-1].strip():
            new_lines = ["\n", *new_lines]
        lines = [*before, *new_lines, *lines[list_end:]]
    else:
        if original_id not in by_id:
            raise EditError(f"there is no topic {original_id!r}")
        block = by_id[original_id]
        old = next(t for t in read_topics(bundle) if t.id == original_id)
        if replace(old, replies={}) != replace(topic, replies={}):
            new_lines = _render(
                topic,
                langs,
                block.dash_col,
                _comments(lines, block),
                _reuse_for(lines, block, old, topic),
            )
            new_lines += _trailing_blank(lines, block)
            lines = [*lines[: block.start], *new_lines, *lines[block.end :]]
        # else only replies changed: keywords.yaml stays exactly as it is
    out = dict(bundle)
    out[KEYWORDS_FILE] = "".join(lines)
    if original_id is not None and original_id != topic.id:
        for lang in langs:
            out.pop(reply_path(original_id, lang), None)
    for lang in langs:
        path = reply_path(topic.id, lang)
        reply = topic.replies.get(lang, "").strip()
        if topic.silent or not reply:
            out.pop(path, None)
        else:
            out[path] = reply + "\n"
    return out


def delete_topic(bundle: dict[str, str], topic_id: str) -> dict[str, str]:
    """The bundle without a topic and its reply files."""
    lines, blocks, _ = _blocks(bundle[KEYWORDS_FILE])
    block = next((b for b in blocks if b.topic == topic_id), None)
    if block is None:
        raise EditError(f"there is no topic {topic_id!r}")
    out = {
        name: text
        for name, text in bundle.items()
        if not (name.startswith(f"{RESPONSES_DIR}/") and name.endswith(f"/{topic_id}.txt"))
    }
    out[KEYWORDS_FILE] = "".join([*lines[: block.start], *lines[block.end :]])
    return out


def locator(bundle: dict[str, str]):
    """A function telling which topic, field and language a problem (file, line) is about."""
    text = bundle.get(KEYWORDS_FILE, "")
    try:
        _lines, blocks, _ = _blocks(text)
    except Exception:  # unreadable YAML: problems then stay at library level
        blocks = []

    def where(file: str, line: int) -> Where:
        parts = file.split("/")
        if len(parts) == 3 and parts[0] == RESPONSES_DIR and parts[2].endswith(".txt"):
            return Where(parts[2][:-4], "reply", parts[1])
        if file != KEYWORDS_FILE or line <= 0:
            return Where(None)
        row = line - 1
        block = next((b for b in blocks if b.start <= row < b.end), None)
        if block is None:
            return Where(None)
        if row == block.start:
            return Where(block.topic)
        keys = [(ln, k) for k, ln in block.keys.items() if ln <= row]
        key = max(keys)[1] if keys else None
        if key in block.langs:
            langs = [(ln, lang) for lang, ln in block.langs[key].items() if ln <= row]
            return Where(block.topic, key, max(langs)[1] if langs else None)
        if key == "title":
            return Where(block.topic, "title")
        return Where(block.topic, key if key in FIELDS else None)

    return where


def describe_changes(old: TopicFields | None, new: TopicFields | None) -> list[str]:
    """What changed in a topic between two versions, one line per change, for operators."""
    if old is None:
        return ["new topic"]
    if new is None:
        return ["deleted"]
    out = []
    for name in ("menu", "priority", "segment_budget", "silent"):
        if getattr(old, name) != getattr(new, name):
            out.append(f"{name.replace('_', ' ')}: {getattr(old, name)} → {getattr(new, name)}")
    langs = dict.fromkeys(
        [*old.titles, *new.titles, *old.keywords, *new.keywords, *old.replies, *new.replies]
    )
    for lang in langs:
        if old.titles.get(lang, "") != new.titles.get(lang, ""):
            out.append(
                f"title ({lang}): {old.titles.get(lang, '')!r} → {new.titles.get(lang, '')!r}"
            )
        for name in ("keywords", "context"):
            before, after = getattr(old, name).get(lang, []), getattr(new, name).get(lang, [])
            added = [w for w in after if w not in before]
            removed = [w for w in before if w not in after]
            if added:
                out.append(f"{name} ({lang}) added: {', '.join(added)}")
            if removed:
                out.append(f"{name} ({lang}) removed: {', '.join(removed)}")
        if old.replies.get(lang, "") != new.replies.get(lang, ""):
            out.append(f"reply ({lang}) changed")
    return out
