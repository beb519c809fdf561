"""Reading the library's YAML files (keywords.yaml, numbers.yaml): safe values, the line of every
node, and duplicate keys refused, from one loader."""

from __future__ import annotations

from array import array
from typing import Any

import yaml


class Lines:
    """Line numbers of YAML nodes, addressed by their path of keys and indexes.

    The items of a sequence share one compact array of lines, as a keyword list can hold
    thousands of them; every other node (a mapping value, the document) has an entry of its own.
    """

    def __init__(self) -> None:
        self.by_path: dict[tuple[Any, ...], int] = {}
        self.items_by_path: dict[tuple[Any, ...], array[int]] = {}

    def of(self, path: tuple[Any, ...]) -> int:
        """The line of the deepest known node on this path."""
        while path:
            line = self.by_path.get(path)
            if line is not None:
                return line
            parent, index = path[:-1], path[-1]
            items = self.items_by_path.get(parent)
            if items is not None and isinstance(index, int) and 0 <= index < len(items):
                return items[index]
            path = parent
        return self.by_path.get((), 1)


#: libyaml's parser is ~10x faster than PyYAML's own on a 10,000-keyword file; both are safe.
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_SKIPPED_EVENTS = (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)
_NO_KEY = object()
#: keywords.yaml nests five deep (topics, a topic, keywords, a language, a keyword).
MAX_YAML_DEPTH = 12


def parse_yaml(text: str) -> tuple[Any, Lines]:
    """Parse YAML safely, remembering the line of every node; the one loader of library files.

    Anchors and aliases are refused where the parser meets them, before any value is built: ten
    nested aliases of ten make ten billion strings from a few lines ("billion laughs"), and an
    operator's file never needs them. Nesting deeper than MAX_YAML_DEPTH is refused likewise, and
    a key written twice is an error (DuplicateKey), not silently the last one.

    Values are built straight from libyaml's parse events, as yaml.safe_load builds them, without
    composing a node tree first: on a 10,000-keyword file the tree and a path per node made most
    of a worker's peak memory. Problems come in the order composing and then walking a tree met
    them: an error of the YAML itself first, then the first bad value or duplicate key.
    """
    lines = Lines()
    loader = yaml.SafeLoader("")
    root: list[Any] = []
    root_mark: Any = None
    # The open mappings and sequences: [value, path, item lines (sequences only), pending key].
    stack: list[list[Any]] = []
    late: list[Exception] = []

    def scalar(event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _STR_TAG:
            return event.value  # what the str constructor returns, without a node to build
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            late.append(exc)
        except Exception:  # PyYAML's own failures on odd values: 2024-13-45, !!int ''
            problem = f"cannot read {event.value!r} as {tag}"
            late.append(yaml.constructor.ConstructorError(None, None, problem, event.start_mark))
        finally:
            loader.constructed_objects.clear()  # the loader would keep every scalar it built
        return None

    def take(event: yaml.Event) -> None:
        kind = type(event)
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            return
        is_scalar = kind is yaml.ScalarEvent
        value = scalar(event) if is_scalar else {} if kind is yaml.MappingStartEvent else []
        line = event.start_mark.line + 1
        if not stack:
            path: tuple[Any, ...] = ()
            lines.by_path[path] = line
            root.append(value)
        else:
            frame = stack[-1]
            parent, parent_path, item_lines, key = frame
            if item_lines is not None:
                item_lines.append(line)
                parent.append(value)
                if is_scalar:  # a keyword, most often: it needs no path of its own
                    return
                path = (*parent_path, len(parent) - 1)
            elif key is not _NO_KEY:
                path = (*parent_path, key)
                lines.by_path[path] = line
                parent[key] = value
                frame[3] = _NO_KEY
            elif is_scalar:
                if value in parent:
                    late.append(DuplicateKey(value, line))
                frame[3] = value
                return
            else:
                problem = "a key must be a single value, not a list or mapping"
                late.append(yaml.composer.ComposerError(None, None, problem, event.start_mark))
                frame[3] = unusable_key = object()  # never looked up: the load fails at the end
                path = (*parent_path, unusable_key)
        if is_scalar:
            return
        if len(stack) >= MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"lists and mappings nest deeper than {MAX_YAML_DEPTH} levels",
                event.start_mark,
            )
        if kind is yaml.MappingStartEvent:
            stack.append([value, path, None, _NO_KEY])
        else:
            item_lines = lines.items_by_path[path] = array("I")
            stack.append([value, path, item_lines, None])

    for event in yaml.parse(text, Loader=_PARSER):
        kind = type(event)
        if kind in _SKIPPED_EVENTS:
            continue
        if kind is yaml.DocumentStartEvent:
            if root_mark is not None:
                raise yaml.composer.ComposerError(
                    "expected a single document in the stream",
                    root_mark,
                    "but found another document",
                    event.start_mark,
                )
            continue
        root_mark = root_mark or event.start_mark
        if kind is yaml.AliasEvent or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None,
                None,
                "anchors and aliases (&name, *name) are not allowed: write the value out in full",
                event.start_mark,
            )
        take(event)
    if late:
        raise late[0]
    return (root[0] if root else None), lines


def plain_scalars(text: str) -> dict[int, list[tuple[str, Any]]]:
    """Unquoted values that YAML reads as something other than text, by line, as written.

    Used only to word an error: a schema error sees False, where the operator wrote `no`.
    """
    loader = yaml.SafeLoader("")
    found: dict[int, list[tuple[str, Any]]] = {}
    for event in yaml.parse(text, Loader=_PARSER):
        if type(event) is not yaml.ScalarEvent or event.tag not in (None, "!"):
            continue
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _STR_TAG:
            continue
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = loader.construct_object(node, deep=True)
        except Exception:  # parse_yaml reported it already
            continue
        found.setdefault(event.start_mark.line + 1, []).append((event.value, value))
    return found


class DuplicateKey(yaml.YAMLError):
    """A mapping has the same key twice; YAML allows it, the bot refuses it (the later would win)."""

    def __init__(self, key: Any, line: int):
        self.key, self.line = key, line
        super().__init__(f"key {key!r} is written twice")
