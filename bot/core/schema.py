"""The keywords.yaml schema (pydantic), and its validation errors in operators' words."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.model import DEFAULT_SEGMENT_BUDGET
from bot.core.problems import LibraryError, Problem
from bot.core.tips import TipsSpec
from bot.core.yamlfile import DuplicateKey, Lines, parse_yaml, plain_scalars


class TopicSpec(BaseModel):
    """One topic as keywords.yaml writes it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    menu: int | None = Field(default=None, ge=1)
    title: dict[str, str] = Field(default_factory=dict)
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    context: dict[str, list[str]] = Field(default_factory=dict)
    segment_budget: int | None = Field(default=None, ge=1, le=10)
    silent: bool = False
    priority: int = Field(default=0, ge=0, le=9)
    escalates: bool = False
    accepted_lookalikes: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    #: Languages whose reply is published as written, accents and all (publish transliterates
    #: every other reply to GSM-7 look-alikes); the operator pays the UCS-2 segments.
    keep_accents: list[str] = Field(default_factory=list)


#: Entries one danger family may list per language, and the longest entry: families are word
#: lists, not a second keyword file, and every message is read against them.
MAX_DANGER_ENTRIES = 1000
MAX_DANGER_ENTRY_CHARS = 60
DangerList = dict[str, list[str]]


class DangerSpec(BaseModel):
    """The `danger:` section: one word family per field, each {language: [entries]}."""

    model_config = ConfigDict(extra="forbid", strict=True)

    harm: DangerList = Field(default_factory=dict)
    weapon: DangerList = Field(default_factory=dict)
    threat: DangerList = Field(default_factory=dict)
    confinement: DangerList = Field(default_factory=dict)
    injury: DangerList = Field(default_factory=dict)
    urgency: DangerList = Field(default_factory=dict)
    future: DangerList = Field(default_factory=dict)
    target: DangerList = Field(default_factory=dict)
    past: DangerList = Field(default_factory=dict)
    habitual: DangerList = Field(default_factory=dict)
    hypothetical: DangerList = Field(default_factory=dict)
    not_harm: DangerList = Field(default_factory=dict)
    taking: DangerList = Field(default_factory=dict)
    vehicle: DangerList = Field(default_factory=dict)
    away: DangerList = Field(default_factory=dict)
    reporting: DangerList = Field(default_factory=dict)
    long_ago: DangerList = Field(default_factory=dict)
    water: DangerList = Field(default_factory=dict)
    drowning: DangerList = Field(default_factory=dict)
    poison: DangerList = Field(default_factory=dict)
    swallow: DangerList = Field(default_factory=dict)
    child: DangerList = Field(default_factory=dict)
    stranger: DangerList = Field(default_factory=dict)
    accident: DangerList = Field(default_factory=dict)
    plight: DangerList = Field(default_factory=dict)
    despair: DangerList = Field(default_factory=dict)
    means: DangerList = Field(default_factory=dict)
    moving: DangerList = Field(default_factory=dict)
    far: DangerList = Field(default_factory=dict)
    unwilling: DangerList = Field(default_factory=dict)
    later: DangerList = Field(default_factory=dict)


class LibrarySpec(BaseModel):
    """keywords.yaml as a whole."""

    model_config = ConfigDict(extra="forbid", strict=True)

    languages: list[str] = Field(default_factory=lambda: ["en", "es"], min_length=1)
    segment_budget: int = Field(default=DEFAULT_SEGMENT_BUDGET, ge=1, le=10)
    topics: list[TopicSpec] = Field(min_length=1)
    danger: DangerSpec = Field(default_factory=DangerSpec)
    tips: TipsSpec | None = None


