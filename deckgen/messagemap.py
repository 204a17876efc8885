"""The declared message map (message_map.yaml): dimensions of a selling situation, their allowed
values, labels and aliases, and the content kinds; and the one validator of tag names and values."""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from deckgen.errors import ConfigError
from deckgen.fsutil import display_path
from deckgen.problems import Problem, Problems, did_you_mean
from deckgen.yamlio import LineDict, describe, load_file, where

KIND_TAG = "kind"                       # the tag that names a slide's content kind
ANY_VALUE = "*"                         # a slide tag value meaning "every value"
# prospect fields a dimension can be fed from (list fields hold several values)
PROSPECT_TAG_FIELDS = ("segment", "industry", "competitors", "objections")
_TOP_KEYS = ("dimensions", "kinds")
_DIMENSION_KEYS = ("label", "description", "field", "values")
_VALUE_KEYS = ("label", "description", "aliases")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_MAP_BYTES = 2 * 1024 * 1024         # a message map is a page of YAML, not a data dump


@dataclass(frozen=True)
class MapValue:
    """One allowed value of a dimension (or one content kind): its label, description, aliases."""

    name: str
    label: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class Dimension:
    """One dimension of a selling situation (segment, competitor, ...) and its allowed values."""

    name: str
    label: str
    values: Mapping[str, MapValue]           # canonical name -> value, in declared order
    description: str = ""
    prospect_field: str | None = None        # the prospect field that carries it, e.g. "competitors"
    where: str = ""
    _lookup: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for value in self.values.values():
            self._lookup[value.name.casefold()] = value.name
            for alias in value.aliases:
                self._lookup.setdefault(alias.strip().casefold(), value.name)

    def canonical(self, value: str) -> str | None:
        """Return the canonical value ``value`` (a value or an alias, any case) stands for, or None."""
        return self._lookup.get(str(value).strip().casefold())

    def spellings(self) -> list[str]:
        """Every value and alias, for "did you mean" hints."""
        return [*self.values, *(alias for value in self.values.values() for alias in value.aliases)]


@dataclass(frozen=True)
class MessageMap:
    """A validated message map: its dimensions (by tag name) and the content kinds."""

    path: Path
    dimensions: Mapping[str, Dimension]
    kinds: Dimension

    @property
    def label(self) -> str:
        return display_path(self.path)

    def tag(self, name: str) -> Dimension | None:
        """Return the dimension a slide tag ``name`` refers to (``kind`` is the content kinds)."""
        return self.kinds if name == KIND_TAG else self.dimensions.get(name)

    def tag_names(self) -> list[str]:
        return [KIND_TAG, *self.dimensions]

    def dimension_for_field(self, prospect_field: str) -> Dimension | None:
        """Return the dimension fed by a prospect field ("competitors"), or None."""
        for dimension in self.dimensions.values():
            if dimension.prospect_field == prospect_field:
                return dimension
        return None

    # -- the one validator of tag names and values ---------------------------------------------

    def tag_name_problem(self, name: str) -> tuple[str, str] | None:
        """Return (message, hint) when ``name`` is not a declared tag, else None."""
        if self.tag(name) is not None:
            return None
        return (f"tag '{name}' is not a dimension of the message map",
                did_you_mean(name, self.tag_names())
                or f"declared in {self.label}: " + ", ".join(self.tag_names()))

    def tag_value_problem(self, name: str, value: str, *, allow_any: bool = False) -> tuple[str, str] | None:
        """Return (message, hint) when ``value`` is not a canonical value of tag ``name``, else None.

        Slides and recipes write canonical values (any case); aliases are for CRM and prospect
        data, so an alias here is reported with the value to write instead.
        """
        dimension = self.tag(name)
        if dimension is None or (allow_any and value == ANY_VALUE):
            return None
        canonical = dimension.canonical(value)
        if canonical is not None and canonical.casefold() == str(value).strip().casefold():
            return None
        if canonical is not None:
            return (f"{name} '{value}' is an alias in the message map", f"write '{canonical}'")
        what = "content kind" if name == KIND_TAG else name
        suggestion = _suggestion(dimension, value)
        return (f"{what} '{value}' is not declared in the message map",
                f"did you mean '{suggestion}'?" if suggestion else
                f"declare it in {dimension.where or self.label}, or use one of: " + ", ".join(dimension.values))

    def canonical_prospect(self, prospect: Any) -> Any:
        """Return ``prospect`` with segment, industry, competitors and objections mapped to their
        canonical values (aliases resolved); raise one ConfigError naming the field's file:line
        (or CSV row and column) for a value the map does not declare."""
        problems = Problems()
        changes: dict[str, Any] = {}
        for prospect_field in PROSPECT_TAG_FIELDS:
            dimension = self.dimension_for_field(prospect_field)
            raw = getattr(prospect, prospect_field)
            if dimension is None or raw in (None, (), ""):
                continue
            items = raw if isinstance(raw, tuple) else (raw,)
            mapped = []
            for item in items:
                canonical = dimension.canonical(item)
                if canonical is None:
                    at = prospect.location_of(prospect_field)
                    origin = prospect.field_origin.get(prospect_field)
                    suggestion = _suggestion(dimension, item)
                    problems.error(at, f"{origin + ': ' if origin else ''}{prospect_field} '{item}' is not a "
                                       f"{dimension.name} of the message map", code="undeclared-value", hint=
                                   f"did you mean '{suggestion}'?" if suggestion else
                                   f"add it (or an alias) under {dimension.name} in {self.label}; "
                                   f"{dimension.name} values: " + ", ".join(dimension.values))
                mapped.append(canonical or item)
            value = tuple(mapped) if isinstance(raw, tuple) else mapped[0]
            if value != raw:
                changes[prospect_field] = value
        problems.raise_errors(f"{prospect.source or 'prospect'}: values the message map does not declare")
        return replace(prospect, **changes) if changes else prospect


