"""`deckgen coverage`: the message map as matrices of approved slides, with the gaps marked.

Every cell is a selection, made by the one matcher recipes use (``deckgen.recipes.selection``),
so a cell is covered exactly when a recipe selecting those tags would pick a slide:

- kinds x segments: ``{kind: K, segment: S}`` for every kind and segment
- competitors x segments: ``{kind: battle-card, competitor: C, segment: S}``
- for every recipe, each `select` section against the values of the dimension its ``$field``
  (or ``$item`` of its ``for_each``) reads: the slides that section picks for a prospect with
  that value (its ``limit`` and ordering applied; slide ``when`` conditions are not evaluated)

A slide matches when it is approved, not expired, and lists the cell's value (or ``*``) for every
tag of the cell; a slide without the tag does not match, as in recipes. With a message map the
axes are its declared values, so a value no slide covers shows as a gap; without one they are the
values the library's tags and the prospects folder use. Drafts that would fill a gap are shown
apart ("draft only").
"""
from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import jinja2
from PIL import Image, ImageDraw, ImageFont

from deckgen.config import ProjectConfig, input_folders_around
from deckgen.errors import OutputError
from deckgen.fsutil import atomic_output, write_bytes_atomic
from deckgen.safepaths import check_output
from deckgen.errors import DeckgenError
from deckgen.library import Library, load_library
from deckgen.marketing.usage import load_recipes
from deckgen.recipes import Recipe, Section
from deckgen.recipes.model import REF_PREFIX
from deckgen.recipes.selection import ORDER_PRIORITY, select
from deckgen.prospect import Prospect
from deckgen.prospect_files import folder_prospects
from deckgen.marketing.textfit import FontBook
from deckgen.fsutil import display_path

_TEMPLATES = jinja2.Environment(loader=jinja2.PackageLoader("deckgen", "templates"),
                                autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined)


@dataclass(frozen=True)
class Cell:
    """The slides that cover one cell: approved ones, and drafts that would."""

    approved: tuple[str, ...]
    drafts: tuple[str, ...]

    @property
    def state(self) -> str:
        """"covered" | "draft" (only drafts) | "gap"."""
        if self.approved:
            return "covered"
        return "draft" if self.drafts else "gap"


@dataclass(frozen=True)
class Matrix:
    """One table of the message map: rows x columns of one tag each, under fixed tags."""

    title: str
    row_tag: str
    rows: tuple[str, ...]
    column_tag: str
    columns: tuple[str, ...]
    fixed: Mapping[str, str]
    cells: Mapping[tuple[str, str], Cell]

    def cell(self, row: str, column: str) -> Cell:
        return self.cells[(row, column)]

    def gaps(self) -> list[tuple[str, str]]:
        return [(row, column) for row in self.rows for column in self.columns
                if self.cells[(row, column)].state != "covered"]

    def describe(self, row: str, column: str) -> str:
        """Return the cell's coordinates as tags, e.g. "segment=smb objection=price competitor=acme"."""
        parts = [f"{tag}={value}" for tag, value in self.fixed.items()]
        parts += [f"{self.row_tag}={row}", f"{self.column_tag}={column}"]
        return " ".join(parts)


@dataclass(frozen=True)
class CoverageMap:
    """Every matrix of the message map and where its data came from."""

    library: str
    generated: str
    matrices: tuple[Matrix, ...]
    prospect_values: Mapping[str, tuple[str, ...]]   # values seen only in prospects, per tag
    notes: tuple[str, ...] = ()

    def totals(self) -> tuple[int, int]:
        """(covered cells, all cells)."""
        cells = [cell for matrix in self.matrices for cell in matrix.cells.values()]
        return sum(cell.state == "covered" for cell in cells), len(cells)

    def to_dict(self) -> dict:
        return {
            "library": self.library, "generated": self.generated, "notes": list(self.notes),
            "covered": self.totals()[0], "cells": self.totals()[1],
            "matrices": [{
                "title": m.title, "row_tag": m.row_tag, "rows": list(m.rows), "column_tag": m.column_tag,
                "columns": list(m.columns), "fixed": dict(m.fixed),
                "cells": [{"row": r, "column": c, "state": m.cell(r, c).state,
                           "approved": list(m.cell(r, c).approved), "drafts": list(m.cell(r, c).drafts)}
                          for r in m.rows for c in m.columns]}
                for m in self.matrices],
        }


