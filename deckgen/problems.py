"""Problems as data: where something is wrong (Location) and what is wrong (Problem), formatted only when shown."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

ERROR = "error"
WARNING = "warning"
NOTE = "note"
SEVERITIES = (ERROR, WARNING, NOTE)


@dataclass(frozen=True)
class Location:
    """A place in a user's input: a file, and a line in it or a slide of it, and the slide key."""

    file: str = ""
    line: int | None = None
    slide: int | None = None      # 1-based slide number in a deck
    key: str | None = None        # the library key of that slide

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
        elif self.slide is not None:
            text += f" slide {self.slide}"
        if self.key:
            text += f" ({self.key})"
        return text

    def __bool__(self) -> bool:
        return bool(self.file or self.line is not None or self.slide is not None or self.key)

    def order(self) -> tuple[str, int]:
        """A sort key putting locations in file order (file name, then line or slide)."""
        return (self.file, self.line or self.slide or 0)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file or None, "line": self.line, "slide": self.slide, "key": self.key}


NOWHERE = Location()


def as_location(where: Location | str | None) -> Location:
    """Return ``where`` as a Location (a bare string names a file or an input such as '--set')."""
    if isinstance(where, Location):
        return where
    return Location(where) if where else NOWHERE


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in a user's input: severity, location, message and hint.

    ``code`` names the rule that found it (e.g. 'unknown-tag', 'expired'), for JSON output and
    for grouping; it is never parsed out of the message. ``subject`` names the field or input it is
    about (e.g. 'company'), so a front end can add its own way to fix it (the CLI: a flag).
    """

    severity: str
    location: Location
    message: str
    hint: str | None = None
    code: str = ""
    subject: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.location, Location):
            object.__setattr__(self, "location", as_location(self.location))

    @property
    def where(self) -> str:
        """The location as text ('' when the problem has none)."""
        return str(self.location)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} ({self.hint})" if self.hint else text

    def with_severity(self, severity: str) -> Problem:
        return Problem(severity, self.location, self.message, self.hint, self.code, self.subject)

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.code or None, "where": self.where,
                **self.location.to_dict(), "message": self.message, "hint": self.hint}


def problem_order(problem: Problem) -> tuple[str, int]:
    """A sort key putting problems in file order (file name, then line or slide)."""
    return problem.location.order()


class Problems:
    """Collects every problem of a validation pass so all of them are reported at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, where: Location | str | None, message: str, hint: str | None = None, code: str = "",
              subject: str = "") -> None:
        self.items.append(Problem(ERROR, as_location(where), message, hint, code, subject))

    def warning(self, where: Location | str | None, message: str, hint: str | None = None, code: str = "") -> None:
        self.items.append(Problem(WARNING, as_location(where), message, hint, code))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == WARNING]

    def unknown_keys(self, mapping: Mapping, allowed: Iterable[str], default_where: Location | str = "",
                     context: str = "") -> None:
        """Report every key of ``mapping`` not in ``allowed``, with a "did you mean" hint."""
        allowed = list(allowed)
        suffix = f" in {context}" if context else ""
        key_location = getattr(mapping, "where", None)
        for key in mapping:
            if key not in allowed:
                hint = did_you_mean(key, allowed) or "known keys: " + ", ".join(allowed)
                where = key_location(key) if key_location else default_where
                self.error(where, f"unknown key '{key}'{suffix}", hint, code="unknown-key")

    def raise_errors(self, summary: str) -> None:
        """Raise one ConfigError listing every error (a single error is raised as itself)."""
        raise_problems(self.errors, summary)


def raise_problems(problems: Iterable[Problem], summary: str, code: str = "") -> None:
    """Raise ConfigError for the errors among ``problems`` (``code`` names why, when there are
    several); do nothing when there are none."""
    from deckgen.errors import ConfigError   # errors imports this module for Location

    errors = sorted((p for p in problems if p.severity == ERROR), key=problem_order)
    if not errors:
        return
    if len(errors) == 1:
        raise ConfigError.from_problem(errors[0])
    raise ConfigError(f"{summary} ({len(errors)} problems)", problems=errors, code=code)


def did_you_mean(word: Any, candidates: Iterable[str]) -> str | None:
    """Return "did you mean 'x'?" for the closest candidate to ``word``, or None."""
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
