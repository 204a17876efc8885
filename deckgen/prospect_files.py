"""Prospects files: a CRM export (CSV, columns mapped by ``batch.columns`` in deckgen.yaml), a
YAML/JSON list of prospects, or a single prospect file, read as rows and validated into prospects.

Batch builds one deck per row; `deckgen check` and `deckgen coverage` read every prospects file
of the project's prospects folder the same way.
"""
from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from deckgen.errors import ConfigError, DeckgenError, InputFileError
from deckgen.prospect import LIST_FIELDS, LogoPolicy, Prospect, prospect_from_data, prospect_from_file
from deckgen.fsutil import display_path
from deckgen.yamlio import load_file, surrogate_problem, where

LIST_SEPARATOR = ";"
PROSPECT_SUFFIXES = (".csv", ".json", ".yaml", ".yml")
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")


@dataclass(frozen=True)
class ProspectRow:
    """One prospect of a prospects file: its data (after column mapping) and where it is."""

    label: str                  # "prospects/accounts.csv:7" (CSV: the line the row starts on)
    file: Path
    line: int | None
    index: int                  # 1-based position among the file's prospects
    data: dict[str, Any]
    problem: str | None = None  # what makes the row unusable before validation (e.g. extra cells)
    origins: Mapping[str, str] = field(default_factory=dict)   # top-level field -> "column 'Segment'"


MAX_CSV_BYTES = 256 * 1024 * 1024     # a CRM export of about a million rows


def read_prospects(path: str | os.PathLike, columns: Mapping[str, str] | None = None) -> list[ProspectRow]:
    """Return the prospects of a CSV export, or of a YAML/JSON list of prospect mappings.

    CSV: ``columns`` maps column headers to (dotted) prospect fields; without a mapping each
    header is itself the field ("company", "values.employees"). Empty cells are left out;
    ``;``-separated cells of list fields (competitors, objections) become lists; cells of
    ``values.*`` that are numbers become numbers. Raises InputFileError/ConfigError for a file
    that cannot be read at all; problems of single rows are left to validation.
    """
    target = Path(path)
    label = display_path(target)
    if not target.is_file():
        if target.exists():
            raise InputFileError("is not a regular file (a device, pipe or folder)", where=label,
                                 hint="give a CSV, YAML or JSON file")
        raise InputFileError("prospects file not found", where=label, hint="check the path")
    suffix = target.suffix.lower()
    if suffix == ".csv":
        if target.stat().st_size > MAX_CSV_BYTES:
            raise InputFileError(f"is larger than the {MAX_CSV_BYTES // (1024 * 1024)} MiB deckgen reads",
                                 where=label, hint="split the file; limits are listed in docs/limits.md")
        return _read_csv(target, label, dict(columns or {}))
    if suffix not in PROSPECT_SUFFIXES:
        raise InputFileError(f"unknown prospects file type '{target.suffix}'",
                             where=label, hint="use a .csv, .json, .yaml or .yml file")
    return _data_rows(target, label, load_file(target, per_item=True))


def _data_rows(target: Path, label: str, data: Any) -> list[ProspectRow]:
    """The rows of a YAML/JSON prospects file whose parsed content is ``data``."""
    if isinstance(data, Mapping):
        data = [data]    # a file with one prospect
    if not isinstance(data, list):
        raise ConfigError("a prospects file must be a list of prospects (mappings)", where=label)
    rows = []
    for index, item in enumerate(data, start=1):
        line = where(data, index - 1).line
        item_label = f"{label}:{line}" if line else f"{label}#{index}"
        if not isinstance(item, Mapping):
            rows.append(ProspectRow(item_label, target, line, index, {},
                                    "each prospect must be a mapping of fields (company, segment, ...)"))
        else:
            rows.append(ProspectRow(item_label, target, line, index, item, surrogate_problem(item)))
    return rows


