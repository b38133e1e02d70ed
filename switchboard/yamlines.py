# -*- test-case-name: tests.ivr.test_parse -*-
"""A YAML loader that remembers where every mapping key and list item came from.

Flow and queue files are validated with messages that name the line, so the loader keeps
1-based line numbers: :class:`LineDict` knows the line of itself and of each key,
:class:`LineList` the line of itself and of each item. Implicit typing follows YAML 1.2's
core schema, not PyYAML's YAML 1.1 default: ``18:00`` stays a string (YAML 1.1 reads it
as the base-60 integer 1080) and ``no``/``on``/``off`` stay strings (a language code
``no`` must not become ``False``). Dates (``2026-10-01``) still become ``datetime.date``.

A key written twice in one mapping is refused (:class:`DuplicateKeyError`, naming both
lines): PyYAML would keep the second silently, so a second agent ``1001`` or a second step
``menu`` would replace the first without a word. Keys brought in by a ``<<`` merge may
still be overridden, as YAML intends.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["DuplicateKeyError", "LineDict", "LineList", "YamlSyntaxError", "line_of", "load_yaml"]


class LineDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A list that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class YamlSyntaxError(ValueError):
    """The text is not YAML; ``line`` is 1-based (0 when unknown); ``fix`` says what to do."""

    code = "yaml_syntax"
    fix = "fix the indentation or quoting on that line"

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class DuplicateKeyError(YamlSyntaxError):
    """One or more mappings name a key twice; ``duplicates`` is (key, first line, line)."""

    code = "duplicate_key"
    fix = "remove or rename one of the two (a later key would silently replace the first)"

    def __init__(self, duplicates: list[tuple[str, int, int]]) -> None:
        self.duplicates = tuple(duplicates)
        text = "; ".join(
            f"duplicate key '{key}' on line {line} (first on line {first})"
            for key, first, line in self.duplicates
        )
        super().__init__(text, self.duplicates[0][2])


def line_of(value: Any, key: Any = None) -> int:
    """The line of ``value`` (or of its ``key``), 0 when it carries none."""
    if isinstance(value, LineDict):
        return value.line_of(key) if key is not None else value.line
    if isinstance(value, LineList):
        return value.line_of(key) if isinstance(key, int) else value.line
    return 0


class _Loader(yaml.SafeLoader):
    duplicates: list[tuple[str, int, int]]


# YAML 1.2 core-schema scalars instead of YAML 1.1's (no sexagesimal, no yes/no/on/off).
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def _int(loader: _Loader, node: yaml.ScalarNode) -> int:
    return int(loader.construct_scalar(node))  # type: ignore[arg-type]


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    written = {id(key) for key, _ in node.value if key.tag != _MERGE_TAG}
    loader.flatten_mapping(node)  # merged pairs first, then the ones written here
    first_lines: dict[Any, int] = {}
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, int | float) and not isinstance(key, bool):
            key = str(key_node.value)  # menu digits: 1 and "1" are the same key
        if not isinstance(key, str | bool):
            raise yaml.constructor.ConstructorError(
                None, None, f"unsupported key type {type(key).__name__}", key_node.start_mark
            )
        line = key_node.start_mark.line + 1
        if id(key_node) in written:
            if key in first_lines:
                loader.duplicates.append((str(key), first_lines[key], line))
                continue  # the first one stays; the file is refused anyway
            first_lines[key] = line
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:  # 2026-13-01: kept as text, so validation can name it
        return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def load_yaml(text: str) -> Any:
    """Parse one YAML document; raise :class:`YamlSyntaxError` naming the line."""
    loader = _Loader(text)  # a SafeLoader subclass: what yaml.load does, keeping the loader
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise YamlSyntaxError(f"{exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), 0) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise DuplicateKeyError(loader.duplicates)
    return data
