"""Read YAML/JSON keeping the file and line of every key and item, so problems can cite them."""
from __future__ import annotations

import datetime
import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any, Mapping

import yaml

from deckgen.errors import ConfigError
from deckgen.fsutil import display_path
from deckgen.problems import Location, as_location

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

# Bounds on every YAML/JSON input (docs/limits.md): a file is read only up to MAX_FILE_BYTES,
# nesting deeper than MAX_DEPTH is refused, and aliases may add at most MAX_ALIAS_NODES nodes to
# what the file spells out (an "alias bomb" of 9 nested lists of 9 aliases is 387 million nodes).
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 100
MAX_ALIAS_NODES = 100_000


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

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_int(node)
        except ValueError as exc:     # Python refuses int() of more than 4300 digits
            raise yaml.constructor.ConstructorError(
                None, None, f"a number with more than {sys.get_int_max_str_digits()} digits", node.start_mark
            ) from exc

    def construct_yaml_str(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        text = super().construct_yaml_str(node)
        if _SURROGATE.search(text):
            raise yaml.constructor.ConstructorError(
                None, None, "text with a lone surrogate character (\\ud800-\\udfff), which is not "
                "valid Unicode", node.start_mark)
        return text

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        # A date-shaped but impossible value (2027-13-01) stays text so validation can name it.
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_yaml_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_yaml_seq)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _LineLoader.construct_yaml_int)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _LineLoader.construct_yaml_str)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_node_bounds(root: yaml.Node, label: str) -> None:
    """Raise ConfigError when the document under ``root`` nests deeper than MAX_DEPTH, refers to
    itself through an alias, or grows by more than MAX_ALIAS_NODES nodes when aliases expand.

    Walks the node graph once without recursion, keeping each node's expanded size and height.
    """
    sizes: dict[int, int] = {}
    heights: dict[int, int] = {}
    unique = 0
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, finished = stack.pop()
        key = id(node)
        children = _children(node)
        if finished:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            heights[key] = 1 + max((heights[id(child)] for child in children), default=0)
            if heights[key] > MAX_DEPTH:
                raise _bound_error(label, node, f"nests deeper than {MAX_DEPTH} levels")
            if sizes[key] - unique > MAX_ALIAS_NODES:
                raise _bound_error(label, node, f"its aliases expand to more than {MAX_ALIAS_NODES:,} "
                                                "extra items (an alias bomb?)")
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _bound_error(label, node, "an alias refers to the list or mapping that contains it")
        if depth > MAX_DEPTH:
            raise _bound_error(label, node, f"nests deeper than {MAX_DEPTH} levels")
        unique += 1
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children if id(child) not in sizes)


def _bound_error(label: str, node: yaml.Node, problem: str) -> ConfigError:
    return ConfigError(f"refused: {problem}", where=_where(label, node.start_mark.line + 1),
                       hint="simplify the file; limits are listed in docs/limits.md")


def parse_yaml(text: str, label: str) -> Any:
    """Parse YAML ``text`` (named ``label`` in messages); raise ConfigError naming ``label:line``.

    The document is composed, checked against the depth and alias bounds, and only then built.
    """
    surrogate = _SURROGATE.search(text)
    if surrogate:    # from a command line in another encoding, or a "\\udc80" escape
        line = text.count("\n", 0, surrogate.start()) + 1
        raise ConfigError("invalid YAML: a lone surrogate character (\\ud800-\\udfff), which is not "
                          "valid Unicode", where=_where(label, line))
    loader = _LineLoader(text)
    loader.file_label = label
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_node_bounds(node, label)
        return loader.construct_document(node)
    except RecursionError as exc:
        raise ConfigError(f"refused: nests deeper than {MAX_DEPTH} levels", where=label,
                          hint="simplify the file; limits are listed in docs/limits.md") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"invalid YAML: {problem}", where=_where(label, line)) from exc
    except yaml.YAMLError as exc:
        first_line = (str(exc).splitlines() or ["invalid YAML"])[0]
        raise ConfigError(f"invalid YAML: {first_line}", where=label) from exc
    finally:
        loader.dispose()


