"""Which library slides a deck may use: each rule `deckgen build` enforces, decided once, so `deckgen check` reports the same.

``RULES`` is the table of rules. A rule's function returns a ``Verdict`` (or None when the slides
may be used); ``refused`` says whether a build fails on it or leaves the slide out (and says why
in the plan). ``check`` reports a refusal as an error and a leaving-out as ``left_out_severity``.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from deckgen.library import LibrarySlide


@dataclass(frozen=True)
class Rule:
    """One rule: its name (the `check` rule id), what it is about, and how check reports a slide
    a selector would only leave out."""

    name: str
    summary: str
    left_out_severity: str          # "warning" | "note"


RULES: dict[str, Rule] = {rule.name: rule for rule in (
    Rule("expired", "a slide past its 'expires' date: named by key, the build fails; matched by a "
                    "selector, it is left out", "warning"),
    Rule("draft", "a draft slide: named by key, the build fails; matched by a selector, it is left out "
                  "(unless drafts are allowed)", "note"),
    Rule("slide-size", "slides of one deck of different sizes: builds scale the other size to fit and "
                       "centre it (strict builds refuse); check notes it", "note"),
)}


@dataclass(frozen=True)
class Verdict:
    """Why slides may not be used as asked: the rule, whether a build refuses, message and hint."""

    rule: str
    refused: bool
    message: str
    hint: str

    @property
    def reason(self) -> str:
        """The short cause for a plan: "expired on 2026-11-15", "is a draft"."""
        return self.message


def slide_verdict(slide: LibrarySlide, today: datetime.date, *, named: bool,
                  allow_drafts: bool = False) -> Verdict | None:
    """Return why ``slide`` may not go into a deck built on ``today`` (None: it may).

    ``named``: the recipe lists the slide's key (a build then fails), rather than a selector
    matching it (the build leaves it out).
    """
    if slide.is_expired(today):
        assert slide.expires is not None
        return Verdict("expired", named, f"expired on {slide.expires.isoformat()}",
                       _owner(slide, "update the slide and its 'expires' date, or take it out of the recipe"))
    if slide.status == "draft" and not allow_drafts:
        return Verdict("draft", named, "is a draft", "set 'status: approved' in its sidecar")
    return None


def size_verdict(modules: Iterable[Path], size_of: Callable[[Path], tuple[int, int] | None]) -> Verdict | None:
    """Return the refusal for slides of ``modules`` (module files, in deck order) that do not all
    have one slide size, naming the first two sizes; None when they agree."""
    seen: dict[tuple[int, int], Path] = {}
    for module in dict.fromkeys(modules):
        size = size_of(module)
        if size is None:
            continue
        seen.setdefault(size, module)
        if len(seen) > 1:
            (first_size, first), (other_size, other) = list(seen.items())[:2]
            return Verdict("slide-size", False,
                           f"uses slides of different sizes: {first.name} is {describe_size(first_size)}, "
                           f"{other.name} is {describe_size(other_size)}",
                           "builds scale the slides of the other size to fit (strict builds refuse); "
                           "make the sizes match in PowerPoint (Design > Slide Size) for an exact look")
    return None


def describe_size(size: tuple[int, int]) -> str:
    """A slide size in words: "33.87 x 19.05 cm (16:9)"."""
    width, height = size
    ratio = width / height if height else 0
    known: Mapping[float, str] = {16 / 9: "16:9", 4 / 3: "4:3", 16 / 10: "16:10"}
    name = next((label for value, label in known.items() if abs(value - ratio) < 0.01), None)
    text = f"{width / 360000:.2f} x {height / 360000:.2f} cm"
    return f"{text} ({name})" if name else text


def _owner(slide: LibrarySlide, action: str) -> str:
    return f"ask {slide.owner} to {action}" if slide.owner else action


__all__ = ["RULES", "Rule", "Verdict", "describe_size", "size_verdict", "slide_verdict"]
