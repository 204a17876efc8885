"""Resolve a recipe for one prospect against the library: a pure, deterministic, explained deck plan."""
from __future__ import annotations

import datetime
from typing import Any, Mapping

from deckgen.conditions import ConditionError, evaluate_condition
from deckgen.library import Library, LibrarySlide
from deckgen.messagemap import PROSPECT_TAG_FIELDS, MessageMap
from deckgen.prospect import Prospect
from deckgen.recipes.loader import ITEM_REF
from deckgen.recipes.rules import slide_verdict
from deckgen.recipes.model import REF_PREFIX, DeckPlan, KeyRef, PlanItem, Recipe, Section, Selector, Skipped
from deckgen.recipes.selection import decided_by_file_names, select
from deckgen.fsutil import display_path
from deckgen.problems import WARNING, Problem, Problems, did_you_mean, raise_problems

_NO_ITEM = object()


def check_recipe(recipe: Recipe, library: Library, message_map: MessageMap | None = None) -> list[Problem]:
    """Return the problems of a recipe against a library: unknown or unusable keys, tags and values.

    With a message map, selector tags and literal values must be declared there (a declared value
    no slide carries yet is a coverage gap, not an error), and each ``$field`` must feed the
    dimension it selects on; without one, they must be tags and values some slide carries.
    """
    problems = Problems()
    tag_names = library.tag_names()
    for section in recipe.sections:
        for ref in (*section.slides, *section.fallback_keys):
            _check_key(ref, library, problems)
        for selector in (section.select, section.fallback_select):
            if selector is None:
                continue
            if message_map is not None:
                _check_selector(selector, section, message_map, problems)
                continue
            for tag, values in selector.tags.items():
                at = selector.tag_where.get(tag, selector.where)
                if tag not in tag_names:
                    problems.error(at, f"no slide in the library has a '{tag}' tag",
                                   did_you_mean(tag, tag_names) or "tags in the library: " + ", ".join(sorted(tag_names)))
                    continue
                if library.tag_has_any_value(tag):
                    continue
                known = library.tag_values(tag)
                folded = {value.casefold() for value in known}
                for value in values:
                    if not value.startswith(REF_PREFIX) and value.casefold() not in folded:
                        problems.error(at, f"no slide in the library has {tag}={value}",
                                       did_you_mean(value, known) or f"{tag} values: " + ", ".join(sorted(known)))
    return problems.items


def _check_selector(selector: Selector, section: Section, message_map: MessageMap, problems: Problems) -> None:
    """Check a selector against the message map: declared tags, declared values, matching $fields."""
    for tag, values in selector.tags.items():
        at = selector.tag_where.get(tag, selector.where)
        problem = message_map.tag_name_problem(tag)
        if problem is not None:
            problems.error(at, *problem, code="undeclared-tag")
            continue
        dimension = message_map.tag(tag)
        for value in values:
            if not value.startswith(REF_PREFIX):
                problem = message_map.tag_value_problem(tag, value)
                if problem is not None:
                    problems.error(at, *problem, code="undeclared-tag")
                continue
            source = value[1:].split(".")
            field = section.for_each if source[0] == ITEM_REF and len(source) == 1 else value[1:]
            if field is None or "." in field or field not in PROSPECT_TAG_FIELDS:
                continue            # $values.x, $item.name: data the map does not describe
            fed = message_map.dimension_for_field(field)
            if fed is not None and fed.name != tag:
                wanted = dimension.prospect_field if dimension is not None else None
                problems.error(at, f"{tag} is selected with {value}, which holds {fed.name} values "
                                   f"(prospect field '{field}')",
                               f"use ${wanted}" if wanted else f"select {fed.name}: {value} instead",
                               code="undeclared-tag")


def _check_key(ref: KeyRef, library: Library, problems: Problems) -> None:
    if library.get(ref.key) is not None:
        return
    broken = library.broken.get(ref.key)
    if broken is not None:
        problems.error(ref.where, f"slide '{ref.key}' cannot be used: {broken.where}: {broken.message}",
                       broken.hint)
        return
    problems.error(ref.where, f"no slide with key '{ref.key}' in the library",
                   did_you_mean(ref.key, library.keys()) or
                   f"see the keys in the sidecars of {display_path(library.folder)}")


