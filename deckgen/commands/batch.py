"""`deckgen batch`: one deck per prospect of a CRM export (CSV) or a YAML/JSON list, built in parallel.

Rows are read and validated here; a bad row fails its own deck only. Decks are named from the
config's ``batch.filename`` pattern, recorded in the folder's build manifest, and skipped when
already up to date (so rerunning a batch after a crash finishes the job).
"""
from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

import jinja2
import jinja2.sandbox

from deckgen.commands.build import Workspace
from deckgen.commands.executors import Executor, error_line, make_executor
from deckgen.commands.incremental import (Failure, InputCheck, Progress, RunReport, build_stale,
                                          check_entries, locked_folder)
from deckgen.commands.manifest import DeckEntry, Manifest, ProjectRef, ProspectSource
from deckgen.errors import ConfigError, DeckgenError, InputFileError
from deckgen.prospect import Prospect, prospect_from_data
from deckgen.recipes import find_recipe
from deckgen.render import slug
from deckgen.yamlio import display_path, load_file, plain, where

LIST_SEPARATOR = ";"
LIST_FIELDS = ("competitors", "objections")
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
        raise InputFileError("prospects file not found", where=label, hint="check the path")
    suffix = target.suffix.lower()
    if suffix == ".csv":
        return _read_csv(target, label, dict(columns or {}))
    if suffix not in PROSPECT_SUFFIXES:
        raise InputFileError(f"unknown prospects file type '{target.suffix}'",
                             where=label, hint="use a .csv, .json, .yaml or .yml file")
    data = load_file(target)
    if isinstance(data, Mapping):
        data = [data]    # a file with one prospect
    if not isinstance(data, list):
        raise ConfigError("a prospects file must be a list of prospects (mappings)", where=label)
    rows = []
    for index, item in enumerate(data, start=1):
        line = _line(where(data, index - 1, ""))
        item_label = f"{label}:{line}" if line else f"{label}#{index}"
        if not isinstance(item, Mapping):
            rows.append(ProspectRow(item_label, target, line, index, {},
                                    "each prospect must be a mapping of fields (company, segment, ...)"))
        else:
            rows.append(ProspectRow(item_label, target, line, index, item))
    return rows


def _line(location: str) -> int | None:
    head, _, tail = location.rpartition(":")
    return int(tail) if head and tail.isdigit() else None


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
            fields = _column_fields(header, columns, label)
            rows = []
            line = reader.line_num + 1
            for index, cells in enumerate(reader, start=1):
                if any(cell.strip() for cell in cells):
                    extra = len(cells) - len(header)
                    problem = (f"the row has {extra} more cell{'s' if extra > 1 else ''} than the header "
                               f"has columns" if extra > 0 and any(c.strip() for c in cells[len(header):])
                               else None)
                    rows.append(ProspectRow(f"{label}:{line}", path, line, len(rows) + 1,
                                            _row_data(header, cells, fields), problem))
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


class DeckNamer:
    """Names decks from the config's filename pattern; a name already taken gets -2, -3, ..."""

    def __init__(self, pattern: str, recipe: str):
        environment = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined,
                                                          autoescape=False)
        environment.filters["slug"] = slug
        self.template = environment.from_string(pattern)
        self.pattern = pattern
        self.recipe = recipe
        self.taken: set[str] = set()

    def render(self, prospect: Prospect, row: ProspectRow) -> str:
        """Return the deck's path relative to the output folder (POSIX); ConfigError when unusable."""
        try:
            text = self.template.render(prospect=prospect.as_context(), recipe=self.recipe,
                                        row=row.line or row.index, index=row.index).strip()
        except jinja2.TemplateError as exc:
            raise ConfigError(f"the file name pattern {self.pattern!r} (batch.filename in deckgen.yaml) "
                              f"fails: {exc.message}") from exc
        name = PurePosixPath(text.replace("\\", "/"))
        if not text or name.is_absolute() or any(part in ("", ".", "..") for part in name.parts):
            raise ConfigError(f"the file name pattern {self.pattern!r} gives {text!r}, which is not a "
                              f"file name inside the output folder",
                              hint="fix batch.filename in deckgen.yaml or the prospect's data")
        if name.suffix.lower() != ".pptx":
            name = name.with_name(name.name + ".pptx")
        return name.as_posix()

    def unique(self, names: list[str | None]) -> list[str | None]:
        """Return ``names`` with repeats made unique in order: the second "x.pptx" is "x-2.pptx".

        Case is ignored when comparing (macOS and Windows file systems ignore it), and a made-up
        name never takes one that another row asks for itself.
        """
        wanted = {name.casefold() for name in names if name}
        used: set[str] = set()
        result = []
        for name in names:
            if name is None:
                result.append(None)
                continue
            candidate, number = name, 1
            while candidate.casefold() in used or (candidate != name and candidate.casefold() in wanted):
                number += 1
                path = PurePosixPath(name)
                candidate = path.with_name(f"{path.stem}-{number}{path.suffix}").as_posix()
            used.add(candidate.casefold())
            result.append(candidate)
        return result


