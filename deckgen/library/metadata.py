"""Parse and validate one module's sidecar (NAME.yaml): the per-slide keys, tags, owners, dates and status."""
from __future__ import annotations

import datetime
import re
import sys
from dataclasses import dataclass
from typing import Any, Mapping

from deckgen.conditions import check_condition
from deckgen.problems import Problem, Problems, did_you_mean
from deckgen.yamlio import LineDict, describe, where

MODULE_KEYS = ("owner", "review_by", "expires", "status", "priority", "tags", "look", "slides")
SLIDE_KEYS = ("key", "slide_id", "title", "tags", "owner", "review_by", "expires", "status", "priority", "when",
              "look")
LOOKS = ("template", "source")  # in template mode: take the template's look, or keep the slide's own
STATUSES = ("draft", "approved")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
ANY_VALUE = "*"
_SLIDE_ID_RANGE = (256, 2147483647)   # ECMA-376 ST_SlideId


@dataclass(frozen=True)
class SlideEntry:
    """One validated `slides:` entry of a sidecar, with the module defaults already applied."""

    key: str
    slide_id: int
    title: str | None
    tags: dict[str, tuple[str, ...]]
    owner: str | None
    review_by: datetime.date | None
    expires: datetime.date | None
    status: str
    when: str | bool | None
    where: str            # file:line of the entry
    slide_id_where: str   # file:line of its slide_id
    priority: int | None = None   # selection order: 1 first; slides without one come after all that have one
    keep_look: bool = False  # look: source (keeps its own master in template mode)


def parse_sidecar(data: Any, label: str, problems: Problems) -> tuple[list[SlideEntry], dict[str, Problem]]:
    """Return the usable entries of a sidecar and {key: its first error} for entries dropped.

    Every problem goes to ``problems`` with the file:line it comes from; an entry with an error is
    dropped whole (its key is returned so recipes using it are told why it is missing).
    """
    if data is None:
        data = LineDict(file=label, line=1)
    if not isinstance(data, Mapping):
        problems.error(where(data, None, label),
                       f"a sidecar must be a mapping with a 'slides:' list, found {describe(data)}")
        return [], {}
    problems.unknown_keys(data, MODULE_KEYS, default_where=label)
    defaults_ok = Problems()
    default_tags = _tags(data.get("tags"), where(data, "tags", label), defaults_ok)
    defaults = {
        "owner": _owner(data.get("owner"), where(data, "owner", label), defaults_ok),
        "review_by": _date(data.get("review_by"), "review_by", where(data, "review_by", label), defaults_ok),
        "expires": _date(data.get("expires"), "expires", where(data, "expires", label), defaults_ok),
        "status": _status(data.get("status", "draft"), where(data, "status", label), defaults_ok),
        "priority": _priority(data.get("priority"), where(data, "priority", label), defaults_ok),
        "look": _look(data.get("look", "template"), where(data, "look", label), defaults_ok),
    }
    problems.extend(defaults_ok.items)

    slides = data.get("slides")
    if slides is None:
        problems.error(where(data, None, label), "missing 'slides:' list",
                       "list each slide as '- key: ...' with its slide_id")
        return [], {}
    if not isinstance(slides, list):
        problems.error(where(data, "slides", label), f"'slides' must be a list, found {describe(slides)}")
        return [], {}

    entries: list[SlideEntry] = []
    dropped: dict[str, Problem] = {}
    for index, raw in enumerate(slides):
        entry_where = where(slides, index, label)
        entry_problems = Problems()
        entry = _entry(raw, entry_where, default_tags, defaults, entry_problems)
        problems.extend(entry_problems.items)
        # Module-level errors make every entry's defaults suspect, so they drop entries too.
        if entry is not None and not entry_problems.errors and not defaults_ok.errors:
            entries.append(entry)
        elif isinstance(raw, Mapping) and isinstance(raw.get("key"), str):
            dropped.setdefault(raw["key"], (entry_problems.errors or defaults_ok.errors)[0])
    return entries, dropped


