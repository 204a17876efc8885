"""Slide titles as the deck's reader sees them: their template tags filled for a prospect."""
from __future__ import annotations

import datetime
from typing import Any, Callable, Mapping

from deckgen.prospect import Prospect
from deckgen.render.environment import default_environment


def slide_context(variables: Mapping[str, Any], prospect: Prospect, today: datetime.date,
                  recipe: str) -> dict[str, Any]:
    """The names a slide template reads: recipe variables and prospect values, then deckgen's own."""
    context = dict(variables)
    context.update(prospect=prospect.as_context(), today=today, recipe=recipe)
    return context


def title_filler(context: Mapping[str, Any] | None) -> Callable[[str], str]:
    """Return ``show(title)``: the title rendered with ``context``, or as written when it has no
    tags, no context is given, or it does not render (a listing never fails on a title)."""
    def show(title: str) -> str:
        if context is None or "{" not in title:
            return title
        try:
            return default_environment().template(title).render(**context).strip()
        except Exception:   # an undefined name or a broken tag: `check` reports those, not listings
            return title
    return show


def example_titles(example: Prospect | None, today: datetime.date | None = None) -> Callable[[str], str]:
    """Titles filled for the project's example prospect (``example_prospect`` in deckgen.yaml)."""
    if example is None:
        return title_filler(None)
    return title_filler(slide_context(example.values, example, today or datetime.date.today(), "example"))
