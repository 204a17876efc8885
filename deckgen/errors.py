"""The one tree of user-facing errors; the CLI turns each into a one-line message and an exit code."""
from __future__ import annotations

import click


class DeckgenError(click.ClickException):
    """Base of every error a user can cause and fix; never shown with a traceback.

    ``where`` names the file (and slide or line) so every message starts with it.
    """

    exit_code = 1

    def __init__(self, message: str, where: str | None = None, hint: str | None = None):
        self.where = where
        self.hint = hint
        text = f"{where}: {message}" if where else message
        if hint:
            text = f"{text} ({hint})"
        super().__init__(text)


class InputFileError(DeckgenError):
    """A file given to deckgen is missing, unreadable or not the format it claims to be."""


class PackageError(InputFileError):
    """A .pptx package cannot be used as a slide source (not a zip, truncated, encrypted, strict...)."""


class SlideSelectionError(DeckgenError):
    """A slide range, key or id that does not exist in its deck or library."""


class ConfigError(DeckgenError):
    """Project config, library metadata, recipe or prospect data fails validation."""

    def __init__(self, message: str, where: str | None = None, hint: str | None = None,
                 problems: list[str] | None = None):
        self.problems = problems or []
        super().__init__(message, where, hint)


class OutputError(DeckgenError):
    """An output file cannot be written (its folder cannot be made, no permission, disk full)."""


class TemplateError(DeckgenError):
    """A slide template is malformed or uses a variable the prospect does not provide."""


class RenderError(DeckgenError):
    """LibreOffice (or another external renderer) failed to produce PDF/PNG output."""


class LockedError(DeckgenError):
    """Another deckgen run holds the lock of this output folder."""

    exit_code = 3


def collect_problems(problems: list[str], summary: str) -> ConfigError:
    """Return one ConfigError whose message lists every problem on its own line."""
    body = "\n".join(f"  {p}" for p in problems)
    return ConfigError(f"{summary}:\n{body}", problems=problems)