def _entry(raw: Any, entry_where: str, default_tags: dict[str, tuple[str, ...]],
           defaults: Mapping[str, Any], problems: Problems) -> SlideEntry | None:
    if not isinstance(raw, Mapping):
        problems.error(entry_where, f"each slide entry must be a mapping (key, slide_id, tags...), "
                                    f"found {describe(raw)}")
        return None
    problems.unknown_keys(raw, SLIDE_KEYS, default_where=entry_where)

    def at(name: str) -> str:
        return where(raw, name, entry_where)

    key = raw.get("key")
    if key is None:
        problems.error(entry_where, "slide entry has no 'key'", "give it a stable name, e.g. 'pricing-table'")
    elif not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.error(at("key"), f"key {describe(key)} is not a valid slide key",
                       "use letters, digits, '.', '_' and '-', starting with a letter or digit")
        key = None

    slide_id = raw.get("slide_id")
    if slide_id is None:
        problems.error(entry_where, f"slide entry '{key}' has no 'slide_id'",
                       "see `deckgen library ids FILE.pptx` for the ids")
    elif isinstance(slide_id, bool) or not isinstance(slide_id, int) \
            or not _SLIDE_ID_RANGE[0] <= slide_id <= _SLIDE_ID_RANGE[1]:
        problems.error(at("slide_id"), f"slide_id must be a whole number from 256 up, found {describe(slide_id)}",
                       "see `deckgen library ids FILE.pptx` for the ids")
        slide_id = None

    title = raw.get("title")
    if title is not None and not isinstance(title, str):
        problems.error(at("title"), f"'title' must be text, found {describe(title)}")
        title = None

    tags = dict(default_tags)
    tags.update(_tags(raw.get("tags"), at("tags"), problems))
    owner = _owner(raw["owner"], at("owner"), problems) if "owner" in raw else defaults["owner"]
    review_by = _date(raw["review_by"], "review_by", at("review_by"), problems) \
        if "review_by" in raw else defaults["review_by"]
    expires = _date(raw["expires"], "expires", at("expires"), problems) if "expires" in raw else defaults["expires"]
    status = _status(raw["status"], at("status"), problems) if "status" in raw else defaults["status"]
    priority = _priority(raw["priority"], at("priority"), problems) if "priority" in raw else defaults["priority"]
    look = _look(raw["look"], at("look"), problems) if "look" in raw else defaults["look"]
    when = raw.get("when")
    if when is not None:
        reason = check_condition(when)
        if reason:
            problems.error(at("when"), reason)
            when = None
    if key is None or slide_id is None or problems.errors:
        return None
    return SlideEntry(key=key, slide_id=slide_id, title=title, tags=tags, owner=owner,
                      review_by=review_by, expires=expires, status=status, when=when,
                      where=entry_where, slide_id_where=at("slide_id"), priority=priority,
                      keep_look=look == "source")


def _tags(value: Any, location: str, problems: Problems) -> dict[str, tuple[str, ...]]:
    """Return a tags mapping as {name: (values...)}; a single value becomes a one-item tuple."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.error(location, f"'tags' must be a mapping such as {{kind: case-study, segment: [smb]}}, "
                                 f"found {describe(value)}")
        return {}
    tags: dict[str, tuple[str, ...]] = {}
    for name, raw in value.items():
        at = where(value, name, location)
        if not isinstance(name, str) or not KEY_PATTERN.match(name):
            problems.error(at, f"tag name {describe(name)} is not valid", "use a word such as 'segment'")
            continue
        items = raw if isinstance(raw, list) else [raw]
        values = []
        for index, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, (str, int)) or str(item).strip() == "":
                item_at = where(raw, index, at) if isinstance(raw, list) else at
                problems.error(item_at, f"tag '{name}' values must be names, found {describe(item)}",
                               "quote values such as 'yes', 'no' or 'on'" if isinstance(item, bool) else None)
            else:
                values.append(sys.intern(str(item).strip()))
        # interned: thousands of slides share a few tag names and values (library index memory)
        tags[sys.intern(str(name))] = tuple(values)
    return tags


def _owner(value: Any, location: str, problems: Problems) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.error(location, f"'owner' must be a name or e-mail address, found {describe(value)}")
        return None
    return value.strip()


def _date(value: Any, name: str, location: str, problems: Problems) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.error(location, f"'{name}' must be a date like 2027-05-01, found {describe(value)}")
    return None


def _priority(value: Any, location: str, problems: Problems) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        problems.error(location, f"'priority' must be a whole number from 1 (first), found {describe(value)}",
                       "selections list slides by priority, 1 first; slides without one come last")
        return None
    return value


def _status(value: Any, location: str, problems: Problems) -> str:
    if value in STATUSES:
        return value
    hint = did_you_mean(value, STATUSES) or "use draft or approved"
    problems.error(location, f"status must be one of {', '.join(STATUSES)}, found {describe(value)}", hint)
    return "draft"


def _look(value: Any, location: str, problems: Problems) -> str:
    """``look:``: "template" (default: put on the corporate template in template mode) or
    "source" (keep the slide's own look, e.g. a partner's co-branded slide)."""
    if value in LOOKS:
        return value
    problems.error(location, f"look must be one of {', '.join(LOOKS)}, found {describe(value)}",
                   "use 'source' to keep a slide's own look when decks are built on the template")
    return "template"