def resolve(recipe: Recipe, library: Library, prospect: Prospect, *, allow_drafts: bool = False,
            today: datetime.date | None = None, message_map: MessageMap | None = None) -> DeckPlan:
    """Return the deck plan of ``recipe`` for ``prospect``: the slides in order, each with its rule.

    Raises one ConfigError listing every problem: recipe keys or tags the library lacks, a prospect
    segment the library does not know, failing conditions, an empty required section, and expired
    (or, unless ``allow_drafts``, draft) slides named by key. Reads no files; same inputs, same plan.
    With ``message_map``, the prospect's values are mapped to canonical ones first (an undeclared
    value is an error naming its file:line, or CSV row and column).
    """
    if message_map is not None:
        prospect = message_map.canonical_prospect(prospect)
    resolver = _Resolver(recipe, library, prospect, allow_drafts, today or datetime.date.today(),
                         checked_by_map=message_map is not None)
    raise_problems(check_recipe(recipe, library, message_map),
                   f"{display_path(recipe.path)}: recipe does not fit the library")
    resolver.check_prospect()
    for section in recipe.sections:
        resolver.section(section)
    raise_problems(resolver.problems.items,
                   f"{display_path(recipe.path)}: cannot plan the deck for {prospect.company}")
    return DeckPlan(recipe=recipe.name, title=recipe.title, prospect=prospect.company,
                    items=tuple(resolver.items), variables=resolver.variables,
                    warnings=tuple(resolver.warnings), skipped=tuple(resolver.skipped),
                    ties=tuple(dict.fromkeys(resolver.ties)))