def _read_csv(path: Path, label: str, columns: dict[str, str]) -> list[ProspectRow]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            first_line = handle.readline()
            handle.seek(0)
            reader = csv.reader(handle, delimiter=_delimiter(first_line))
            header = next(reader, None)
            if not header:
                raise ConfigError("the CSV file is empty (no header row)", where=label)
            header = [name.strip() for name in header]
            seen: set[str] = set()
            for name in header:
                if name and name in seen:
                    raise ConfigError(f"column '{name[:100]}' appears twice in the header row",
                                      where=f"{label}:1", hint="rename or remove one of the columns")
                seen.add(name)
            fields = _column_fields(header, columns, label)
            origins = {target.split(".")[0]: f"column '{column}'" for column, target in fields.items()}
            rows = []
            line = reader.line_num + 1
            for index, cells in enumerate(reader, start=1):
                if any(cell.strip() for cell in cells):
                    extra = len(cells) - len(header)
                    problem = (f"the row has {extra} more cell{'s' if extra > 1 else ''} than the header "
                               f"has columns" if extra > 0 and any(c.strip() for c in cells[len(header):])
                               else None)
                    rows.append(ProspectRow(f"{label}:{line}", path, line, len(rows) + 1,
                                            _row_data(header, cells, fields), problem, origins))
                line = reader.line_num + 1
            return rows
    except UnicodeDecodeError as exc:
        raise InputFileError("the CSV file is not UTF-8 text", where=label,
                             hint="export it from the CRM as CSV UTF-8") from exc
    except csv.Error as exc:
        raise InputFileError(f"the CSV file cannot be read ({exc})", where=label) from exc


def _delimiter(header_line: str) -> str:
    """Return the CSV delimiter: ',' unless the header has none but has ';' or tabs (European
    Excel and some CRMs export those). Only the header is looked at: ';' in cells separates list
    items."""
    if "," in header_line:
        return ","
    for candidate in ("\t", ";"):
        if candidate in header_line:
            return candidate
    return ","


def _column_fields(header: list[str], columns: dict[str, str], label: str) -> dict[str, str]:
    """Return {header: dotted field} for the columns used; a mapped column missing is an error."""
    if not columns:
        return {name: name for name in header if name}
    missing = [column for column in columns if column not in header]
    if missing:
        raise ConfigError(f"column{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(repr(c) for c in missing)} from batch.columns in deckgen.yaml "
                          f"not in the CSV header", where=f"{label}:1",
                          hint="columns found: " + ", ".join(repr(h) for h in header if h))
    return {column: target for column, target in columns.items()}


def _row_data(header: list[str], cells: list[str], fields: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, cell in zip(header, cells):
        target = fields.get(name)
        text = cell.strip()
        if target is None or not text:
            continue
        value: Any = text
        head = target.split(".")[0]
        if head in LIST_FIELDS and "." not in target:
            value = [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
        elif head == "values" and _NUMBER.match(text):
            number = text.replace(",", "")
            value = float(number) if "." in number else int(number)
        node = data
        parts = target.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return data


def row_prospect(row: ProspectRow, logos: LogoPolicy | None = None) -> Prospect:
    """Return the validated prospect of one row (its logo read where ``logos`` allows, relative
    to the file of the row); ConfigError naming the row when it is unusable."""
    if row.problem:
        raise ConfigError(row.problem, where=row.label)
    return prospect_from_data(row.data, base_dir=row.file.resolve().parent, label=row.label, origins=row.origins,
                              logos=logos)


def folder_prospects(folder: Path, columns: Mapping[str, str] | None = None,
                     logos: LogoPolicy | None = None) -> list[Prospect | DeckgenError]:
    """Return every prospect of a prospects folder (searched recursively, files in name order),
    or the error that makes it unusable: each single-prospect YAML/JSON file, each entry of a
    YAML/JSON list, each row of a CSV export."""
    found: list[Prospect | DeckgenError] = []
    if not folder.is_dir():
        return found
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in PROSPECT_SUFFIXES and p.is_file()):
        try:
            if path.suffix.lower() == ".csv":
                rows = read_prospects(path, columns)
            else:
                data = load_file(path)
                if not isinstance(data, list):
                    found.append(prospect_from_file(path, data, logos=logos))
                    continue
                rows = _data_rows(path, display_path(path), data)
            for row in rows:
                try:
                    found.append(row_prospect(row, logos))
                except DeckgenError as exc:
                    found.append(exc)
        except DeckgenError as exc:     # the whole file cannot be read
            found.append(exc)
    return found
