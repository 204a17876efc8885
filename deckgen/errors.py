"""The one tree of user-facing errors: each carries its Location and Problems as data; the CLI formats them."""
from __future__ import annotations

from deckgen.problems import ERROR, Location, Problem, as_location


class DeckgenError(Exception):
    """Base of every error a user can cause and fix; never shown with a traceback.

    ``location`` names the file (and line or slide); ``problems`` lists every problem when one
    error stands for several. ``str(error)`` is the one line (or block) a user sees.
    """

    exit_code = 1

    def __init__(self, message: str, where: Location | str | None = None, hint: str | None = None,
                 problems: list[Problem] | None = None, code: str = "", subject: str = ""):
        self.message = message
        self.location = as_location(where)
        self.hint = hint
        self.code = code
        self.subject = subject      # the field or input it is about, for a front end's own hint
        self.problems: list[Problem] = list(problems or [])
        super().__init__(message)

    @property
    def where(self) -> str:
        """The location as text ('' when the error has none)."""
        return str(self.location)

    def as_problem(self, severity: str = ERROR, hint: str | None = None) -> Problem:
        """Return this error as one Problem (its location, bare message and ``hint`` or its own)."""
        return Problem(severity, self.location, self.message, hint or self.hint, self.code, self.subject)

    def all_problems(self) -> list[Problem]:
        """Every problem this error stands for: its list, else itself as one problem."""
        return list(self.problems) or [self.as_problem()]

    @classmethod
    def from_problem(cls, problem: Problem) -> DeckgenError:
        return cls(problem.message, problem.location, problem.hint, code=problem.code, subject=problem.subject)

    def headline(self) -> str:
        """The first line: ``location: message (hint)``."""
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} ({self.hint})" if self.hint else text

    def __str__(self) -> str:
        if len(self.problems) > 1:
            return self.headline() + ":\n" + "\n".join(f"  {p}" for p in self.problems)
        return self.headline()


class InputFileError(DeckgenError):
    """A file given to deckgen is missing, unreadable or not the format it claims to be."""


class PackageError(InputFileError):
    """A .pptx package cannot be used as a slide source (not a zip, truncated, encrypted, strict...)."""


class SlideSelectionError(DeckgenError):
    """A slide range, key or id that does not exist in its deck or library."""


class ConfigError(DeckgenError):
    """Project config, library metadata, recipe or prospect data fails validation."""


class OutputError(DeckgenError):
    """An output file cannot be written (its folder cannot be made, no permission, disk full)."""


class TemplateError(DeckgenError):
    """A slide template is malformed or uses a variable the prospect does not provide."""


class RenderError(DeckgenError):
    """LibreOffice (or another external renderer) failed to produce PDF/PNG output."""


class LockedError(DeckgenError):
    """Another deckgen run holds the lock of this output folder."""

    exit_code = 3
