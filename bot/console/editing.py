"""Editing a draft bundle topic by topic, without anyone touching YAML.

keywords.yaml is changed by replacing only the lines of the topic being edited, so the operators'
comments and the layout of every other topic stay as written (a round-trip dumper such as
ruamel.yaml keeps comments but reflows flow lists mid-phrase, and a dump of the whole file would
do it to every topic). libyaml's node tree only tells where each topic and field starts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import yaml

from bot.core.examples import EXAMPLES_DIR
from bot.core.languages import BACK_TRANSLATIONS_DIR
from bot.core.library import KEYWORDS_FILE, RESPONSES_DIR, reply_path, voice_path
from bot.core.topics import RESERVED_TOPIC_IDS, reserved_topic_message

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
    #: languages whose reply publish keeps as written, accents and all
    keep_accents: list[str] = field(default_factory=list)


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


#: PyYAML's safe loader in libyaml's C (ten times faster on keywords.yaml; the same values), or
#: the Python one where PyYAML was built without libyaml.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _entries(node: yaml.Node | None) -> list[tuple[str, int, yaml.Node]]:
    """A mapping node's entries: the key as written, the key's 0-based line, the value node."""
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(str(key.value), key.start_mark.line, value) for key, value in node.value]


def _blocks(text: str) -> tuple[list[str], list[_Block], int]:
    """The file's lines, each topic's block, and the line after the topics list."""
    # Only where each topic and field starts is needed: libyaml's node tree gives every node's
    # line, 25 times faster than ruamel.yaml's round-trip loader did (0.03 s against 0.8 s).
    top = _entries(yaml.compose(text, Loader=_SAFE_LOADER))
    topics_line, topics = next(((ln, v) for k, ln, v in top if k == "topics"), (0, None))
    if not isinstance(topics, yaml.SequenceNode):
        raise EditError("keywords.yaml has no list of topics")
    lines = text.splitlines(keepends=True)
    after = [line for _, line, _ in top if line > topics_line]
    list_end = min(after) if after else len(lines)
    starts = [item.start_mark.line for item in topics.value]
    blocks = []
    for i, item in enumerate(topics.value):
        end = starts[i + 1] if i + 1 < len(starts) else list_end
        entries = _entries(item)
        keys = {key: line for key, line, _ in entries}
        langs = {
            key: {lang: line for lang, line, _ in _entries(value)}
            for key, _, value in entries
            if key in ("keywords", "context") and _entries(value)
        }
        topic_id = next((v.value for k, _, v in entries if k == "id"), None)
        blocks.append(
            _Block(str(topic_id), starts[i], end, lines[starts[i]].index("-"), keys, langs)
        )
    return lines, blocks, list_end


def parse_keywords(text: str) -> dict:
    """keywords.yaml as plain data, for languages() and read_topics() to share one parse."""
    return yaml.load(text, Loader=_SAFE_LOADER) or {}


def languages(bundle: dict[str, str], data: dict | None = None) -> list[str]:
    """The library's languages, in order (`data`: the bundle's keywords.yaml, parsed already)."""
    if data is None:
        data = parse_keywords(bundle.get(KEYWORDS_FILE, ""))
    return list(data.get("languages") or ["en", "es"])


def read_topics(bundle: dict[str, str], data: dict | None = None) -> list[TopicFields]:
    """Every topic of a bundle as form fields, in file order (`data` as for languages())."""
    if data is None:
        data = parse_keywords(bundle.get(KEYWORDS_FILE, ""))
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
                keep_accents=[str(lang) for lang in raw.get("keep_accents") or []],
            )
        )
    return out


def _scalar(value: str) -> str:
    """A YAML flow scalar for a string: plain when it reads back as the same string."""
    if value and not re.search(r"[,\[\]{}#:&*!|>'\"%@`\n]", value) and value == value.strip():
        try:
            if yaml.load(f"[{value}]", Loader=_SAFE_LOADER) == [value]:
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


#: Given a key (and a language for keywords/context): the lines to write for it, from the new
#: value's rendering `fresh`, keeping what can be kept of the topic's original lines.
Keep = Callable[[str, "str | None", list[str]], list[str]]


def _titles(topic: TopicFields) -> dict[str, str]:
    return {k: v.strip() for k, v in topic.titles.items() if v.strip()}


def _fresh(_key: str, _lang: str | None, fresh: list[str]) -> list[str]:
    return fresh


#: The keys of a topic the edit form has fields for; any other key is written back as it was.
EDITED_KEYS = frozenset(
    {
        "id",
        "menu",
        "title",
        "segment_budget",
        "silent",
        "priority",
        "keywords",
        "context",
        "keep_accents",
    }
)


def _render(
    topic: TopicFields,
    langs: list[str],
    dash_col: int,
    keep: Keep = _fresh,
    others: dict[str, list[str]] | None = None,
    order: tuple[str, ...] = (),
) -> list[str]:
    """A topic's lines. `keep` puts back what did not change (inline comments, wrapping);
    `others` are the original lines of keys the form does not edit (escalates, ...); keys come in
    their original `order`, new ones before the keywords."""
    pad = " " * (dash_col + 2)
    pieces: dict[str, list[str]] = {
        "id": keep("id", None, [" " * dash_col + f"- id: {topic.id}\n"])
    }

    def line(key: str, text: str) -> None:
        pieces[key] = keep(key, None, [f"{pad}{key}: {text}\n"])

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
    if topic.keep_accents:
        line("keep_accents", "[" + ", ".join(_scalar(lang) for lang in topic.keep_accents) + "]")
    for name in ("keywords", "context"):
        by_lang = {lang: words for lang, words in getattr(topic, name).items() if words}
        if by_lang:
            section = keep(name, None, [f"{pad}{name}:\n"])
            for lang in [*langs, *(k for k in by_lang if k not in langs)]:
                if lang in by_lang:
                    section += keep(name, lang, _flow_list(f"{pad}  {lang}: ", by_lang[lang]))
            pieces[name] = section
    pieces.update(others or {})
    keys = [k for k in order if k in pieces]
    for key in pieces:
        if key not in keys:
            at = keys.index("keywords") if key != "context" and "keywords" in keys else len(keys)
            keys.insert(at, key)
    return [text for key in keys for text in pieces[key]]


def _is_comment(text: str) -> bool:
    return text.strip().startswith("#")


def _span(lines: list[str], block: _Block, start: int) -> list[str]:
    """The lines of the entry starting at `start`, with the comment and blank lines that follow
    it, up to the next entry."""
    starts = {*block.keys.values(), block.end}
    starts.update(ln for by_lang in block.langs.values() for ln in by_lang.values())
    end = min(ln for ln in starts if ln > start)
    span = [text if text.endswith("\n") else text + "\n" for text in lines[start:end]]
    if end == block.end:  # the blank lines that end a topic are its separator, written apart
        while span and not span[-1].strip():
            span.pop()
    return span


def _appended(span: list[str], added: list[str]) -> list[str] | None:
    """The original lines of a flow list with items added before its closing bracket, wrapped
    as the list was; None when the list is not written so that this can be done."""
    content = [i for i, text in enumerate(span) if text.strip() and not _is_comment(text)]
    end = content[-1]
    last = span[end].rstrip("\n")
    if not last.rstrip().endswith("]") or "#" in last:
        return None
    # Continuation lines start where the list's second line does, else after the "[".
    second = span[content[1]] if len(content) > 1 else None
    indent = len(second) - len(second.lstrip()) if second else span[content[0]].index("[") + 1
    current, out = last.rstrip()[:-1], []
    items = [_scalar(w) for w in added]
    for i, item in enumerate(items):
        tail = "]" if i == len(items) - 1 else ","
        if len(current) + 2 + len(item) + len(tail) <= WRAP:
            current += ", " + item
        else:
            out.append(current + ",\n")
            current = " " * indent + item
    out.append(current + "]\n")
    return [*span[:end], *out, *span[end + 1 :]]


def _keep_for(lines: list[str], block: _Block, old: TopicFields, new: TopicFields) -> Keep:
    """Keep the original lines of every entry whose value did not change, the original wrapping
    of a list that only gained items at its end, and the comment lines under every entry."""

    def keep(key: str, lang: str | None, fresh: list[str]) -> list[str]:
        start = block.keys.get(key) if lang is None else block.langs.get(key, {}).get(lang)
        if start is None:
            return fresh
        span = _span(lines, block, start)
        if lang is None:
            if key == "title":
                same = _titles(old) == _titles(new)
            elif key in ("keywords", "context"):
                same = True  # the section's own line
            else:
                same = getattr(old, key) == getattr(new, key)
        else:
            before, after = getattr(old, key).get(lang, []), getattr(new, key).get(lang, [])
            same = before == after
            if not same and after[: len(before)] == before:
                grown = _appended(span, after[len(before) :])
                if grown is not None:
                    return grown
        if same:
            return span
        # Rewritten: the comment and blank lines that were under it stay under it.
        return [*fresh, *(text for text in span if _is_comment(text) or not text.strip())]

    return keep


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
    if topic.id in RESERVED_TOPIC_IDS:
        # Its reply file would be the spoken message of calls (voice.txt) or its counts mixed
        # with the calls': refused here as the library check refuses it.
        raise EditError(reserved_topic_message(topic.id))
    text = bundle[KEYWORDS_FILE]
    lines, blocks, list_end = _blocks(text)
    by_id = {b.topic: b for b in blocks}
    if topic.id != original_id and topic.id in by_id:
        raise EditError(f"there is already a topic {topic.id!r}")
    data = parse_keywords(text)
    langs = languages(bundle, data)
    if original_id is None:
        dash = blocks[0].dash_col if blocks else 2
        new_lines = _render(topic, langs, dash)
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
        old = next(t for t in read_topics(bundle, data) if t.id == original_id)
        if replace(old, replies={}) != replace(topic, replies={}):
            others = {
                key: _span(lines, block, start)
                for key, start in block.keys.items()
                if key not in EDITED_KEYS
            }
            keep = _keep_for(lines, block, old, topic)
            order = tuple(sorted(block.keys, key=block.keys.__getitem__))
            new_lines = _render(topic, langs, block.dash_col, keep, others, order)
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


def read_voice(bundle: dict[str, str], langs: list[str] | None = None) -> dict[str, str]:
    """The spoken message of calls per language (responses/<lang>/voice.txt), "" where none
    (`langs`: the bundle's languages, read already)."""
    langs = languages(bundle) if langs is None else langs
    return {lang: bundle.get(voice_path(lang), "").strip() for lang in langs}


def set_voice(bundle: dict[str, str], spoken: dict[str, str]) -> dict[str, str]:
    """The bundle with the spoken message of calls replaced; an empty one removes its file (as an
    emptied reply does), and with none at all calls hear the fixed bilingual message."""
    out = dict(bundle)
    for lang in languages(bundle):
        text = spoken.get(lang, "").replace("\r\n", "\n").strip()
        if text:
            out[voice_path(lang)] = text + "\n"
        else:
            out.pop(voice_path(lang), None)
    return out


def delete_topic(bundle: dict[str, str], topic_id: str) -> dict[str, str]:
    """The bundle without a topic, its reply files and their back-translations."""
    lines, blocks, _ = _blocks(bundle[KEYWORDS_FILE])
    block = next((b for b in blocks if b.topic == topic_id), None)
    if block is None:
        raise EditError(f"there is no topic {topic_id!r}")
    reply_files = topic_id not in RESERVED_TOPIC_IDS  # voice.txt is the calls', not a topic's
    out = {
        name: text
        for name, text in bundle.items()
        if not (
            reply_files
            and name.startswith(
                (f"{RESPONSES_DIR}/", f"{BACK_TRANSLATIONS_DIR}/", f"{EXAMPLES_DIR}/")
            )
            and name.endswith(f"/{topic_id}.txt")
        )
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
        if (lang in old.keep_accents) != (lang in new.keep_accents):
            kept = "keeps its accents" if lang in new.keep_accents else "sent in plain letters"
            out.append(f"reply ({lang}) {kept}")
    return out
