"""Adding a text an operator typed to the draft's example texts (the try panel's "should be"),
checked as the library check reads examples files, so that a text the check would refuse never
reaches the draft: the draft keeps loading, and the try panel keeps answering from it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from bot.console.editing import EditError, parse_keywords
from bot.core.bundle import too_big
from bot.core.examples import Examples, examples_path, is_examples_file, parse_examples
from bot.core.library import KEYWORDS_FILE
from bot.core.problems import Problem
from bot.core.reader import normalize_for_reader
from bot.core.topics import STOP_TOPIC

_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


class AlreadyListed(EditError):
    """The text is an example of that topic already: nothing to add, and nothing wrong."""


@dataclass(frozen=True)
class Added:
    """Where a typed text was added: the examples file and its line."""

    file: str
    line: int


def teachable_topics(data: dict) -> list[str]:
    """The topics a text may be an example of: those the reader answers (not silent, not stop)."""
    return [
        str(raw.get("id", ""))
        for raw in data.get("topics") or []
        if isinstance(raw, dict) and not raw.get("silent") and raw.get("id") != STOP_TOPIC
    ]


def example_line(text: str) -> str:
    """A typed text as one line of an examples file: a text sent on several lines is one text."""
    return _LINE_BREAKS.sub(" ", text).strip()


def add_example(bundle: dict[str, str], topic: str, lang: str, text: str) -> dict[str, str]:
    """The bundle with `text` as the last line of examples/<lang>/<topic>.txt. Raises EditError,
    fit to show, when the check would refuse the line or the text is listed already."""
    line = example_line(text)
    if not line:
        raise EditError("Type a text first.")
    data = _keywords(bundle)
    langs = [str(lang) for lang in data.get("languages") or []]
    if topic not in teachable_topics(data):
        raise EditError(f"There is no topic {topic!r} that example texts can teach.")
    if lang not in langs:
        raise EditError(f"There is no language {lang!r} in the library.")
    if line.startswith("#"):
        raise EditError(
            "A text that starts with # would be read as a note, not a text: leave out the #."
        )
    path = examples_path(topic, lang)
    _, own = _read({path: line + "\n"}, (lang,), frozenset({topic}))
    if own:
        raise EditError(f"Not added: {own[0].message}.")
    topics = frozenset(str(raw.get("id", "")) for raw in data.get("topics") or [])
    examples, errors = _read(bundle, tuple(langs), topics)
    _refuse_listed(examples, normalize_for_reader(line), topic)
    before = bundle.get(path, "")
    after = before + ("\n" if before and not before.endswith("\n") else "") + line + "\n"
    try:
        size = len(after.encode("utf-8"))
    except UnicodeEncodeError:
        raise EditError("Not added: the text holds characters that are not text.") from None
    full = too_big(path, size)
    if full is not None:
        raise EditError(f"Not added: {path} is full ({full.message}).")
    changed = {**bundle, path: after}
    # Whatever else the check would now refuse that it did not before (the checks above should
    # have said it): the draft is never left broken by an add.
    new = [p for p in _read(changed, tuple(langs), topics)[1] if p not in errors]
    if new:
        where = f"{new[0].file}:{new[0].line}" if new[0].line else new[0].file
        raise EditError(f"Not added: {where}: {new[0].message}.")
    return changed


def added_at(bundle: dict[str, str], topic: str, lang: str) -> Added:
    """Where add_example put its line: the last line of the topic's examples file."""
    path = examples_path(topic, lang)
    return Added(path, len(bundle.get(path, "").splitlines()))


def _keywords(bundle: dict[str, str]) -> dict:
    try:
        data = parse_keywords(bundle.get(KEYWORDS_FILE, ""))
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):
        raise EditError("The draft's keywords.yaml does not read: fix its errors first.")
    return data


def _read(
    bundle: dict[str, str], langs: tuple[str, ...], topics: frozenset[str]
) -> tuple[Examples, list[Problem]]:
    """A bundle's examples as the library check reads them, and the errors it finds in them."""
    errors: list[Problem] = []
    files = {name: text for name, text in bundle.items() if is_examples_file(name)}

    def report(file: str, line: int, message: str, severity: str) -> None:
        if severity == "error":
            errors.append(Problem(file, line, message))

    return parse_examples(files, langs, topics, report), errors


def _refuse_listed(examples: Examples, key: str, topic: str) -> None:
    """Refuse a text the examples hold already, saying where (a text teaches one topic only)."""
    for example in examples.train:
        if normalize_for_reader(example.text) != key:
            continue
        where = f"{example.file}:{example.line}"
        if example.topic == topic:
            raise AlreadyListed(
                f"This text is an example of {topic} already ({where}): nothing was added."
            )
        raise EditError(
            f"Not added: this text is already an example of {example.topic} ({where}). "
            "A text can be an example of one topic only; the draft was left as it was."
        )
    for example in examples.heldout:
        if normalize_for_reader(example.text) == key:
            raise EditError(
                f"Not added: this text is held out to measure the reader ({example.file}:"
                f"{example.line}); learning from it would spoil that measure."
            )
