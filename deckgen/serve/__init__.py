"""`deckgen serve`: the project's library and recipes kept warm behind a web page and an HTTP API."""
from __future__ import annotations

from deckgen.serve.settings import ServeSettings

__all__ = ["ServeSettings", "create_app", "run"]


def __getattr__(name: str):
    # FastAPI and uvicorn are the [serve] extra: import them only when a server is made
    if name in ("create_app", "run"):
        from deckgen.serve import app
        return getattr(app, name)
    raise AttributeError(f"module 'deckgen.serve' has no attribute {name!r}")
