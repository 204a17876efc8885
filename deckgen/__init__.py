"""deckgen: assemble tailored PowerPoint sales decks from a modular slide library (public Python API)."""
from __future__ import annotations

__version__ = "0.1.0"

from deckgen.commands.build import BuildResult, Workspace, build, build_deck  # noqa: E402
from deckgen.commands.merge import merge  # noqa: E402
from deckgen.errors import DeckgenError  # noqa: E402
from deckgen.library import Library, load_library  # noqa: E402
from deckgen.prospect import Prospect, load_prospect  # noqa: E402
from deckgen.recipes import DeckPlan, load_recipe, resolve  # noqa: E402

__all__ = ["BuildResult", "DeckPlan", "DeckgenError", "Library", "Prospect", "Workspace", "__version__",
           "build", "build_deck", "load_library", "load_prospect", "load_recipe", "merge", "resolve"]
