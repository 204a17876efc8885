"""Load recipe files: validate each against the schema, then merge `extends` parents and `include`s."""
from __future__ import annotations

import keyword
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from deckgen.conditions import check_condition
from deckgen.errors import ConfigError, InputFileError
from deckgen.library.metadata import KEY_PATTERN
from deckgen.prospect import FIELDS as PROSPECT_FIELDS
from deckgen.recipes.model import REF_PREFIX, KeyRef, Recipe, Section, Selector
from deckgen.fsutil import display_path
from deckgen.problems import Problems, did_you_mean
from deckgen.yamlio import LineDict, describe, load_file, where

RECIPE_SUFFIXES = (".yaml", ".yml")
RECIPE_KEYS = ("name", "description", "extends", "variables", "sections")
SECTION_KEYS = ("name", "slides", "select", "limit", "fallback", "for_each", "when", "required",
                "allow_repeat")
ITEM_REF = "item"


@dataclass(frozen=True)
class _Include:
    name: str
    where: str


@dataclass(frozen=True)
class _Slot:
    """Where the new sections of a recipe that extends this one go (default: the end)."""

    name: str
    where: str


@dataclass
class _ParsedFile:
    """One recipe file's own content, validated, before parents and includes are merged."""

    path: Path
    title: str | None = None
    description: str | None = None
    extends: _Include | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    items: list[Section | _Include | _Slot] = field(default_factory=list)
    has_sections: bool = False


@dataclass
class _Merged:
    title: str | None
    description: str | None
    variables: dict[str, Any]
    sections: list[Section]
    files: list[Path]
    slot: int | None = None          # index where a child recipe's new sections are inserted