def load_yaml(text: str, file: str) -> tuple[Any, Lines]:
    """parse_yaml, with what goes wrong raised as a LibraryError naming the file and line."""
    try:
        return parse_yaml(text)
    except DuplicateKey as dup:
        raise LibraryError([Problem(file, dup.line, f"key {dup.key!r} is written twice")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        detail = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context_mark", None)
        if context is not None and context.line + 1 != line:
            detail += f" (in what starts at line {context.line + 1})"
        raise LibraryError([Problem(file, line, f"bad YAML: {detail}")]) from None


# --- Schema errors in operators' words -------------------------------------------------------

#: Plain words YAML reads as something other than text.
_NOT_TEXT = {
    bool: "as true or false",
    int: "as a number",
    float: "as a number",
    type(None): "as nothing",
}


def _where(loc: tuple[Any, ...], raw: Any) -> str:
    """An error's place in the operators' words: topic 'labor', keywords, en."""
    if len(loc) >= 2 and loc[0] == "topics" and isinstance(loc[1], int):
        try:
            topic_id = raw["topics"][loc[1]]["id"]
        except (KeyError, IndexError, TypeError):
            topic_id = None
        head = f"topic {topic_id!r}" if isinstance(topic_id, str) else f"topic {loc[1] + 1}"
        rest = [str(part) for part in loc[2:] if not isinstance(part, int) and part != "[key]"]
        return ", ".join([head, *rest])
    return ", ".join(str(p) for p in loc if not isinstance(p, int)) or "the file"


def _schema_message(
    err: Any, loc: tuple[Any, ...], raw: Any, written: list[tuple[str, Any]]
) -> str:
    kind, value, where = err["type"], err.get("input"), _where(loc, raw)
    ctx = err.get("ctx") or {}
    if kind == "string_type":
        how = _NOT_TEXT.get(type(value))
        if how is None:
            return f"{where}: expected text here, not a list or mapping"
        # The first value of this line not yet named that reads as this one: errors come in
        # the order the values are written, and `on` and `yes` both read as true.
        at = next(
            (i for i, (_w, v) in enumerate(written) if v == value and type(v) is type(value)), None
        )
        as_written = None if at is None else written.pop(at)[0]
        if as_written is None:
            as_written = "" if value is None else str(value).lower()
        if not as_written:
            return (
                f"{where}: this value is empty: write the text, in quotes if need be, or remove it"
            )
        return (
            f"{where}: YAML reads {as_written} {how}, not as text: "
            f"put it in quotes, like '{as_written}'"
        )
    if kind == "extra_forbidden":
        return f"{where}: unknown setting {loc[-1]!r}: check its spelling and indentation"
    if kind == "missing":
        return f"{where}: this is required and missing"
    if kind == "string_pattern_mismatch":
        return (
            f"{where}: {value!r} is not a usable topic id: use small letters, digits, - and _, "
            "starting with a letter"
        )
    if kind == "int_type":
        if isinstance(value, str) and value.strip().isdigit():
            return f"{where}: write the number {value.strip()} without quotes"
        return f"{where}: expected a whole number like 2, not {value!r}"
    if kind == "bool_type":
        return f"{where}: expected true or false, written without quotes"
    if kind == "dict_type":
        return f"{where}: expected a mapping of names to values, like {{en: ..., es: ...}}"
    if kind == "list_type":
        return f"{where}: expected a list, like [one, two] or one '- item' per line"
    if kind in ("greater_than_equal", "less_than_equal"):
        low, high = ctx.get("ge"), ctx.get("le")
        bound = f"at least {low}" if low is not None else f"at most {high}"
        return f"{where}: {value!r} is out of range: it must be {bound}"
    if kind == "too_short":
        return f"{where}: must not be empty"
    return f"{where}: this value is not allowed here"


def schema_problems(
    exc: ValidationError, raw: Any, lines: Lines, text: str, file: str
) -> list[Problem]:
    """A schema's validation errors as problems in operators' words, each saying what to do."""
    problems = []
    written: dict[int, list[tuple[str, Any]]] | None = None
    for err in exc.errors():
        loc = tuple(err["loc"])
        line = lines.of(loc)
        if err["type"] == "string_type" and written is None:
            written = plain_scalars(text)
        message = _schema_message(err, loc, raw, (written or {}).get(line, []))
        problems.append(Problem(file, line, message))
    return problems
