"""The library held to the message map: every slide's tag names and values must be declared there."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from deckgen.errors import ConfigError
from deckgen.library.index import Library, LibrarySlide, sidecar_of
from deckgen.messagemap import MessageMap, check_tags
from deckgen.fsutil import display_path
from deckgen.problems import Problem, problem_order
from deckgen.yamlio import load_file, where


def conform(library: Library, message_map: MessageMap) -> Library:
    """Return ``library`` with every slide whose tags the map does not declare dropped, each
    undeclared tag name or value reported as an error at its sidecar line with a suggestion.

    A dropped slide is unusable exactly like an entry with any other error: recipes naming it are
    told why. Verdicts are kept per (tag, value), so a large library costs a few dictionary
    lookups per slide; sidecars are read again only to locate the lines of problems found.
    """
    verdicts: dict[tuple[str, tuple[str, ...]], list] = {}
    kept: list[LibrarySlide] = []
    broken = dict(library.broken)
    problems = list(library.problems)
    locators: dict[Path, _Locator] = {}
    for slide in library.slides:
        found = []
        for name, values in slide.tags.items():
            verdict = verdicts.get((name, values))
            if verdict is None:
                verdict = verdicts[(name, values)] = check_tags(message_map, {name: values})
            found.extend(verdict)
        if not found:
            kept.append(slide)
            continue
        locator = locators.get(slide.path)
        if locator is None:
            locator = locators[slide.path] = _Locator(slide.path)
        first = None
        for name, value, message, hint in found:
            problem = Problem("error", locator.where(slide, name, value), f"slide '{slide.key}': {message}", hint,
                              code="undeclared-tag")
            problems.append(problem)
            first = first or problem
        broken[slide.key] = first
    if len(kept) == len(library.slides):
        return library
    unique = list(dict.fromkeys(problems))
    return replace(library, slides=tuple(kept), problems=tuple(sorted(unique, key=problem_order)), broken=broken)


class _Locator:
    """Finds the sidecar line of a slide's tag name or value (the entry's line when not found)."""

    def __init__(self, module: Path):
        self.data: Any = None
        sidecar = sidecar_of(module)
        if sidecar is not None:
            try:
                self.data = load_file(sidecar)
            except ConfigError:
                self.data = None
            self.label = display_path(sidecar)

    def where(self, slide: LibrarySlide, name: str, value: str | None) -> str:
        if not isinstance(self.data, Mapping):
            return slide.where
        entry = next((item for item in self.data.get("slides") or () if isinstance(item, Mapping)
                      and item.get("key") == slide.key), None)
        for tags in ((entry or {}).get("tags"), self.data.get("tags")):
            if isinstance(tags, Mapping) and name in tags:
                raw = tags[name]
                if value is not None and isinstance(raw, list):
                    for index, item in enumerate(raw):
                        if str(item).strip() == value:
                            return where(raw, index, where(tags, name, slide.where))
                return where(tags, name, slide.where)
        return slide.where