def run_batch(recipe: str | os.PathLike, prospects: str | os.PathLike, output: str | os.PathLike,
              *, workspace: Workspace | None = None, executor: Executor | None = None,
              jobs: int | None = None, executor_kind: str = "local", scheduler: str | None = None,
              pdf: bool = False, allow_drafts: bool = False, force: bool = False,
              progress: Progress | None = None) -> RunReport:
    """Build the deck of ``recipe`` for every prospect in ``prospects`` into folder ``output``.

    Decks already up to date with their manifest record are skipped unless ``force``. Raises
    DeckgenError for problems that stop the whole run (bad recipe, unreadable file, folder
    locked); problems of single rows are in ``report.failed``.
    """
    workspace = workspace or Workspace.discover()
    folder = Path(output).resolve()
    recipe_file = find_recipe(recipe, workspace.config.recipes).resolve()
    loaded = workspace.recipe(recipe_file)       # a broken recipe stops the run before any row
    if not workspace.library.slides:             # a missing library folder raises here too
        raise ConfigError("the slide library has no usable slides",
                          where=display_path(workspace.config.library),
                          hint="run `deckgen library check` to see why")
    rows = read_prospects(prospects, workspace.config.batch.columns)
    report = RunReport(folder=folder)
    namer = DeckNamer(workspace.config.batch.filename, loaded.name)
    valid: list[tuple[ProspectRow, Prospect | None, str | None]] = []
    for row in rows:
        try:
            if row.problem:
                raise ConfigError(row.problem, where=row.label)
            prospect = prospect_from_data(row.data, base_dir=row.file.resolve().parent, label=row.label)
            valid.append((row, prospect, namer.render(prospect, row)))
        except DeckgenError as exc:
            report.failed.append(Failure(None, row.label, error_line(exc)))
    names = namer.unique([name for _, _, name in valid])
    executor = executor or make_executor(executor_kind, jobs=jobs, scheduler=scheduler, workspace=workspace)
    with locked_folder(folder):
        manifest = Manifest.load(folder)
        project = ProjectRef.of(workspace.config)
        _check_same_project(manifest, project)
        manifest.set_project(project)
        entries = [
            (DeckEntry(name=name, recipe=loaded.name, recipe_file=recipe_file,
                       prospect=ProspectSource(label=row.label, file=row.file.resolve(), line=row.line,
                                               index=row.index, data=plain(row.data),
                                               base_dir=row.file.resolve().parent),
                       pdf=pdf, allow_drafts=allow_drafts), prospect)
            for (row, prospect, _), name in zip(valid, names)
        ]
        check_entries(InputCheck(workspace), manifest, entries, report, force=force)
        build_stale(workspace, manifest, report, executor, progress)
        if manifest.decks:
            manifest.save_if_changed()
    return report


def _check_same_project(manifest: Manifest, project: ProjectRef) -> None:
    """Refuse to mix decks of two libraries in one folder: a rebuild could not serve both."""
    old = manifest.project
    if old is None or not manifest.decks:
        return
    for what in ("library", "recipes"):
        before, now = getattr(old, what), getattr(project, what)
        if before != now:
            raise ConfigError(f"the decks in this folder were built from the {what} folder {before}, "
                              f"not {now}", where=display_path(manifest.path),
                              hint="use another output folder (-o) for this project")
