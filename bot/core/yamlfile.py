"""Reading the library's YAML files (keywords.yaml, numbers.yaml): safe values, the line of every
node, and duplicate keys refused, from one loader."""

from __future__ import annotations

from array import array
from collections.abc import Callable
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


def parse_yaml(text: str) -> tuple[Any, Lines]:
    """Parse YAML safely, remembering the line of every node.

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
    # An anchored node's events, replayed where an alias names it, as if written out again there;
    # `recording` holds the anchored nodes still open, with the nesting depth each started at.
    anchors: dict[str, tuple[yaml.Event, ...]] = {}
    anchor_marks: dict[str, Any] = {}
    recording: list[tuple[str, list[yaml.Event], int]] = []

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
        if kind is yaml.MappingStartEvent:
            stack.append([value, path, None, _NO_KEY])
        elif kind is yaml.SequenceStartEvent:
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
        anchor = None
        if kind is yaml.AliasEvent:
            if event.anchor not in anchor_marks:
                raise yaml.composer.ComposerError(
                    None, None, "found undefined alias", event.start_mark
                )
            if event.anchor not in anchors:  # its node is still open: it would hold itself
                problem = f"alias *{event.anchor} is inside the node it names"
                late.append(yaml.composer.ComposerError(None, None, problem, event.start_mark))
                event = yaml.ScalarEvent(None, None, (True, False), "", event.start_mark)
        else:
            anchor = getattr(event, "anchor", None)  # end events have none
            if anchor is not None:
                if anchor in anchor_marks:
                    raise yaml.composer.ComposerError(
                        "found duplicate anchor; first occurrence",
                        anchor_marks[anchor],
                        "second occurrence",
                        event.start_mark,
                    )
                anchor_marks[anchor] = event.start_mark
        for _anchor, events, _depth in recording:
            events.append(event)
        if anchor is not None:
            if kind is yaml.ScalarEvent:
                anchors[anchor] = (event,)
            else:
                recording.append((anchor, [event], len(stack)))
        if type(event) is yaml.AliasEvent:
            _replay(anchors[event.anchor], anchors, take)
        else:
            take(event)
        while recording and len(stack) == recording[-1][2]:  # anchored nodes just closed
            name, events, _depth = recording.pop()
            anchors[name] = tuple(events)
    if late:
        raise late[0]
    return (root[0] if root else None), lines


def _replay(
    events: tuple[yaml.Event, ...],
    anchors: dict[str, tuple[yaml.Event, ...]],
    take: Callable[[yaml.Event], None],
) -> None:
    """Take an anchored node's events again where an alias names it, its own aliases in turn."""
    # Not a closure of parse_yaml: one calling itself there would be a reference cycle, keeping
    # the whole parsed file alive after the load until the garbage collector next ran.
    for event in events:
        if type(event) is yaml.AliasEvent:
            _replay(anchors[event.anchor], anchors, take)
        else:
            take(event)


class DuplicateKey(yaml.YAMLError):
    """A mapping has the same key twice; YAML allows it, the bot refuses it (the later would win)."""

    def __init__(self, key: Any, line: int):
        self.key, self.line = key, line
        super().__init__(f"key {key!r} is written twice")
