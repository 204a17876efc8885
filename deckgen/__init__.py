"""deckgen: assemble tailored PowerPoint sales decks from a modular slide library (public Python API)."""
from __future__ import annotations

__version__ = "0.1.0"
