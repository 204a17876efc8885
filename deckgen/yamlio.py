"""Read YAML/JSON keeping the file and line of every key and item, so problems can cite them."""
from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any, Mapping

import yaml

from deckgen.errors import ConfigError
from deckgen.fsutil import display_path
from deckgen.problems import Location, as_location



class LineDict(dict):
    """A mapping read from a file that remembers its own line and the line of each key."""

    def __init__(self, *args: Any, file: str = "", line: int | None = None,
                 key_lines: dict[Any, int] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.file = file
        self.line = line
        self.key_lines = key_lines or {}

    def where(self, key: Any = None) -> Location:
        """Return the location of ``key`` (or of the mapping itself when the key has no line)."""
        return _where(self.file, self.key_lines.get(key, self.line) if key is not None else self.line)


class LineList(list):
    """A sequence read from a file that remembers its own line and the line of each item."""

    def __init__(self, *args: Any, file: str = "", line: int | None = None,
                 item_lines: list[int] | None = None):
        super().__init__(*args)
        self.file = file
        self.line = line
        self.item_lines = item_lines or []

    def where(self, index: int | None = None) -> Location:
        """Return the location of item ``index`` (or of the sequence itself)."""
        if index is not None and 0 <= index < len(self.item_lines):
            return _where(self.file, self.item_lines[index])
        return _where(self.file, self.line)


def _where(file: str, line: int | None) -> Location:
    return Location(file, line)


def where(node: Any, key: Any = None, default: Location | str = "") -> Location:
    """Return the location (file and line) of ``key`` in ``node`` when it was read from a file, else ``default``."""
    if isinstance(node, (LineDict, LineList)):
        return node.where(key)
    return as_location(default)


# libyaml's parser when present (several times faster on large libraries), same constructors either way
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    """A SafeLoader whose mappings and sequences carry the (1-based) line of every key and item."""

    file_label = ""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        self.flatten_mapping(node)
        result = LineDict(file=self.file_label, line=node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError as exc:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be text, found a list or mapping",
                    key_node.start_mark) from exc
            line = key_node.start_mark.line + 1
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (first at line {result.key_lines[key]})",
                    key_node.start_mark)
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = line
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:  # type: ignore[override]
        return LineList((self.construct_object(child, deep=True) for child in node.value),
                        file=self.file_label, line=node.start_mark.line + 1,
                        item_lines=[child.start_mark.line + 1 for child in node.value])

    def construct_yaml_map(self, node: yaml.MappingNode):  # type: ignore[override]
        yield self.construct_mapping(node)

    def construct_yaml_seq(self, node: yaml.SequenceNode):  # type: ignore[override]
        yield self.construct_sequence(node)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        # A date-shaped but impossible value (2027-13-01) stays text so validation can name it.
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_yaml_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_yaml_seq)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)


def parse_yaml(text: str, label: str) -> Any:
    """Parse YAML ``text`` (named ``label`` in messages); raise ConfigError naming ``label:line``."""
    loader = _LineLoader(text)
    loader.file_label = label
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"invalid YAML: {problem}", where=_where(label, line)) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", where=label) from exc
    finally:
        loader.dispose()


def load_file(path: str | os.PathLike) -> Any:
    """Return the data of a YAML or JSON file, with LineDict/LineList nodes that know their lines.

    Raises ConfigError (``file:line: ...``) for a missing/unreadable file or a syntax error.
    """
    target = Path(path)
    label = display_path(target)
    try:
        text = target.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ConfigError("file not found", where=label) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("not a UTF-8 text file", where=label) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror}", where=label) from exc
    if target.suffix.lower() != ".json":
        return parse_yaml(text, label)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"invalid JSON: {exc.msg}", where=_where(label, exc.lineno)) from exc
    # JSON is (almost always) YAML too: reading it again with the YAML loader gives line numbers.
    try:
        with_lines = parse_yaml(text, label)
    except ConfigError:
        with_lines = None
    return with_lines if with_lines == data else _attach_file(data, label)


def _attach_file(data: Any, label: str) -> Any:
    """Wrap plain JSON data in LineDict/LineList nodes that name the file but no line."""
    if isinstance(data, dict):
        return LineDict({k: _attach_file(v, label) for k, v in data.items()}, file=label)
    if isinstance(data, list):
        return LineList((_attach_file(v, label) for v in data), file=label)
    return data


def file_mapping(data: Any, label: str, what: str) -> Mapping:
    """Return the top level of a file read by ``load_file`` as a mapping (an empty file is an empty
    one); raise ConfigError naming ``label`` when it is something else. ``what`` says what the
    mapping holds, e.g. "the project config must be a mapping (library: ..., recipes: ...)"."""
    if data is None:
        return LineDict(file=label, line=1)
    if not isinstance(data, Mapping):
        raise ConfigError(f"{what}, found {describe(data)}", where=where(data, None, label))
    return data


def describe(value: Any) -> str:
    """Name the kind of ``value`` the way a YAML author thinks of it ("a list", "text 'x'")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"text '{value}'"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def plain(data: Any) -> Any:
    """Return ``data`` with LineDict/LineList nodes turned into ordinary dicts and lists."""
    if isinstance(data, Mapping):
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain(value) for value in data]
    return data
