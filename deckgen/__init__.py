"""deckgen: assemble tailored PowerPoint sales decks from a modular slide library (public Python API)."""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Exports load on first use: `deckgen merge` needs only lxml, and importing python-pptx, jinja2 and
# the recipe machinery up front cost it more than the merge itself (bench/run.py, deck-1x).
_EXPORTS = {
    "BuildResult": "deckgen.pipeline.deck",
    "Workspace": "deckgen.pipeline.workspace",
    "build": "deckgen.pipeline.deck",
    "build_deck": "deckgen.pipeline.deck",
    "merge": "deckgen.pipeline.merge",
    "DeckgenError": "deckgen.errors",
    "Library": "deckgen.library",
    "load_library": "deckgen.library",
    "Prospect": "deckgen.prospect",
    "load_prospect": "deckgen.prospect",
    "DeckPlan": "deckgen.recipes",
    "load_recipe": "deckgen.recipes",
    "resolve": "deckgen.recipes",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'deckgen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