class _Resolver:
    """The state of one resolution: slides placed so far, what was skipped, problems found."""

    def __init__(self, recipe: Recipe, library: Library, prospect: Prospect, allow_drafts: bool,
                 today: datetime.date, checked_by_map: bool = False):
        self.recipe = recipe
        self.library = library
        self.prospect = prospect
        self.allow_drafts = allow_drafts
        self.today = today
        self.context = prospect.as_context()
        self.variables: dict[str, Any] = {**recipe.variables, **self.context["values"]}
        self.problems = Problems()
        self.items: list[PlanItem] = []
        self.placed: dict[str, str] = {}
        self.skipped: list[Skipped] = []
        self.warnings: list[str] = []
        self.ties: list[Problem] = []
        self.checked_by_map = checked_by_map

    def check_prospect(self) -> None:
        """Report prospect values the library has no slides for (segment: error; others: warning)."""
        segments = self.library.tag_values("segment")
        if segments and not self.checked_by_map and self.prospect.segment.casefold() not in {s.casefold() for s in segments}:
            self.problems.error(self.prospect.location_of("segment"),
                                f"segment '{self.prospect.segment}' is not a segment of the library",
                                did_you_mean(self.prospect.segment, segments)
                                or "segments: " + ", ".join(sorted(segments)))
        for field, tag in (("competitors", "competitor"), ("objections", "objection")):
            known = {value.casefold() for value in self.library.tag_values(tag)}
            for value in self.context[field]:
                if known and value.casefold() not in known:
                    self.warnings.append(f"{self.prospect.location_of(field)}: no slide in the library is "
                                         f"tagged {tag}={value}")

    def section(self, section: Section) -> None:
        items = self._iterations(section)
        if items is None:
            return
        if not items:
            reason = f"the prospect has no {section.for_each}"
            if section.required:
                self.problems.error(section.where_of("for_each"), f"section '{section.name}' is required but {reason}",
                                    f"give the prospect some {section.for_each}, or drop 'required'")
            else:
                self.skipped.append(Skipped(section.name, None, reason))
            return
        for item in items:
            scope = {"prospect": self.context, "variables": self.variables}
            suffix = ""
            if item is not _NO_ITEM:
                scope[ITEM_REF] = item
                suffix = f" (for each {section.for_each}: {_label(item)})"
            if section.when is not None:
                holds = self._holds(section.when, scope, section.where_of("when"))
                if holds is None:
                    continue
                if not holds:
                    self.skipped.append(Skipped(section.name, None, f"when {section.when!r} is false{suffix}"))
                    continue
            chosen, why_empty = self._choose(section, scope, item, suffix)
            if not chosen:
                message = f"section '{section.name}'{suffix} chose no slides: {why_empty}"
                if section.required:
                    self.problems.error(section.where, message, "add a matching slide or a 'fallback'")
                else:
                    self.warnings.append(f"{section.where}: {message}")
                    self.skipped.append(Skipped(section.name, None, f"no slides{suffix}: {why_empty}"))
            for slide, rule in chosen:
                self._place(section, slide, rule)

    def _iterations(self, section: Section) -> list[Any] | None:
        if section.for_each is None:
            return [_NO_ITEM]
        value = _lookup(section.for_each, self.context, _NO_ITEM)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        if isinstance(value, Mapping):
            self.problems.error(section.where_of("for_each"),
                                f"for_each: prospect field '{section.for_each}' is a mapping, not a list")
            return None
        return [value]

    def _choose(self, section: Section, scope: dict[str, Any], item: Any,
                suffix: str) -> tuple[list[tuple[LibrarySlide, str]], str]:
        """Return the slides a section picks for one iteration, with rules, or why it picked none."""
        head = f"section '{section.name}'{suffix}"
        when = f"; when {section.when!r} held" if isinstance(section.when, str) else ""
        if section.slides:
            slides = self._listed(section, section.slides, scope)
            return [(slide, f"{head}: listed by key{when}") for slide in slides], "every listed slide was left out"
        assert section.select is not None
        picked, described, left_out = self._selected(section, section.select, scope, item)
        if picked:
            total = len(picked)
            if section.limit is not None and total > section.limit:
                for slide in picked[section.limit:]:
                    self.skipped.append(Skipped(section.name, slide.key,
                                                f"matched {described} but limit {section.limit} was reached"))
                tie = next(((kept, cut) for cut in picked[section.limit:] for kept in picked[:section.limit]
                            if decided_by_file_names(kept, cut, section.order)), None)
                if tie is not None:
                    kept, cut = tie
                    self.ties.append(Problem(
                        WARNING, section.where_of("limit"),
                        f"limit {section.limit} of section '{section.name}'{suffix} keeps '{kept.key}' "
                        f"({kept.module}.pptx) and cuts '{cut.key}' ({cut.module}.pptx) only because "
                        f"{kept.module}.pptx sorts first by file name",
                        "give the slides a 'priority' in their sidecars (1 first), or set the section's 'order'; "
                        "otherwise adding or renaming a module changes decks", code="ordering"))
                picked = picked[:section.limit]
            count = f" (first {len(picked)} of {total} matches)" if len(picked) < total else ""
            return [(slide, f"{head}: matched {described}{count}{when}") for slide in picked], ""
        # name the real cause when the rules left out every slide that matched
        why = f"no usable slide matched {described} ({'; '.join(left_out)})" if left_out \
            else f"no slide matched {described}"
        if section.fallback_keys:
            slides = self._listed(section, section.fallback_keys, scope)
            return [(slide, f"{head}: fallback key, because {why}{when}") for slide in slides], \
                f"{why}, and every fallback slide was left out"
        if section.fallback_select is not None:
            fallback, fallback_described, _ = self._selected(section, section.fallback_select, scope, item)
            if section.limit is not None:
                fallback = fallback[:section.limit]
            return [(slide, f"{head}: fallback matched {fallback_described}, because {why}{when}")
                    for slide in fallback], f"{why}, nor the fallback {fallback_described}"
        return [], why

    def _listed(self, section: Section, refs: tuple[KeyRef, ...], scope: dict[str, Any]) -> list[LibrarySlide]:
        """Return the slides named by key that may be used; expired/draft ones are errors."""
        slides = []
        for ref in refs:
            slide = self.library.get(ref.key)
            if slide is None:
                continue   # reported by check_recipe
            verdict = slide_verdict(slide, self.today, named=True, allow_drafts=self.allow_drafts)
            if verdict is not None:
                self.problems.error(ref.where, f"slide '{slide.key}' {verdict.message} ({slide.where})", verdict.hint,
                                    code=verdict.rule)
                continue
            if not self._slide_condition(section, slide, scope):
                continue
            slides.append(slide)
        return slides

    def _selected(self, section: Section, selector: Selector, scope: dict[str, Any],
                  item: Any) -> tuple[list[LibrarySlide], str, list[str]]:
        """Return the usable slides matching a selector (library order), the selector in words, and
        the matching slides the rules left out, with why ("'k' expired on 2026-11-15")."""
        wanted: dict[str, tuple[str, ...]] = {}
        for tag, values in selector.tags.items():
            resolved: list[str] = []
            for value in values:
                if value.startswith(REF_PREFIX):
                    resolved.extend(self._ref_values(value, item, selector.tag_where.get(tag, selector.where)))
                else:
                    resolved.append(value)
            wanted[tag] = tuple(dict.fromkeys(resolved))
        described = ", ".join(f"{tag}={'|'.join(values) if values else '(none)'}" for tag, values in wanted.items())
        selection = select(self.library, wanted, today=self.today, allow_drafts=self.allow_drafts,
                           order=section.order)
        left_out = []
        for slide, verdict in selection.left_out:
            self.skipped.append(Skipped(section.name, slide.key, f"matched {described} but {verdict.message}",
                                        verdict.rule))
            left_out.append(f"'{slide.key}' {verdict.message}")
            if verdict.rule == "expired":
                self._warn(f"{slide.where}: slide '{slide.key}' matched section '{section.name}' but "
                           f"{verdict.message}, so it was left out")
        usable = [slide for slide in selection.slides if self._slide_condition(section, slide, scope)]
        return usable, described, left_out

    def _ref_values(self, ref: str, item: Any, location: str) -> list[str]:
        value = _lookup(ref[1:], self.context, item)
        if value is None:
            return []
        values = value if isinstance(value, list) else [value]
        names = []
        for entry in values:
            if isinstance(entry, (Mapping, list)):
                self.problems.error(location, f"{ref} is {'a mapping' if isinstance(entry, Mapping) else 'a list'} "
                                              f"in the prospect; a selector needs names",
                                    "select on one of its fields, e.g. $item.name")
                return []
            names.append(str(entry))
        return names

    def _slide_condition(self, section: Section, slide: LibrarySlide, scope: dict[str, Any]) -> bool:
        if slide.when is None:
            return True
        holds = self._holds(slide.when, scope, slide.where, f"slide '{slide.key}': ")
        if holds is False:
            self.skipped.append(Skipped(section.name, slide.key, f"its condition {slide.when!r} is false"))
        return bool(holds)

    def _holds(self, condition: str | bool, scope: dict[str, Any], location: str, prefix: str = "") -> bool | None:
        try:
            return evaluate_condition(condition, scope)
        except ConditionError as exc:
            self.problems.error(location, f"{prefix}{exc}", "conditions see 'prospect', 'variables'"
                                + (" and 'item'" if ITEM_REF in scope else ""))
            return None

    def _warn(self, warning: str) -> None:
        if warning not in self.warnings:
            self.warnings.append(warning)

    def _place(self, section: Section, slide: LibrarySlide, rule: str) -> None:
        if slide.key in self.placed and not section.allow_repeat:
            self.skipped.append(Skipped(section.name, slide.key,
                                        f"already in the deck from section '{self.placed[slide.key]}'"))
            return
        self.placed.setdefault(slide.key, section.name)
        self.items.append(PlanItem(key=slide.key, module=slide.module, path=slide.path, slide_id=slide.slide_id,
                                   number=slide.number, title=slide.title, section=section.name, rule=rule,
                                   keep_look=slide.keep_look))
        if slide.review_by is not None and self.today > slide.review_by and not slide.is_expired(self.today):
            warning = f"{slide.where}: slide '{slide.key}' was due for review on {slide.review_by.isoformat()}" \
                + (f" (owner: {slide.owner})" if slide.owner else "")
            if warning not in self.warnings:
                self.warnings.append(warning)


def _lookup(path: str, context: Mapping[str, Any], item: Any) -> Any:
    """Return the value at a dotted path ("segment", "values.tier", "item.name"), or None."""
    parts = path.split(".")
    if parts[0] == ITEM_REF:
        node, parts = item, parts[1:]
        if node is _NO_ITEM:
            return None
    else:
        node = context
    for part in parts:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _label(item: Any) -> str:
    if isinstance(item, Mapping):
        return str(item.get("name", item))
    return str(item)
