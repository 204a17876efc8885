"""`deckgen coverage`: the message map as matrices of approved slides, with the gaps marked.

The map crosses segments, competitors, objections and slide kinds:

- kinds x segments: which kinds of slide (value-prop, case-study, pricing...) each segment has
- competitors x segments: battle cards
- per segment, objections x competitors: the answers a salesperson has for each objection when
  facing each competitor

A slide covers a cell when it is approved, not expired, of the cell's kind, and applies to each of
the cell's values: it lists the value, lists ``*``, or does not carry that tag at all (a general
slide applies to every value). Axis values come from the library's tags and from the prospects in
the prospects folder (CRM exports included), so a competitor or objection a prospect raises but no slide tags shows up
as a gap row. Drafts that would fill a gap are shown apart ("draft only").
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
from deckgen.library import ANY_VALUE, Library, LibrarySlide, load_library
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

    def totals(self) -> tuple[int, int]:
        """(covered cells, all cells)."""
        cells = [cell for matrix in self.matrices for cell in matrix.cells.values()]
        return sum(cell.state == "covered" for cell in cells), len(cells)

    def to_dict(self) -> dict:
        return {
            "library": self.library, "generated": self.generated,
            "covered": self.totals()[0], "cells": self.totals()[1],
            "matrices": [{
                "title": m.title, "row_tag": m.row_tag, "rows": list(m.rows), "column_tag": m.column_tag,
                "columns": list(m.columns), "fixed": dict(m.fixed),
                "cells": [{"row": r, "column": c, "state": m.cell(r, c).state,
                           "approved": list(m.cell(r, c).approved), "drafts": list(m.cell(r, c).drafts)}
                          for r in m.rows for c in m.columns]}
                for m in self.matrices],
        }


def applies(slide: LibrarySlide, tag: str, value: str) -> bool:
    """True when ``slide`` speaks to ``value`` of ``tag``: it lists it, lists ``*``, or lacks the tag."""
    values = slide.tags.get(tag)
    if not values:
        return True
    return ANY_VALUE in values or value.casefold() in {v.casefold() for v in values}


def _cell(slides: Iterable[LibrarySlide], wanted: Mapping[str, str], today: datetime.date) -> Cell:
    approved, drafts = [], []
    for slide in slides:
        if slide.is_expired(today) or not all(applies(slide, tag, value) for tag, value in wanted.items()
                                              if tag != "kind"):
            continue
        if "kind" in wanted and wanted["kind"].casefold() not in {v.casefold() for v in slide.tags.get("kind", ())}:
            continue
        (approved if slide.status == "approved" else drafts).append(slide.key)
    return Cell(tuple(approved), tuple(drafts))


def _matrix(title: str, library: Library, row_tag: str, rows: Iterable[str], column_tag: str,
            columns: Iterable[str], fixed: Mapping[str, str], today: datetime.date) -> Matrix:
    rows, columns = tuple(rows), tuple(columns)
    cells = {(row, column): _cell(library, {**fixed, row_tag: row, column_tag: column}, today)
             for row in rows for column in columns}
    return Matrix(title, row_tag, rows, column_tag, columns, dict(fixed), cells)


def _sorted(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values), key=str.casefold))


def coverage_map(config: ProjectConfig, *, today: datetime.date | None = None) -> CoverageMap:
    """Return the message map of the project's library (see the module docstring for the rules)."""
    today = today or datetime.date.today()
    library = load_library(config.library, today=today)
    # prospects that cannot be used are `deckgen check`'s to report
    prospects = [item for item in folder_prospects(config.prospects, config.batch.columns)
                 if isinstance(item, Prospect)]
    from_prospects = {
        "segment": [p.segment for p in prospects],
        "competitor": [c for p in prospects for c in p.competitors],
        "objection": [o for p in prospects for o in p.objections],
    }
    axis: dict[str, tuple[str, ...]] = {}
    only_prospects: dict[str, tuple[str, ...]] = {}
    for tag, extra in from_prospects.items():
        known = {value.casefold() for value in library.tag_values(tag)}
        axis[tag] = _sorted(list(library.tag_values(tag)) + extra)
        only_prospects[tag] = _sorted(value for value in extra if value.casefold() not in known)
    kinds = _sorted(library.tag_values("kind"))
    segments = axis["segment"]
    matrices = [
        _matrix("Slide kinds by segment", library, "kind", kinds, "segment", segments, {}, today),
        _matrix("Battle cards: competitors by segment", library, "competitor", axis["competitor"], "segment",
                segments, {"kind": "battle-card"}, today),
    ]
    for segment in segments:
        matrices.append(_matrix(f"Objection answers in {segment}: objections by competitor", library, "objection",
                                axis["objection"], "competitor", axis["competitor"],
                                {"segment": segment, "kind": "objection"}, today))
    return CoverageMap(library=display_path(library.folder), generated=today.isoformat(),
                       matrices=tuple(matrices), prospect_values=only_prospects)


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
        raise OutputError(f"--format {output_format} writes a {' or '.join(suffixes)} file",
                          where=str(target), hint=f"name it {target.with_suffix(suffixes[0]).name}")
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


__all__ = ["Cell", "CoverageMap", "Matrix", "applies", "cell_label", "coverage_map", "to_html", "to_png", "to_text",
           "write_coverage"]
