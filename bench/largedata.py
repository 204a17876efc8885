"""A project for the large-data scenario: one module with a repeating table row and a native chart,
and prospects whose values fill them with thousands of rows or categories."""
from __future__ import annotations

import datetime
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches, Pt

# Bump when the generated files change shape, so a stale project is not reused.
GENERATOR_VERSION = 1
MODULE = "large-data"
TABLE_KEY, CHART_KEY = "site-table", "weekly-chart"
TABLE_RECIPE, CHART_RECIPE = "bench-table", "bench-chart"
_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


@dataclass(frozen=True)
class DataProject:
    """The generated project: ``root`` holds deckgen.yaml, slide_library/, recipes/, prospects/."""

    root: Path

    def table_prospect(self, rows: int) -> Path:
        return self.root / "prospects" / f"table-{rows}.json"

    def chart_prospect(self, categories: int) -> Path:
        return self.root / "prospects" / f"chart-{categories}.json"


def ensure_project(cache_dir: Path, table_rows: list[int], chart_categories: list[int]) -> DataProject:
    """Return the project under ``cache_dir``, writing the module, recipes and any missing prospect."""
    project = DataProject(cache_dir / f"large-data-v{GENERATOR_VERSION}")
    library = project.root / "slide_library"
    if not (library / f"{MODULE}.yaml").exists():
        for folder in ("slide_library", "recipes", "prospects"):
            (project.root / folder).mkdir(parents=True, exist_ok=True)
        slide_ids = _write_module(library / f"{MODULE}.pptx")
        _write_project_files(project.root, slide_ids)
    for rows in table_rows:
        _write_if_missing(project.table_prospect(rows), _prospect(sites=[
            {"name": f"Plant {i:05d}", "lines": 1 + i % 17, "savings": 1000 * (i % 900)} for i in range(rows)]))
    for count in chart_categories:
        _write_if_missing(project.chart_prospect(count), _prospect(weekly={
            "categories": [f"Week {i:05d}" for i in range(count)],
            "series": {"Orders": [round(100 + (i * 37) % 250, 1) for i in range(count)],
                       "Returns": [(i * 11) % 40 for i in range(count)]}}))
    return project


def _prospect(**values: object) -> dict:
    return {"company": "Globex Corporation", "segment": "enterprise", "values": values}


def _write_if_missing(path: Path, data: dict) -> None:
    if not path.exists():
        partial = path.with_name(f".{path.name}.part")
        partial.write_text(json.dumps(data))
        os.replace(partial, path)


def _write_module(path: Path) -> list[int]:
    """Write the module (slide 1: a table with a `{%tr for %}` row; slide 2: a column chart named
    `chart:weekly`); return the slides' sldId values."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    layout = prs.slide_layouts[5]  # "Title Only"
    slide = prs.slides.add_slide(layout)
    slide.shapes.title.text = "Sites of {{ prospect.company }}"
    table = slide.shapes.add_table(2, 3, Inches(0.6), Inches(1.6), Inches(12), Inches(0.8)).table
    cells = [["Site", "Lines", "Savings"],
             ["{%tr for s in sites %}{{ s.name }}", "{{ s.lines }}", "{{ s.savings | money }}{%tr endfor %}"]]
    for row, texts in enumerate(cells):
        for column, text in enumerate(texts):
            table.cell(row, column).text = text
            table.cell(row, column).text_frame.paragraphs[0].runs[0].font.size = Pt(12)
    slide = prs.slides.add_slide(layout)
    slide.shapes.title.text = "Weekly orders of {{ prospect.company }}"
    data = CategoryChartData()
    data.categories = ["Week 1", "Week 2"]
    data.add_series("Orders", [1, 2])
    data.add_series("Returns", [0, 1])
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(0.6), Inches(1.6),
                                   Inches(12), Inches(5.4), data)
    frame.name = "chart:weekly"
    partial = path.with_name(f".{path.name}.part")
    prs.save(partial)
    os.replace(partial, path)
    return [slide.slide_id for slide in prs.slides]


def _write_project_files(root: Path, slide_ids: list[int]) -> None:
    sidecar = {"owner": "bench@deckgen.example", "review_by": datetime.date(2099, 12, 31), "status": "approved",
               "slides": [{"key": key, "slide_id": slide_id, "title": title, "tags": {"segment": ["enterprise"]}}
                          for key, slide_id, title in zip((TABLE_KEY, CHART_KEY), slide_ids,
                                                          ("Site table", "Weekly chart"))]}
    (root / "slide_library" / f"{MODULE}.yaml").write_text(yaml.safe_dump(sidecar, sort_keys=False))
    for name, key in ((TABLE_RECIPE, TABLE_KEY), (CHART_RECIPE, CHART_KEY)):
        recipe = {"name": name, "description": f"One slide: {key}, filled from the prospect's values",
                  "sections": [{"name": "data", "slides": [key]}]}
        (root / "recipes" / f"{name}.yaml").write_text(yaml.safe_dump(recipe, sort_keys=False))
    config = {"library": "slide_library", "recipes": "recipes", "prospects": "prospects", "output": "build"}
    (root / "deckgen.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def table_rows(path: Path) -> int:
    """The number of rows of the table in a built deck (header included)."""
    prs = Presentation(path)
    return next(len(shape.table.rows) for slide in prs.slides for shape in slide.shapes if shape.has_table)


def chart_points(path: Path) -> tuple[int, int]:
    """(categories, values of the first series) of the chart in a built deck, counted in the chart
    part's XML (python-pptx's ``series.values`` looks each point up from the start: quadratic)."""
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.startswith("ppt/charts/chart") and n.endswith(".xml"))
        chart = etree.fromstring(archive.read(name))
    series = chart.find(f".//{_C}ser")
    return (len(series.findall(f"{_C}cat/{_C}strRef/{_C}strCache/{_C}pt")),
            len(series.findall(f"{_C}val/{_C}numRef/{_C}numCache/{_C}pt")))