def recipe_names(folder: str | os.PathLike) -> list[str]:
    """Return the names (file stems) of the recipes in a folder, sorted."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted({path.stem for suffix in RECIPE_SUFFIXES for path in root.glob(f"*{suffix}")
                   if path.is_file()})


def find_recipe(ref: str | os.PathLike, folder: str | os.PathLike) -> Path:
    """Return the file of a recipe given by name (a stem in ``folder``) or by path."""
    text = str(ref)
    as_path = Path(text)
    if as_path.suffix.lower() in RECIPE_SUFFIXES or "/" in text or os.sep in text:
        if not as_path.is_file():
            raise InputFileError("recipe file not found", where=display_path(as_path))
        return as_path
    found = _named_file(text, Path(folder))
    if found is None:
        names = recipe_names(folder)
        hint = did_you_mean(text, names) or (f"recipes in {display_path(folder)}: {', '.join(names)}"
                                             if names else f"{display_path(folder)} has no recipes")
        raise ConfigError(f"no recipe named '{text}'", hint=hint)
    return found


def load_recipe(ref: str | os.PathLike, folder: str | os.PathLike) -> Recipe:
    """Load, validate and merge a recipe; raise one ConfigError listing every problem (file:line).

    ``extends`` and ``include`` names are looked up beside the file that uses them.
    """
    path = find_recipe(ref, folder)
    loader = _Loader()
    merged = loader.merge(path.resolve(), chain=())
    if merged is not None:
        _check_unique_names(merged.sections, loader.problems)
        if not merged.sections and not loader.problems.errors:
            loader.problems.error(f"{display_path(path)}", "the recipe has no sections",
                                  "add a 'sections:' list")
    loader.problems.raise_errors(f"{display_path(path)}: invalid recipe")
    assert merged is not None
    return Recipe(name=path.stem, title=merged.title or path.stem, description=merged.description or "",
                  path=path, variables=merged.variables, sections=tuple(merged.sections),
                  files=tuple(merged.files))


def _named_file(name: str, folder: Path) -> Path | None:
    for suffix in RECIPE_SUFFIXES:
        candidate = folder / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _check_unique_names(sections: list[Section], problems: Problems) -> None:
    first: dict[str, Section] = {}
    for section in sections:
        if section.name in first:
            problems.error(section.where_of("name"),
                           f"section name '{section.name}' is used twice (also at {first[section.name].where})",
                           "give each section its own name")
        else:
            first[section.name] = section


class _Loader:
    """Reads each recipe file once and merges extends/include chains, collecting every problem."""

    def __init__(self) -> None:
        self.problems = Problems()
        self._parsed: dict[Path, _ParsedFile | None] = {}

    def merge(self, path: Path, chain: tuple[Path, ...]) -> _Merged | None:
        """Return a file's sections and variables with its parent and includes merged in."""
        parsed = self._parse(path)
        if parsed is None:
            return None
        chain = (*chain, path)
        files = [path]
        variables: dict[str, Any] = {}
        sections: list[Section] = []
        title, description = parsed.title, parsed.description
        parent = None
        if parsed.extends is not None:
            parent = self._follow(parsed.extends, path, chain, "extends")
            if parent is not None:
                files += parent.files
                variables.update(parent.variables)
                sections = list(parent.sections)
                title = title or parent.title
                description = description if description is not None else parent.description
        # This file's own sections (includes spliced in) and slot marker, in file order.
        own: list[Section | _Slot] = []
        included_variables: dict[str, Any] = {}
        for item in parsed.items:
            if isinstance(item, _Include):
                child = self._follow(item, path, chain, "include")
                if child is not None:
                    files += child.files
                    own.extend(child.sections)
                    included_variables.update(child.variables)
            else:
                own.append(item)
        # Included recipes supply defaults; this file's own variables win over them and the parent's.
        for name, value in included_variables.items():
            variables.setdefault(name, value)
        variables.update(parsed.variables)
        insert_at = parent.slot if parent is not None else None
        inherited = {section.name for section in sections}
        slot: int | None = None
        previous: int | None = None      # index of the last section this file placed
        for item in own:
            if isinstance(item, _Slot):
                slot = previous + 1 if previous is not None else (
                    insert_at if insert_at is not None else len(sections))
                continue
            if item.name in inherited:
                previous = [section.name for section in sections].index(item.name)
                sections[previous] = item      # a child's section replaces its parent's in place
                inherited.discard(item.name)
                continue
            position = insert_at if insert_at is not None else len(sections)
            sections.insert(position, item)
            if insert_at is not None:
                insert_at += 1
            if slot is not None and position < slot:
                slot += 1
            previous = position
        if slot is None:
            slot = insert_at       # grandchildren fill the parent's slot too
        return _Merged(title, description, variables, sections, list(dict.fromkeys(files)), slot)

    def _follow(self, ref: _Include, source: Path, chain: tuple[Path, ...], how: str) -> _Merged | None:
        if "/" in ref.name or "\\" in ref.name or ref.name.startswith(".") or "\0" in ref.name:
            # a recipe is data: it may name its neighbours, not reach out of the recipes folder
            self.problems.error(ref.where, f"{how}: '{ref.name[:100]}' is a path; {how} names a recipe "
                                           f"in the same recipes folder", "use the recipe's name, e.g. 'closing'")
            return None
        target = _named_file(ref.name, source.parent)
        if target is None:
            names = recipe_names(source.parent)
            self.problems.error(ref.where, f"{how}: no recipe named '{ref.name}' in {display_path(source.parent)}",
                                did_you_mean(ref.name, names) or
                                ("recipes there: " + ", ".join(names) if names else None))
            return None
        target = target.resolve()
        if target in chain:
            cycle = " -> ".join(p.stem for p in chain[chain.index(target):]) + f" -> {target.stem}"
            self.problems.error(ref.where, f"{how} cycle: {cycle}", f"remove the {how} that closes the loop")
            return None
        return self.merge(target, chain)

    def _parse(self, path: Path) -> _ParsedFile | None:
        if path not in self._parsed:
            self._parsed[path] = self._read(path)
        return self._parsed[path]

    def _read(self, path: Path) -> _ParsedFile | None:
        label = display_path(path)
        try:
            data = load_file(path)
        except ConfigError as exc:
            self.problems.extend(exc.all_problems())
            return None
        if data is None:
            data = LineDict(file=label, line=1)
        if not isinstance(data, Mapping):
            self.problems.error(where(data, None, label),
                                f"a recipe must be a mapping with a 'sections:' list, found {describe(data)}")
            return None
        problems = self.problems
        problems.unknown_keys(data, RECIPE_KEYS, default_where=label)
        parsed = _ParsedFile(path=path)
        for key in ("name", "description"):
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                problems.error(where(data, key, label), f"'{key}' must be text, found {describe(value)}")
            elif value is not None:
                setattr(parsed, "title" if key == "name" else key, value.strip())
        extends = data.get("extends")
        if extends is not None:
            if isinstance(extends, str) and extends.strip():
                parsed.extends = _Include(extends.strip(), where(data, "extends", label))
            else:
                problems.error(where(data, "extends", label),
                               f"'extends' must be a recipe name, found {describe(extends)}")
        parsed.variables = self._variables(data.get("variables"), where(data, "variables", label))
        sections = data.get("sections")
        if sections is None:
            if extends is None:
                problems.error(where(data, None, label), "missing 'sections:' list",
                               "list the sections of the deck, or 'extends:' another recipe")
        elif not isinstance(sections, list):
            problems.error(where(data, "sections", label), f"'sections' must be a list, found {describe(sections)}")
        else:
            slot_seen = False
            for index, raw in enumerate(sections):
                item = self._section(raw, where(sections, index, label), path.stem)
                if isinstance(item, _Slot) and slot_seen:
                    problems.error(item.where, "a recipe can have only one 'slot'")
                elif item is not None:
                    slot_seen = slot_seen or isinstance(item, _Slot)
                    parsed.items.append(item)
        return parsed

    def _variables(self, value: Any, location: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.problems.error(location, f"'variables' must be a mapping of names to defaults, "
                                          f"found {describe(value)}")
            return {}
        result = {}
        for name, default in value.items():
            if not (isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)):
                self.problems.error(where(value, name, location),
                                    f"variable name {describe(name)} cannot be used in a slide template",
                                    "use letters, digits and _ only, e.g. presenter_name")
            else:
                result[name] = default
        return result

    def _section(self, raw: Any, location: str, recipe: str) -> Section | _Include | _Slot | None:
        problems = self.problems
        if not isinstance(raw, Mapping):
            problems.error(location, f"each section must be a mapping (name, slides/select, ...), "
                                     f"found {describe(raw)}")
            return None

        def at(key: str) -> str:
            return where(raw, key, location)

        if "slot" in raw:
            name = raw["slot"]
            if len(raw) > 1 or not isinstance(name, str) or not name.strip():
                problems.error(at("slot"), "'slot' must stand alone with a name, e.g. '- slot: body'",
                               "a slot marks where recipes that extend this one put their new sections")
                return None
            return _Slot(name.strip(), at("slot"))

        if "include" in raw:
            name = raw["include"]
            others = [key for key in raw if key != "include"]
            if others:
                problems.error(at(others[0]), f"'include' must stand alone in its section item, "
                                              f"found '{others[0]}' beside it",
                               "write the included recipe's sections there, or drop the extra keys")
            if not isinstance(name, str) or not name.strip():
                problems.error(at("include"), f"'include' must be a recipe name, found {describe(name)}")
                return None
            return _Include(name.strip(), at("include")) if not others else None

        before = len(problems.errors)
        problems.unknown_keys(raw, SECTION_KEYS + ("include", "slot"), default_where=location)
        name = raw.get("name")
        if name is None:
            problems.error(location, "section has no 'name'", "name it, e.g. 'name: proof'")
        elif not isinstance(name, str) or not name.strip():
            problems.error(at("name"), f"section 'name' must be text, found {describe(name)}")
        label = name if isinstance(name, str) else "?"

        for_each = raw.get("for_each")
        if for_each is not None and not self._field_path(for_each, at("for_each"), "for_each", allow_item=False):
            for_each = None
        has_item = "for_each" in raw

        slides = self._keys(raw.get("slides"), at("slides"), "slides") if "slides" in raw else ()
        select = self._selector(raw.get("select"), at("select"), has_item) if "select" in raw else None
        if "slides" in raw and "select" in raw:
            problems.error(at("select"), f"section '{label}' has both 'slides' and 'select'",
                           "use one: split it into two sections")
        elif "slides" not in raw and "select" not in raw:
            problems.error(location, f"section '{label}' chooses no slides",
                           "give it 'slides: [key, ...]' or 'select: {tag: value}', or use 'include: RECIPE'")

        limit = raw.get("limit")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            problems.error(at("limit"), f"'limit' must be a whole number of at least 1, found {describe(limit)}")
            limit = None

        fallback_keys: tuple[KeyRef, ...] = ()
        fallback_select = None
        fallback = raw.get("fallback")
        if isinstance(fallback, Mapping):
            fallback_select = self._selector(fallback, at("fallback"), has_item)
        elif "fallback" in raw:
            fallback_keys = self._keys(fallback, at("fallback"), "fallback")

        when = raw.get("when")
        if "when" in raw:
            reason = check_condition(when)
            if reason:
                problems.error(at("when"), reason)

        flags = {}
        for flag in ("required", "allow_repeat"):
            value = raw.get(flag, False)
            if not isinstance(value, bool):
                problems.error(at(flag), f"'{flag}' must be true or false, found {describe(value)}")
                value = False
            flags[flag] = value

        if len(problems.errors) > before:
            return None
        return Section(name=name.strip(), where=location, recipe=recipe, slides=slides, select=select,
                       limit=limit, fallback_keys=fallback_keys, fallback_select=fallback_select,
                       for_each=for_each, when=when, required=flags["required"],
                       allow_repeat=flags["allow_repeat"], lines={key: at(key) for key in raw})

    def _keys(self, value: Any, location: str, what: str) -> tuple[KeyRef, ...]:
        """Return a list of slide keys (a single key is allowed) with the line of each."""
        if isinstance(value, str):
            value = [value]
            lines = [location]
        elif isinstance(value, list):
            lines = [where(value, index, location) for index in range(len(value))]
        else:
            self.problems.error(location, f"'{what}' must be a list of slide keys, found {describe(value)}")
            return ()
        if not value:
            self.problems.error(location, f"'{what}' is an empty list", "name at least one slide key")
        refs = []
        for item, line in zip(value, lines):
            if not isinstance(item, str) or not KEY_PATTERN.match(item):
                self.problems.error(line, f"'{what}' entries must be slide keys, found {describe(item)}")
            else:
                refs.append(KeyRef(item, line))
        return tuple(refs)

    def _selector(self, value: Any, location: str, has_item: bool) -> Selector | None:
        if not isinstance(value, Mapping):
            self.problems.error(location, f"a selector must be a mapping of tags to values such as "
                                          f"{{kind: case-study, segment: $segment}}, found {describe(value)}")
            return None
        if not value:
            self.problems.error(location, "the selector names no tags", "e.g. {kind: case-study}")
            return None
        tags: dict[str, tuple[str, ...]] = {}
        for tag, raw in value.items():
            at = where(value, tag, location)
            if not isinstance(tag, str) or not KEY_PATTERN.match(tag):
                self.problems.error(at, f"tag name {describe(tag)} is not valid")
                continue
            items = raw if isinstance(raw, list) else [raw]
            values = []
            for item in items:
                if isinstance(item, bool) or not isinstance(item, (str, int)) or str(item).strip() == "":
                    self.problems.error(at, f"tag '{tag}' values must be names or $fields, found {describe(item)}")
                    continue
                text = str(item).strip()
                if text.startswith(REF_PREFIX) and not self._field_path(text[1:], at, text, allow_item=has_item):
                    continue
                values.append(text)
            tags[tag] = tuple(values)
        return Selector(tags=tags, where=location,
                        tag_where={tag: where(value, tag, location) for tag in value if isinstance(tag, str)})

    def _field_path(self, value: Any, location: str, what: str, allow_item: bool) -> bool:
        """Check a dotted prospect field path ("objections", "values.tier", "item.name")."""
        if not isinstance(value, str) or not value.strip():
            self.problems.error(location, f"'{what}' must name a prospect field, found {describe(value)}")
            return False
        head = value.split(".")[0]
        known = PROSPECT_FIELDS + ((ITEM_REF,) if allow_item else ())
        if head == ITEM_REF and not allow_item:
            self.problems.error(location, f"'{what}': $item only exists in a section with 'for_each'",
                                "add 'for_each: FIELD' to the section")
            return False
        if head not in known:
            self.problems.error(location, f"'{what}': the prospect has no field '{head}'",
                                did_you_mean(head, known) or "fields: " + ", ".join(known))
            return False
        return True