def _cell(library: Library, wanted: Mapping[str, str | Iterable[str]], today: datetime.date,
          order: str = ORDER_PRIORITY, limit: int | None = None) -> Cell:
    wanted = {tag: (value,) if isinstance(value, str) else tuple(value) for tag, value in wanted.items()}
    approved = select(library, wanted, today=today, order=order).slides[:limit]
    with_drafts = select(library, wanted, today=today, allow_drafts=True, order=order).slides
    chosen = {slide.key for slide in approved}
    drafts = [slide.key for slide in with_drafts if slide.status != "approved" and slide.key not in chosen]
    return Cell(tuple(slide.key for slide in approved), tuple(drafts))


def _matrix(title: str, library: Library, row_tag: str, rows: Iterable[str], column_tag: str,
            columns: Iterable[str], fixed: Mapping[str, str], today: datetime.date) -> Matrix:
    rows, columns = tuple(rows), tuple(columns)
    cells = {(row, column): _cell(library, {**fixed, row_tag: row, column_tag: column}, today)
             for row in rows for column in columns}
    return Matrix(title, row_tag, rows, column_tag, columns, dict(fixed), cells)


def _sorted(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values), key=str.casefold))


@dataclass(frozen=True)
class SectionCells:
    """A recipe section with a selector, and the dimension its ``$field`` reads (None: no field)."""

    recipe: Recipe
    section: Section
    tag: str | None                 # the selector tag filled from the prospect
    literal: Mapping[str, tuple[str, ...]]

    def wanted(self, value: str | None) -> dict[str, tuple[str, ...]]:
        """The tags the section selects for a prospect whose value of ``tag`` is ``value``."""
        return {**self.literal, **({self.tag: (value,)} if self.tag else {})}


def section_cells(recipe: Recipe) -> list[SectionCells]:
    """Return the `select` sections of a recipe whose selector reads at most one dimension from the
    prospect (a segment, competitor, objection... by ``$field`` or ``$item``)."""
    found = []
    for section in recipe.sections:
        if section.select is None:
            continue
        literal: dict[str, tuple[str, ...]] = {}
        refs = []
        for tag, values in section.select.tags.items():
            if any(value.startswith(REF_PREFIX) for value in values):
                refs.append(tag)
            else:
                literal[tag] = values
        if len(refs) <= 1:
            found.append(SectionCells(recipe, section, refs[0] if refs else None, literal))
    return found


def _recipe_matrices(library: Library, recipes: Iterable[Recipe], axis: Mapping[str, tuple[str, ...]],
                     today: datetime.date) -> list[Matrix]:
    matrices = []
    for recipe in recipes:
        by_tag: dict[str | None, list[SectionCells]] = {}
        for cells in section_cells(recipe):
            by_tag.setdefault(cells.tag, []).append(cells)
        for tag, group in by_tag.items():
            columns = axis.get(tag, ()) if tag else ("any prospect",)
            if not columns:
                continue
            rows = tuple(cells.section.name for cells in group)
            table = {(cells.section.name, column): _cell(library, cells.wanted(column if tag else None), today,
                                                          cells.section.order, cells.section.limit)
                     for cells in group for column in columns}
            title = f"Recipe {recipe.name}: sections by {tag}" if tag else f"Recipe {recipe.name}: fixed selections"
            matrices.append(Matrix(title, "section", rows, tag or "prospect", columns, {"recipe": recipe.name}, table))
    return matrices