def _suggestion(dimension: Dimension, value: Any) -> str | None:
    """Return the canonical value whose spelling (value or alias) is closest to ``value``, or None."""
    close = difflib.get_close_matches(str(value).casefold(), [s.casefold() for s in dimension.spellings()],
                                      n=1, cutoff=0.6)
    return dimension.canonical(close[0]) if close else None


def load_message_map(path: str | os.PathLike) -> MessageMap:
    """Read and validate a message map file; raise one ConfigError listing every problem (file:line)."""
    target = Path(path)
    label = display_path(target)
    try:
        size = target.stat().st_size
    except OSError as exc:
        raise ConfigError("message map file not found", where=label,
                          hint="fix 'message_map:' in deckgen.yaml, or write one with `deckgen map init`") from exc
    if size > MAX_MAP_BYTES:
        raise ConfigError(f"the message map is {size} bytes; at most {MAX_MAP_BYTES} are read", where=label)
    data = load_file(target)
    if data is None:
        data = LineDict(file=label, line=1)
    if not isinstance(data, Mapping):
        raise ConfigError(f"a message map must be a mapping with 'dimensions:' and 'kinds:', found {describe(data)}",
                          where=where(data, None, label))
    problems = Problems()
    problems.unknown_keys(data, _TOP_KEYS, default_where=label)
    raw_dimensions = data.get("dimensions")
    dimensions: dict[str, Dimension] = {}
    if raw_dimensions is None:
        problems.error(where(data, None, label), "missing 'dimensions:'",
                       "declare the dimensions of a selling situation, e.g. segment, competitor, objection")
    elif not isinstance(raw_dimensions, Mapping):
        problems.error(where(data, "dimensions", label),
                       f"'dimensions' must map dimension names to their values, found {describe(raw_dimensions)}")
    else:
        fields: dict[str, str] = {}
        for name, raw in raw_dimensions.items():
            at = where(raw_dimensions, name, label)
            if not isinstance(name, str) or not _NAME.match(name):
                problems.error(at, f"dimension name {describe(name)} is not a tag name", "use a word such as 'segment'")
                continue
            if name == KIND_TAG:
                problems.error(at, "'kind' is declared under 'kinds:', not as a dimension")
                continue
            dimension = _dimension(name, raw, at, problems)
            if dimension is None:
                continue
            if dimension.prospect_field is not None:
                if dimension.prospect_field in fields:
                    problems.error(at, f"prospect field '{dimension.prospect_field}' already feeds dimension "
                                       f"'{fields[dimension.prospect_field]}'", "one dimension per prospect field")
                fields[dimension.prospect_field] = name
            dimensions[name] = dimension
    kinds_raw = data.get("kinds")
    kinds = Dimension(KIND_TAG, "Content kind", {}, where=label)
    if kinds_raw is None:
        problems.error(where(data, None, label), "missing 'kinds:'",
                       "list the content kinds, e.g. value-prop, case-study, battle-card")
    else:
        parsed_kinds = _dimension(KIND_TAG, {"label": "Content kind", "values": kinds_raw},
                                  where(data, "kinds", label), problems, values_at=where(data, "kinds", label))
        kinds = parsed_kinds or kinds
    problems.raise_errors(f"{label}: invalid message map")
    return MessageMap(path=target.resolve(), dimensions=dimensions, kinds=kinds)


