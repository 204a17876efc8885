"""A starter message map written from the tags a library already uses, near-duplicates flagged."""
from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Iterable

from deckgen.config import ProjectConfig
from deckgen.errors import ConfigError
from deckgen.fsutil import write_bytes_atomic
from deckgen.library import ANY_VALUE, load_library
from deckgen.messagemap import KIND_TAG
from deckgen.prospect import Prospect
from deckgen.prospect_files import folder_prospects
from deckgen.fsutil import display_path

# tag name -> the prospect field that usually feeds it
_FIELDS = {"segment": "segment", "industry": "industry", "competitor": "competitors", "competitors": "competitors",
           "objection": "objections", "objections": "objections"}
_SIMILAR = 0.85
_VALUE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _folded(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def near_duplicates(values: Iterable[str]) -> dict[str, str]:
    """Return {value: the earlier value it looks like a variant of} (same letters and digits, a
    plural, or a close spelling)."""
    seen: list[str] = []
    found: dict[str, str] = {}
    for value in values:
        for other in seen:
            a, b = _folded(value), _folded(other)
            if a == b or a.rstrip("s") == b.rstrip("s") or difflib.SequenceMatcher(None, a, b).ratio() >= _SIMILAR:
                found[value] = other
                break
        seen.append(value)
    return found


def starter_map(config: ProjectConfig) -> str:
    """Return the YAML text of a message map declaring every tag name and value the library uses
    (and the segment, industry, competitor and objection values of the prospects folder), with
    comments on near-duplicates for a person to merge into aliases."""
    library = load_library(config.library)
    prospects = [p for p in folder_prospects(config.prospects, config.batch.columns, config.logos) if isinstance(p, Prospect)]
    from_prospects = {"segment": [p.segment for p in prospects], "industry": [p.industry for p in prospects if p.industry],
                      "competitors": [c for p in prospects for c in p.competitors],
                      "objections": [o for p in prospects for o in p.objections]}
    lines = [f"# Message map started by `deckgen map init` from the tags of {display_path(library.folder)}",
             "# (format: docs/formats.md, 'Message map'). Check every value; where a comment says NEAR-DUPLICATE,",
             "# keep one spelling and list the other under its 'aliases' (then fix the sidecars that use it).",
             "# Wire it up with 'message_map: <this file>' in deckgen.yaml.",
             "dimensions:"]
    names = sorted(name for name in library.tag_names() if name != KIND_TAG)
    name_twins = near_duplicates(names)
    for name in names:
        field = _FIELDS.get(name)
        note = f"  # NEAR-DUPLICATE of tag '{name_twins[name]}': rename it in the sidecars" if name in name_twins else ""
        lines.append(f"  {name}:{note}")
        lines.append(f"    label: {json.dumps(name.replace('-', ' ').capitalize())}")
        if field:
            lines.append(f"    field: {field}")
        values = sorted(library.tag_values(name), key=str.casefold)
        extra = [v for v in dict.fromkeys(from_prospects.get(field or "", []))
                 if v.casefold() not in {x.casefold() for x in values}]
        lines.append("    values:")
        lines.extend(_value_lines(values, extra))
    lines.append("kinds:")
    lines.extend(line[4:] for line in _value_lines(sorted(library.tag_values(KIND_TAG), key=str.casefold), []))
    return "\n".join(lines) + "\n"


def _value_lines(values: list[str], from_prospects: list[str]) -> list[str]:
    twins = near_duplicates([*values, *from_prospects])
    declared: set[str] = set()
    lines = []
    for value in [*values, *from_prospects]:
        if value == ANY_VALUE:
            continue
        notes = []
        if value in twins:
            notes.append(f"NEAR-DUPLICATE of '{twins[value]}': make it an alias of one value")
        if value in from_prospects:
            notes.append("used by prospects only")
        label = value.replace("-", " ").capitalize()
        if not _VALUE_NAME.match(value) or value.casefold() in declared:
            # not a value the map can declare as written: a person decides which value it is an alias of
            lines.append(f"      # {json.dumps(value)}: {'; '.join(notes) or 'spelling differs only in case'}; "
                         f"list it under 'aliases' of the value it means")
            continue
        declared.add(value.casefold())
        lines.append(f"      {value}: {{label: {json.dumps(label)}}}" + (f"  # {'; '.join(notes)}" if notes else ""))
    return lines


def write_starter_map(config: ProjectConfig, output: Path) -> Path:
    """Write the starter map to ``output`` (never over an existing file); return the path."""
    if output.exists():
        raise ConfigError("the file already exists", where=display_path(output),
                          hint="choose another name with -o, or edit the existing map")
    write_bytes_atomic(output, starter_map(config).encode("utf-8"))
    return output
