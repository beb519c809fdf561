"""Merge a translator's side file of titles and keywords into keywords.yaml, as text.

Usage: python -m tools.merge_language_keywords LANG FILE [LANG FILE ...]

A side file is {topic: {title: "...", keywords: [...]}}. The language is added to `languages:`,
each title to the topic's `title:` (only where the topic has titles), and the keywords as the
language's list under the topic's `keywords:`. Written as text, not re-dumped, so the operators'
comments and layout stay as they are. A keyword is dropped, and said so, when it is empty, a
carrier or library opt-out word, or already listed (case and spaces aside) under this or an
earlier topic in the same language: the check refuses both. A topic's title is listed first
among its keywords, so a title typed back from the menu reaches its topic.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

from bot.console.editing import _flow_list  # the console's own layout, so its edits stay small
from bot.core.opt_out import is_opt_out

KEYWORDS = Path(__file__).resolve().parent.parent / "keywords.yaml"


def _fold(word: str) -> str:
    return " ".join(word.split()).casefold()


def merge(text: str, lang: str, side: dict, part: str) -> tuple[str, list[str]]:
    """keywords.yaml's text with one language's code and titles (part "titles") or keywords
    (part "keywords") added, and what was dropped."""
    lines = text.splitlines()
    dropped: list[str] = []
    for i, line in enumerate(lines if part == "titles" else ()):
        if line.startswith("languages: ["):
            codes = [c.strip() for c in line[len("languages: [") : line.index("]")].split(",")]
            if lang not in codes:
                codes.append(lang)
            lines[i] = "languages: [" + ", ".join(codes) + "]" + line[line.index("]") + 1 :]
            break
    claimed: set[str] = set()
    out: list[str] = []
    topic = None
    in_keywords = False
    for line in lines:
        found = re.match(r"  - id: ([A-Za-z0-9_-]+)", line)
        if found:
            topic = found.group(1)
            in_keywords = False
        entry = side.get(topic, {}) if topic else {}
        if (
            part == "titles"
            and line.startswith("    title: {")
            and line.rstrip().endswith("}")
            and entry.get("title")
        ):
            line = (
                line.rstrip()[:-1] + f", {lang}: {json.dumps(entry['title'], ensure_ascii=False)}}}"
            )
        out.append(line)
        if part == "keywords" and line.startswith("    keywords:"):
            in_keywords = True
            continue
        if in_keywords and not line.startswith("      "):
            in_keywords = False
        if in_keywords and line.rstrip().endswith("]") and _closes_es_list(out):
            words = []
            title = [entry["title"]] if entry.get("title") else []
            for word in [*title, *entry.get("keywords", [])]:
                word = str(word).strip()
                key = _fold(word)
                if not key or is_opt_out(word) or key in claimed:
                    dropped.append(f"{topic}: {word!r}")
                    continue
                claimed.add(key)
                words.append(word)
            if words:
                out.extend(line.rstrip("\n") for line in _flow_list(f"      {lang}: ", words))
            in_keywords = False
    return "\n".join(out) + "\n", dropped


def _closes_es_list(out: list[str]) -> bool:
    """Whether the last line written closes the `es:` keyword list of the current topic."""
    for line in reversed(out):
        if line.startswith("    keywords:"):
            return False
        if line.startswith("      es: ["):
            return True
        if re.match(r"      [a-zA-Z-]+: \[", line):
            return False
    return False


def main(argv: list[str]) -> int:
    """Merge each LANG FILE pair into keywords.yaml."""
    text = KEYWORDS.read_text(encoding="utf-8")
    pairs = [
        (lang, yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {})
        for lang, file in zip(argv[::2], argv[1::2], strict=True)
    ]
    for lang, side in pairs:
        text, _ = merge(text, lang, side, "titles")
    # Each language's list goes right after the `es:` list, so the last merged comes first:
    # merged in reverse, the lists stand in the order given, as the console writes them.
    for lang, side in reversed(pairs):
        text, dropped = merge(text, lang, side, "keywords")
        for what in dropped:
            print(f"{lang}: dropped {what}")
    KEYWORDS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