def _text(mapping: Mapping, key: str, at: str, problems: Problems) -> str:
    value = mapping.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.error(where(mapping, key, at), f"'{key}' must be text, found {describe(value)}")
        return ""
    return value.strip()


def _dimension(name: str, raw: Any, at: str, problems: Problems, values_at: str | None = None) -> Dimension | None:
    if not isinstance(raw, Mapping):
        problems.error(at, f"dimension '{name}' must be a mapping with 'values:', found {describe(raw)}")
        return None
    problems.unknown_keys(raw, _DIMENSION_KEYS, default_where=at, context=f"dimension '{name}'")
    label = _text(raw, "label", at, problems) or name
    prospect_field = raw.get("field")
    if prospect_field is not None and prospect_field not in PROSPECT_TAG_FIELDS:
        problems.error(where(raw, "field", at), f"'field' of dimension '{name}' must be a prospect field "
                                                f"({', '.join(PROSPECT_TAG_FIELDS)}), found {describe(prospect_field)}",
                       did_you_mean(prospect_field, PROSPECT_TAG_FIELDS))
        prospect_field = None
    raw_values = raw.get("values")
    values_where = values_at or where(raw, "values", at)
    values: dict[str, MapValue] = {}
    seen: dict[str, str] = {}            # case-folded spelling -> the value that owns it
    if raw_values is None:
        problems.error(at, f"dimension '{name}' has no 'values:'", "list its allowed values")
    elif isinstance(raw_values, list):
        for index, item in enumerate(raw_values):
            _value(item, None, where(raw_values, index, values_where), name, values, seen, problems)
    elif isinstance(raw_values, Mapping):
        for value_name, item in raw_values.items():
            _value(value_name, item, where(raw_values, value_name, values_where), name, values, seen, problems)
    else:
        problems.error(values_where, f"'values' of '{name}' must be a list or a mapping of values, "
                                     f"found {describe(raw_values)}")
    return Dimension(name=name, label=label, values=values, description=_text(raw, "description", at, problems),
                     prospect_field=prospect_field, where=at)


def _value(name: Any, raw: Any, at: str, dimension: str, values: dict[str, MapValue], seen: dict[str, str],
           problems: Problems) -> None:
    if isinstance(name, bool) or not isinstance(name, (str, int)) or not _NAME.match(str(name)):
        problems.error(at, f"value {describe(name)} of '{dimension}' is not a tag value",
                       "use letters, digits, '.', '_' and '-' (put other spellings under 'aliases')")
        return
    name = str(name)
    if raw is not None and not isinstance(raw, Mapping):
        problems.error(at, f"value '{name}' must be a mapping (label, description, aliases), found {describe(raw)}")
        raw = None
    raw = raw or {}
    problems.unknown_keys(raw, _VALUE_KEYS, default_where=at, context=f"value '{name}'")
    aliases_raw = raw.get("aliases") or []
    if isinstance(aliases_raw, str):
        aliases_raw = [aliases_raw]
    aliases = []
    if not isinstance(aliases_raw, list):
        problems.error(where(raw, "aliases", at), f"'aliases' must be a list of spellings, found {describe(aliases_raw)}")
        aliases_raw = []
    for index, alias in enumerate(aliases_raw):
        if isinstance(alias, bool) or not isinstance(alias, (str, int)) or not str(alias).strip():
            problems.error(where(aliases_raw, index, at), f"alias of '{name}' must be text, found {describe(alias)}")
            continue
        aliases.append(str(alias).strip())
    for spelling in (name, *aliases):
        folded = spelling.casefold()
        owner = seen.get(folded)
        if owner is not None and not (owner == name and spelling != name):
            problems.error(at, f"'{spelling}' is declared twice in '{dimension}' (also for '{owner}')",
                           "each value and alias may appear once per dimension")
            return
        seen[folded] = name
    values[name] = MapValue(name=name, label=_text(raw, "label", at, problems) or name,
                            description=_text(raw, "description", at, problems), aliases=tuple(aliases), where=at)


def check_tags(message_map: MessageMap, tags: Mapping[str, Iterable[str]]) -> list[tuple[str, str | None, str, str]]:
    """Return (tag, value or None, message, hint) for every undeclared tag name or value in ``tags``."""
    found = []
    for name, values in tags.items():
        problem = message_map.tag_name_problem(name)
        if problem is not None:
            found.append((name, None, *problem))
            continue
        for value in values:
            problem = message_map.tag_value_problem(name, value, allow_any=True)
            if problem is not None:
                found.append((name, value, *problem))
    return found


__all__ = ["ANY_VALUE", "Dimension", "KIND_TAG", "MapValue", "MessageMap", "PROSPECT_TAG_FIELDS", "Problem",
           "check_tags", "load_message_map"]