def coverage_map(config: ProjectConfig, *, today: datetime.date | None = None) -> CoverageMap:
    """Return the message map of the project's library (see the module docstring for the rules)."""
    today = today or datetime.date.today()
    message_map = config.message_map
    library = load_library(config.library, today=today, message_map=message_map)
    # prospects that cannot be used are `deckgen check`'s to report
    prospects = []
    for item in folder_prospects(config.prospects, config.batch.columns, config.logos):
        if isinstance(item, Prospect) and message_map is not None:
            try:
                item = message_map.canonical_prospect(item)
            except DeckgenError:
                continue
        if isinstance(item, Prospect):
            prospects.append(item)
    from_prospects = {
        "segment": [p.segment for p in prospects],
        "industry": [p.industry for p in prospects if p.industry],
        "competitor": [c for p in prospects for c in p.competitors],
        "objection": [o for p in prospects for o in p.objections],
    }
    axis: dict[str, tuple[str, ...]] = {}
    only_prospects: dict[str, tuple[str, ...]] = {}
    if message_map is not None:
        axis = {name: tuple(dimension.values) for name, dimension in message_map.dimensions.items()}
        axis["kind"] = tuple(message_map.kinds.values)
    else:
        for tag in library.tag_names():
            axis[tag] = _sorted(library.tag_values(tag))
        for tag, extra in from_prospects.items():
            known = {value.casefold() for value in library.tag_values(tag)}
            axis[tag] = _sorted(list(axis.get(tag, ())) + extra)
            only_prospects[tag] = _sorted(value for value in extra if value.casefold() not in known)
    segments = axis.get("segment", ())
    # kinds whose slides never name a segment (titles, agendas...) are not a segment's to cover
    with_segment = {value.casefold() for slide in library for value in slide.tags.get("kind", ())
                    if slide.tags.get("segment")}
    used = {value.casefold() for slide in library for value in slide.tags.get("kind", ())}
    kinds = [kind for kind in axis.get("kind", ()) if kind.casefold() in with_segment or kind.casefold() not in used]
    agnostic = [kind for kind in axis.get("kind", ()) if kind not in kinds]
    notes = (f"kinds no slide tags with a segment (not counted by segment): {', '.join(agnostic)}",) if agnostic else ()
    matrices = [
        _matrix("Slide kinds by segment", library, "kind", kinds, "segment", segments, {}, today),
        _matrix("Battle cards: competitors by segment", library, "competitor", axis.get("competitor", ()), "segment",
                segments, {"kind": "battle-card"}, today),
    ]
    loaded = load_recipes(config.recipes)
    matrices += _recipe_matrices(library, loaded.recipes, axis, today)
    return CoverageMap(library=display_path(library.folder), generated=today.isoformat(),
                       matrices=tuple(m for m in matrices if m.rows and m.columns), prospect_values=only_prospects,
                       notes=notes)


# -- output -------------------------------------------------------------------------------------

_MARK = {"gap": "-", "draft": "draft"}


def cell_label(cell: Cell) -> str:
    """What a cell shows: the number of approved slides, "draft" when only drafts, "-" for a gap."""
    return str(len(cell.approved)) if cell.approved else _MARK[cell.state]


def to_text(coverage: CoverageMap) -> str:
    """The map as plain-text tables, then the list of gaps."""
    lines: list[str] = []
    for matrix in coverage.matrices:
        head = f"{matrix.row_tag} \\ {matrix.column_tag}"
        first = max([len(head)] + [len(row) for row in matrix.rows])
        widths = [max(len(column), 5) for column in matrix.columns]
        lines.append(matrix.title)
        lines.append("  ".join([head.ljust(first)] + [c.rjust(w) for c, w in zip(matrix.columns, widths)]).rstrip())
        for row in matrix.rows:
            cells = [cell_label(matrix.cell(row, column)).rjust(width)
                     for column, width in zip(matrix.columns, widths)]
            lines.append("  ".join([row.ljust(first)] + cells).rstrip())
        lines.append("")
    gaps = [(matrix, row, column) for matrix in coverage.matrices for row, column in matrix.gaps()]
    covered, total = coverage.totals()
    lines.append(f"{covered} of {total} cells have an approved slide; {len(gaps)} gap{'s' if len(gaps) != 1 else ''}")
    for matrix, row, column in gaps:
        cell = matrix.cell(row, column)
        note = f" (draft: {', '.join(cell.drafts)})" if cell.drafts else ""
        lines.append(f"  gap: {matrix.describe(row, column)}{note}")
    for tag, values in coverage.prospect_values.items():
        if values:
            lines.append(f"  {tag} values prospects use that no slide is tagged with: {', '.join(values)}")
    lines.extend(f"  {note}" for note in coverage.notes)
    return "\n".join(lines) + "\n"


def to_html(coverage: CoverageMap) -> str:
    """The map as a self-contained HTML page (no scripts, no external files)."""
    covered, total = coverage.totals()
    return _TEMPLATES.get_template("coverage.html").render(coverage=coverage, covered=covered, total=total,
                                                           label=cell_label)


_COLORS = {"covered": (217, 240, 236), "draft": (253, 236, 210), "gap": (251, 222, 220)}
_TEXT = {"covered": (29, 110, 100), "draft": (138, 90, 0), "gap": (179, 38, 30)}
_INK, _MUTED, _LINE, _PAPER = (19, 36, 59), (91, 107, 127), (201, 211, 223), (255, 255, 255)


