"""`deckgen report`: the scoreboard's figures as a static HTML page with plotly charts (works offline) or as JSON."""
from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from deckgen.config import ProjectConfig
from deckgen.errors import InputFileError
from deckgen.fsutil import write_bytes_atomic
from deckgen.library import load_library
from deckgen.library.cache import IndexCache
from deckgen.scoreboard.figures import compute_figures, slide_scores
from deckgen.scoreboard.options import ReportOptions
from deckgen.scoreboard.database import setting_name
from deckgen.scoreboard.store import connect, require_url
from deckgen.fsutil import display_path

INDEX_NAME = "index.html"
_TEMPLATES = jinja2.Environment(loader=jinja2.PackageLoader("deckgen", "templates"),
                                autoescape=jinja2.select_autoescape(["html"]),
                                undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
_NAVY, _ACCENT, _TEAL, _MUTED, _LINE = "#1F3A5F", "#F26B3A", "#2A9D8F", "#8FA3BA", "#C9D3DF"


@dataclass(frozen=True)
class ReportResult:
    """What `deckgen report` wrote (or computed)."""

    data: dict[str, Any]
    index: Path | None = None


def report_data(config: ProjectConfig, options: ReportOptions) -> dict[str, Any]:
    """Return every figure of the project's scoreboard (the JSON report)."""
    library = load_library(config.library, today=options.today, cache=IndexCache.for_library(config.library))
    engine = connect(require_url(config), setting_name(config))
    try:
        with engine.connect() as connection:
            data = compute_figures(connection, library, options)
    finally:
        engine.dispose()
    data["library"] = display_path(config.library)
    return data


def write_report(config: ProjectConfig, out_dir: str | os.PathLike, options: ReportOptions) -> ReportResult:
    """Write ``out_dir``/index.html: every figure as a chart with its meaning, plotly.js inlined."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputFileError("is a file; the report needs a folder", where=display_path(out),
                             hint="pass -o with a folder name")
    data = report_data(config, options)
    write_bytes_atomic(out / INDEX_NAME, render_html(data).encode("utf-8"))
    return ReportResult(data=data, index=out / INDEX_NAME)


def render_html(data: dict[str, Any]) -> str:
    """Return the report page of ``data`` (one self-contained file)."""
    import plotly.io
    import plotly.offline

    sections = []
    for figure_id, figure in data["figures"].items():
        chart = _chart(figure_id, figure)
        html = None
        if chart is not None:
            html = plotly.io.to_html(chart, full_html=False, include_plotlyjs=False, div_id=f"chart-{figure_id}",
                                     config={"displaylogo": False, "responsive": True})
        sections.append({"id": figure_id, "title": figure["title"], "meaning": figure["meaning"],
                         "chart": html, "table": _table(figure_id, figure)})
    return _TEMPLATES.get_template("report.html").render(
        data=data, sections=sections, plotly_js=plotly.offline.get_plotlyjs(),
        generated=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))


def _chart(figure_id: str, figure: dict[str, Any]):
    import plotly.graph_objects as go

    layout = dict(template="plotly_white", margin=dict(l=10, r=10, t=10, b=10), height=360,
                  font=dict(family="Liberation Sans, Arial, sans-serif", size=12))
    if figure_id == "usage_over_time":
        slides = figure["slides"]
        if not slides:
            return _empty("no decks logged yet")
        return go.Figure(go.Heatmap(x=figure["months"], y=[s["key"] for s in slides],
                                    z=[s["decks"] for s in slides], colorscale="Blues",
                                    colorbar=dict(title="decks"), hovertemplate="%{y}<br>%{x}: %{z} decks<extra></extra>"),
                         layout={**layout, "height": max(320, 22 * len(slides) + 80),
                                 "yaxis": {"autorange": "reversed", "type": "category"}, "xaxis": {"type": "category"}})
    if figure_id == "unused_collateral":
        slides = figure["slides"]
        if not slides:
            return _empty("no approved slides")
        colors = [_ACCENT if s["decks"] == 0 else (_MUTED if s["decks"] < figure["rare_below"] else _NAVY)
                  for s in slides]
        return go.Figure(go.Bar(x=[s["decks"] for s in slides], y=[s["key"] for s in slides], orientation="h",
                                marker_color=colors, customdata=[s["owner"] or "-" for s in slides],
                                hovertemplate="%{y}: %{x} decks<br>owner %{customdata}<extra></extra>"),
                         layout={**layout, "height": max(320, 20 * len(slides) + 80),
                                 "yaxis": {"autorange": "reversed", "type": "category"},
                                 "xaxis": {"title": "decks in the window"}})
    if figure_id.startswith("usage_by_"):
        values = figure["values"]
        if not values:
            return _empty("nothing logged in the window")
        return go.Figure(go.Bar(x=[v["value"] for v in values], y=[v["decks"] for v in values],
                                marker_color=[_NAVY if v["decks"] else _ACCENT for v in values],
                                hovertemplate="%{x}: %{y} decks<extra></extra>"),
                         layout={**layout, "xaxis": {"type": "category"}, "yaxis": {"title": "decks"}})
    if figure_id.startswith("outcomes_by_"):
        rows = figure["rows"]
        if not rows:
            return _empty(f"no {figure_id[12:]} has {figure['min_sample']} decided opportunities yet")
        return go.Figure(go.Bar(
            x=[r["name"] for r in rows], y=[100 * r["win_rate"] for r in rows], marker_color=_TEAL,
            error_y=dict(type="data", symmetric=False, array=[100 * (r["ci_high"] - r["win_rate"]) for r in rows],
                         arrayminus=[100 * (r["win_rate"] - r["ci_low"]) for r in rows], color=_NAVY),
            text=[f"n={r['decided']}" for r in rows], textposition="inside",
            customdata=[[r["won"], r["decided"], r["won_amount"], 100 * r["ci_low"], 100 * r["ci_high"]] for r in rows],
            hovertemplate="%{x}: %{customdata[0]} of %{customdata[1]} won (%{y:.0f}%, 95% CI "
                          "%{customdata[3]:.0f}-%{customdata[4]:.0f}%)<br>won amount %{customdata[2]:,.0f}"
                          "<extra></extra>"),
            layout={**layout, "xaxis": {"type": "category"}, "yaxis": {"title": "win rate %", "range": [0, 100]}})
    if figure_id == "content_health":
        rows = figure["slides"]
        if not rows:
            return _empty("no slide expires soon")
        return go.Figure(go.Bar(x=[r["key"] for r in rows], y=[r["decks"] for r in rows],
                                marker_color=[_ACCENT if r["days_left"] < 0 else _NAVY for r in rows],
                                text=[f"{r['days_left']} d" for r in rows], textposition="outside",
                                hovertemplate="%{x}: %{y} decks, expires in %{text}<extra></extra>"),
                         layout={**layout, "xaxis": {"type": "category"}, "yaxis": {"title": "decks in the window"}})
    if figure_id == "owners":
        rows = figure["owners"]
        if not rows:
            return _empty("the library has no slides")
        owners = [r["owner"] for r in rows]
        return go.Figure([go.Bar(name="slide uses", x=owners, y=[r["slide_uses"] for r in rows], marker_color=_NAVY),
                          go.Bar(name="slides", x=owners, y=[r["slides"] for r in rows], marker_color=_MUTED),
                          go.Bar(name="unused slides", x=owners, y=[r["unused"] for r in rows], marker_color=_ACCENT)],
                         layout={**layout, "barmode": "group", "xaxis": {"type": "category"}})
    if figure_id == "decks_per_salesperson":
        rows = figure["rows"]
        if not rows:
            return _empty("no decks logged yet")
        people = sorted({r["who"] for r in rows})
        months = sorted({r["month"] for r in rows})
        counts = {(r["who"], r["month"]): r["decks"] for r in rows}
        return go.Figure([go.Bar(name=who, x=months, y=[counts.get((who, m), 0) for m in months]) for who in people],
                         layout={**layout, "barmode": "group", "xaxis": {"type": "category"},
                                 "yaxis": {"title": "decks"}})
    return None


def _empty(message: str):
    """A chart that says why it has no bars (a blank canvas would look broken)."""
    import plotly.graph_objects as go

    figure = go.Figure(layout=dict(template="plotly_white", height=160, margin=dict(l=10, r=10, t=10, b=10),
                                   xaxis={"visible": False}, yaxis={"visible": False}))
    figure.add_annotation(text=message, showarrow=False, font=dict(size=14, color=_MUTED))
    return figure


def _table(figure_id: str, figure: dict[str, Any]) -> dict[str, Any] | None:
    """The rows shown under a chart (lists a reader acts on: who owns the unused slides, what is hidden)."""
    if figure_id == "unused_collateral":
        rows = [[s["key"], s["title"], s["owner"] or "-", s["decks"], s["last_used"] or "never"]
                for s in figure["slides"] if s["decks"] < figure["rare_below"]]
        return {"head": ["slide", "title", "owner", "decks", "last used"], "rows": rows}
    if figure_id.startswith("outcomes_by_"):
        rows = [[r["name"], r["decided"], r["won"], f"{100 * r['win_rate']:.0f}%",
                 f"{100 * r['ci_low']:.0f}-{100 * r['ci_high']:.0f}%", f"{r['won_amount']:,.0f}"] for r in figure["rows"]]
        rows += [[r["name"], r["decided"], "", "too few to say", "", ""] for r in figure["too_few"]]
        return {"head": ["name", "decided", "won", "win rate", "95% CI", "won amount"], "rows": rows}
    if figure_id == "content_health":
        return {"head": ["slide", "owner", "expires", "days left", "decks"],
                "rows": [[r["key"], r["owner"] or "-", r["expires"], r["days_left"], r["decks"]] for r in figure["slides"]]}
    return None


def json_report(data: dict[str, Any]) -> str:
    """Return the JSON form of the report."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def slide_summary(config: ProjectConfig, key: str, options: ReportOptions) -> dict[str, Any] | None:
    """Return one slide's usage and outcome figures, or None when the deck log is off."""
    from deckgen.scoreboard.database import configured_url

    url = configured_url(config)
    if url is None:
        return None
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        # nothing logged yet: say so without creating a database from a read-only command
        return {"decks_window": 0, "decks_ever": 0, "last_used": None, "decided": 0, "won": 0, "win_rate": None,
                "ci_low": 0.0, "ci_high": 1.0, "won_amount": 0.0, "enough": False,
                "min_sample": options.min_sample, "days": options.days}
    engine = connect(url, setting_name(config))
    try:
        with engine.connect() as connection:
            return slide_scores(connection, key, options)
    finally:
        engine.dispose()