def surrogate_problem(data: Any) -> str | None:
    """Why ``data`` (parsed JSON) holds text that is not valid Unicode (a lone surrogate, from a
    "\\udc80" escape), or None. Such text cannot be written to a deck or a manifest."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and _SURROGATE.search(node):
            shown = node[:40].encode("utf-8", "backslashreplace").decode("ascii", "replace")
            return (f"text '{shown}' has a lone surrogate character (\\ud800-\\udfff), "
                    "which is not valid Unicode")
    return None


def load_file(path: str | os.PathLike, per_item: bool = False) -> Any:
    """Return the data of a YAML or JSON file, with LineDict/LineList nodes that know their lines.

    Raises ConfigError (``file:line: ...``) for a missing/unreadable file or a syntax error.
    With ``per_item`` (a list whose items are judged one by one), text that is not valid Unicode
    is left to the caller (``surrogate_problem``).
    """
    target = Path(path)
    label = display_path(target)
    text = read_text_capped(target, label)
    if target.suffix.lower() != ".json":
        return parse_yaml(text, label)
    data = parse_json(text, label)
    problem = None if per_item else surrogate_problem(data)
    if problem:
        raise ConfigError(f"invalid JSON: {problem}", where=label)
    # JSON is (almost always) YAML too: reading it again with the YAML loader gives line numbers.
    try:
        with_lines = parse_yaml(text, label)
    except ConfigError:
        with_lines = None
    return with_lines if with_lines == data else _attach_file(data, label)


def read_bytes_capped(path: Path, label: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """Return the bytes of the regular file ``path``; ConfigError when it is missing, not a regular
    file (a device such as /dev/zero, a pipe, a folder) or larger than ``limit`` bytes."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        raise ConfigError("file not found", where=label) from exc
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"cannot read file: {reason}", where=label) from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError("is not a regular file (a device, pipe or folder)", where=label,
                              hint="give a YAML, JSON or CSV file")
        if info.st_size > limit:
            raise ConfigError(f"is larger than the {limit // (1024 * 1024)} MiB deckgen reads",
                              where=label, hint="split the file; limits are listed in docs/limits.md")
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise ConfigError(f"cannot read file: {exc.strerror}", where=label) from exc
    if len(data) > limit:       # grew while being read
        raise ConfigError(f"is larger than the {limit // (1024 * 1024)} MiB deckgen reads", where=label)
    return data


def read_text_capped(path: Path, label: str, limit: int = MAX_FILE_BYTES) -> str:
    """Return the UTF-8 text (a BOM dropped) of ``path``, read as ``read_bytes_capped`` does."""
    try:
        return read_bytes_capped(path, label, limit).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError("not a UTF-8 text file", where=label) from exc


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key '{key}'")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number deckgen accepts")


def parse_json(text: str, label: str) -> Any:
    """Parse JSON ``text`` as strictly as YAML is read: a duplicate key, NaN/Infinity or nesting
    deeper than MAX_DEPTH is a ConfigError naming ``label`` (and the line when known)."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"invalid JSON: {exc.msg}", where=_where(label, exc.lineno)) from exc
    except RecursionError as exc:
        raise ConfigError(f"refused: nests deeper than {MAX_DEPTH} levels", where=label,
                          hint="simplify the file; limits are listed in docs/limits.md") from exc
    except ValueError as exc:
        raise ConfigError(f"invalid JSON: {exc}", where=label) from exc
    _check_json_values(data, label)
    return data


def _check_json_values(data: Any, label: str) -> None:
    """Raise ConfigError for JSON nesting deeper than MAX_DEPTH."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ConfigError(f"refused: nests deeper than {MAX_DEPTH} levels", where=label,
                              hint="simplify the file; limits are listed in docs/limits.md")
        if isinstance(node, dict):
            stack.extend((key, depth + 1) for key in node)
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)



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
        text = str(value) if not isinstance(value, int) or value.bit_length() < 200 else f"{str(value)[:20]}..."
        return f"the number {text}"
    if isinstance(value, str):
        # data can be long or hold terminal escapes: a message shows at most 60 printable characters
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"text '{printable(shown)}'"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def printable(text: str) -> str:
    """``text`` with control characters (terminal escapes, NUL, newlines) shown as \\x.. escapes,
    so data echoed in a message cannot move the cursor, recolour or retitle a terminal."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def plain(data: Any) -> Any:
    """Return ``data`` with LineDict/LineList nodes turned into ordinary dicts and lists."""
    if isinstance(data, Mapping):
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain(value) for value in data]
    return data
