"""Which recipes use which library slides, read from the recipes without a prospect.

A slide is used by a recipe when a section names its key (``slides`` or ``fallback``), or when a
section's selector (or fallback selector) could pick it: ``$field``/``$item`` values stand for
whatever the prospect brings, so they match every value of their tag. Conditions (``when``) are
ignored, since they depend on the prospect too.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from deckgen.errors import ConfigError
from deckgen.library import Library, LibrarySlide, Problem
from deckgen.problems import Location
from deckgen.recipes import Recipe, Selector, load_recipe, recipe_names
from deckgen.recipes.model import REF_PREFIX

NAMED = "named"        # the section lists the slide's key
SELECTED = "selected"  # the section's selector can pick the slide


@dataclass(frozen=True)
class Usage:
    """One place a recipe uses a slide: the recipe, the section, how, and the file:line."""

    recipe: str
    section: str
    how: str          # NAMED | SELECTED
    where: Location


@dataclass(frozen=True)
class LoadedRecipes:
    """Every recipe of a folder that loads, and the problems of those that do not."""

    recipes: tuple[Recipe, ...]
    problems: tuple[Problem, ...]
    names: tuple[str, ...]         # every recipe name in the folder, loadable or not


def load_recipes(folder) -> LoadedRecipes:
    """Load every recipe in ``folder``; a recipe that fails to load gives its problems instead."""
    recipes: list[Recipe] = []
    problems: list[Problem] = []
    names = recipe_names(folder)
    for name in names:
        try:
            recipes.append(load_recipe(name, folder))
        except ConfigError as exc:
            problems.extend(exc.all_problems())
    return LoadedRecipes(tuple(recipes), tuple(problems), tuple(names))


def selector_could_match(selector: Selector, slide: LibrarySlide) -> bool:
    """True when some prospect could make ``selector`` pick ``slide`` (``$`` values match anything)."""
    wanted: dict[str, tuple[str, ...]] = {}
    for tag, values in selector.tags.items():
        if any(value.startswith(REF_PREFIX) for value in values):
            if not slide.tags.get(tag):
                return False
            continue
        wanted[tag] = values
    return slide.matches(wanted)


def recipe_usage(recipes: Iterable[Recipe], library: Library) -> dict[str, list[Usage]]:
    """Return {slide key: every place a recipe uses it}, in recipe then section order."""
    found: dict[str, list[Usage]] = {}

    def note(key: str, usage: Usage) -> None:
        if usage not in found.setdefault(key, []):
            found[key].append(usage)

    for recipe in recipes:
        for section in recipe.sections:
            for ref in (*section.slides, *section.fallback_keys):
                note(ref.key, Usage(recipe.name, section.name, NAMED, ref.where))
            for selector in (section.select, section.fallback_select):
                if selector is None:
                    continue
                for slide in library:
                    if selector_could_match(selector, slide):
                        note(slide.key, Usage(recipe.name, section.name, SELECTED, selector.where))
    return found


def recipes_using(usage: Mapping[str, list[Usage]], key: str) -> list[str]:
    """Return the names of the recipes that use slide ``key``, sorted, each once."""
    return sorted({item.recipe for item in usage.get(key, ())})


__all__ = ["NAMED", "SELECTED", "LoadedRecipes", "Usage", "load_recipes", "recipe_usage", "recipes_using",
           "selector_could_match"]
