"""Recipes: load and validate recipe files, and resolve one for a prospect into an explained deck plan."""
from __future__ import annotations

from deckgen.recipes.loader import find_recipe, load_recipe, recipe_names
from deckgen.recipes.model import DeckPlan, KeyRef, PlanItem, Recipe, Section, Selector, Skipped
from deckgen.recipes.resolve import check_recipe, resolve

__all__ = ["DeckPlan", "KeyRef", "PlanItem", "Recipe", "Section", "Selector", "Skipped", "check_recipe",
           "find_recipe", "load_recipe", "recipe_names", "resolve"]
