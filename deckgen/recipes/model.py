"""What a loaded recipe is: its sections (explicit keys, tag selectors, fallbacks) and the deck plan it yields."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

REF_PREFIX = "$"   # a selector value "$segment" / "$item" / "$values.tier" reads prospect data


@dataclass(frozen=True)
class KeyRef:
    """A slide key written in a recipe, and where."""

    key: str
    where: str


@dataclass(frozen=True)
class Selector:
    """A tag selector: {tag: (values...)}; a value starting with ``$`` is filled from the prospect."""

    tags: Mapping[str, tuple[str, ...]]
    where: str
    tag_where: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """One validated recipe section (``include`` is already spliced in by the loader)."""

    name: str
    where: str                               # file:line of the section
    recipe: str                              # name of the recipe file that wrote it
    slides: tuple[KeyRef, ...] = ()
    select: Selector | None = None
    limit: int | None = None
    order: str = "priority"                  # how matches are ordered before `limit` (selection.ORDERS)
    fallback_keys: tuple[KeyRef, ...] = ()
    fallback_select: Selector | None = None
    for_each: str | None = None              # dotted prospect field, e.g. "objections"
    when: str | bool | None = None
    required: bool = False
    allow_repeat: bool = False
    lines: Mapping[str, str] = field(default_factory=dict)   # section key -> file:line

    def where_of(self, key: str) -> str:
        """Return file:line of one of this section's keys (the section's own line if absent)."""
        return self.lines.get(key, self.where)


@dataclass(frozen=True)
class Recipe:
    """A recipe with its ``extends`` parents and ``include``-d recipes merged in, validated."""

    name: str                                # file stem, e.g. "first-call"
    title: str                               # display name (`name:`), else the stem
    description: str
    path: Path
    variables: Mapping[str, Any]
    sections: tuple[Section, ...]
    files: tuple[Path, ...]                  # every recipe file read, this one first


@dataclass(frozen=True)
class PlanItem:
    """One slide of a deck plan and the rule that chose it."""

    key: str
    module: str
    path: Path
    slide_id: int
    number: int
    title: str
    section: str
    rule: str
    keep_look: bool = False  # look: source in the sidecar: keeps its own master in template mode


@dataclass(frozen=True)
class Skipped:
    """A slide (or, with key None, a whole section) a rule considered and left out, and why."""

    section: str
    key: str | None
    reason: str
    code: str = ""      # the rule that left it out ('draft', 'expired'), for a front end's own hint


@dataclass(frozen=True)
class DeckPlan:
    """The ordered slides a recipe chooses for one prospect; the same inputs give the same plan."""

    recipe: str
    title: str
    prospect: str                            # company name
    items: tuple[PlanItem, ...]
    variables: Mapping[str, Any]             # recipe variables overridden by prospect values
    warnings: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    ties: tuple[Any, ...] = ()               # Problems: limits that cut between slides ordered only by file name

    def keys(self) -> list[str]:
        """Return the chosen slide keys in deck order."""
        return [item.key for item in self.items]

    def to_dict(self) -> dict[str, Any]:
        """Return the plan as JSON-ready data (paths as POSIX strings)."""
        return {
            "recipe": self.recipe,
            "title": self.title,
            "prospect": self.prospect,
            "slides": [
                {"position": position, "key": item.key, "module": item.module,
                 "path": item.path.as_posix(), "slide_id": item.slide_id, "number": item.number,
                 "title": item.title, "section": item.section, "rule": item.rule}
                for position, item in enumerate(self.items, start=1)
            ],
            "skipped": [{"section": s.section, "key": s.key, "reason": s.reason, "code": s.code or None} for s in self.skipped],
            "variables": dict(self.variables),
            "warnings": list(self.warnings),
        }