def to_png(coverage: CoverageMap, fonts: FontBook | None = None) -> Image.Image:
    """The map drawn with pillow: each matrix as a coloured grid (green covered, amber drafts, red gaps)."""
    book = fonts or FontBook()
    regular = ImageFont.truetype(str(book.match("DejaVu Sans", False).path), 15)
    bold = ImageFont.truetype(str(book.match("DejaVu Sans", True).path), 15)
    title_font = ImageFont.truetype(str(book.match("DejaVu Sans", True).path), 20)
    pad, row_h, cell_w = 24, 30, 96
    label_w = int(max(regular.getlength(text) for m in coverage.matrices
                      for text in (*m.rows, f"{m.row_tag} \\ {m.column_tag}")) + 24)
    covered, total = coverage.totals()
    subtitle = f"{covered} of {total} cells have an approved slide · generated {coverage.generated}"
    legend = "green: approved slides (how many) · amber: drafts only · red: gap"
    width = int(max(pad * 2 + label_w + cell_w * max(len(m.columns) for m in coverage.matrices),
                    pad * 2 + regular.getlength(legend)))
    heights = [40 + row_h * (len(m.rows) + 1) + 24 for m in coverage.matrices]
    height = pad + 90 + sum(heights) + 24
    image = Image.new("RGB", (width, height), _PAPER)
    draw = ImageDraw.Draw(image)
    draw.text((pad, pad), f"Message map: {coverage.library}", font=title_font, fill=_INK)
    draw.text((pad, pad + 30), subtitle, font=regular, fill=_MUTED)
    draw.text((pad, pad + 52), legend, font=regular, fill=_MUTED)
    y = pad + 96
    for matrix, block in zip(coverage.matrices, heights):
        draw.text((pad, y), matrix.title, font=bold, fill=_INK)
        y += 34
        draw.text((pad, y + 7), f"{matrix.row_tag} \\ {matrix.column_tag}", font=regular, fill=_MUTED)
        for index, column in enumerate(matrix.columns):
            x = pad + label_w + index * cell_w
            text = column if regular.getlength(column) < cell_w - 8 else column[:9] + "…"
            draw.text((x + cell_w / 2, y + row_h / 2), text, font=regular, fill=_MUTED, anchor="mm")
        y += row_h
        for row in matrix.rows:
            draw.text((pad, y + row_h / 2), row, font=regular, fill=_INK, anchor="lm")
            for index, column in enumerate(matrix.columns):
                cell = matrix.cell(row, column)
                x = pad + label_w + index * cell_w
                draw.rectangle((x + 2, y + 2, x + cell_w - 2, y + row_h - 2), fill=_COLORS[cell.state])
                draw.text((x + cell_w / 2, y + row_h / 2), cell_label(cell), font=bold, fill=_TEXT[cell.state],
                          anchor="mm")
            draw.line((pad, y + row_h, pad + label_w + cell_w * len(matrix.columns), y + row_h), fill=_LINE)
            y += row_h
        y += block - (34 + row_h * (len(matrix.rows) + 1))
    return image


_SUFFIXES = {"html": (".html", ".htm"), "png": (".png",), "json": (".json",), "text": (".txt", ".text")}


def write_coverage(coverage: CoverageMap, output_format: str, path: str | os.PathLike,
                   protected: Iterable[Path] | None = None) -> Path:
    """Write the map as html, png or text (json too) to ``path`` atomically; return the path.

    ``path`` must end as the format does and lie outside the ``protected`` folders (default: the
    input folders of the project around the current folder); OutputError otherwise.
    """
    target = Path(path)
    suffixes = _SUFFIXES[output_format]
    if target.suffix.lower() not in suffixes:
        raise OutputError(f"the {output_format} format writes a {' or '.join(suffixes)} file", where=str(target),
                          hint=f"name it {target.with_suffix(suffixes[0]).name}", code="format-suffix")
    check_output(target, protected=input_folders_around() if protected is None else protected)
    if output_format == "html":
        write_bytes_atomic(target, to_html(coverage).encode("utf-8"))
    elif output_format == "png":
        with atomic_output(target) as handle:
            to_png(coverage).save(handle, format="PNG", optimize=True)
    elif output_format == "json":
        write_bytes_atomic(target, (json.dumps(coverage.to_dict(), indent=2) + "\n").encode("utf-8"))
    else:
        write_bytes_atomic(target, to_text(coverage).encode("utf-8"))
    return target


__all__ = ["Cell", "CoverageMap", "Matrix", "SectionCells", "cell_label", "section_cells", "coverage_map", "to_html", "to_png", "to_text",
           "write_coverage"]
