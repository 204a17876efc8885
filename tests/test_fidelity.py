"""Smoke tests of the fidelity harness bench/fidelity.py (merge, validate, render, compare)."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import sys
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Inches

BENCH = Path(__file__).resolve().parents[1] / "bench"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fidelity"


@pytest.fixture(scope="module")
def fidelity():
    sys.path.insert(0, str(BENCH))  # the harness imports its neighbour baseline.py by name
    spec = importlib.util.spec_from_file_location("fidelity", BENCH / "fidelity.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["fidelity"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules["fidelity"]
    sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def render_cache(tmp_path_factory) -> Path:
    """One render cache for this module's harness runs: each fixture deck's own pages render once."""
    return tmp_path_factory.mktemp("fidelity-renders")


def _deck_bytes(titles: list[str], red_square: bool = True) -> bytes:
    """Slides of python-pptx's default template; the last one with a red square if asked."""
    prs = Presentation()
    for title in titles:
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        slide.shapes.title.text = title
    if red_square:
        square = prs.slides[-1].shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(1), Inches(3),
                                                 Inches(3), Inches(3))
        square.fill.solid()
        square.fill.fore_color.rgb = RGBColor(220, 20, 20)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def test_differing_share_counts_pixels_beyond_tolerance(fidelity):
    grey = Image.new("RGB", (10, 10), (100, 100, 100))
    assert fidelity.differing_share(grey, grey.copy(), 48)[0] == 0.0
    assert fidelity.differing_share(grey, Image.new("RGB", (10, 10), (130, 100, 80)), 48)[0] == 0
    spotted = grey.copy()
    spotted.putpixel((3, 3), (255, 0, 0))
    share, mask = fidelity.differing_share(grey, spotted, 48)
    assert share == 0.01 and mask.getpixel((3, 3)) == 255 and mask.getpixel((0, 0)) == 0
    assert fidelity.differing_share(grey, Image.new("RGB", (10, 11)), 48)[0] == 1.0


@pytest.mark.libreoffice
@pytest.mark.parametrize("square, equal", [(True, 1), (False, 0)], ids=["same-look", "lost-shape"])
def test_comparison_tells_equal_from_changed_slides(fidelity, tmp_path, monkeypatch, square,
                                                    equal):
    source = tmp_path / "decks" / "one.pptx"
    source.parent.mkdir()
    source.write_bytes(_deck_bytes(["Alpha"]))
    merged = _deck_bytes(["Base 1", "Base 2", "Alpha"], red_square=square)
    monkeypatch.setattr(fidelity, "merge_after_base", lambda base, src, engine: (merged, 1))
    settings = fidelity.Settings(out=tmp_path / "out",
                                 cache=fidelity.open_cache(tmp_path / "cache"))
    row = fidelity.check_deck(source, settings)
    assert (row.slides, row.equal, row.kind, row.error) == (1, equal, "ok", "")
    diff = tmp_path / "out" / "diffs" / "one--slide-1.png"
    assert diff.exists() == (equal == 0)
    assert (row.differing[0] > 0.01) == (equal == 0)


@pytest.mark.libreoffice
def test_harness_on_fixture_decks(fidelity, tmp_path, capsys, render_cache):
    decks = tmp_path / "decks"
    decks.mkdir()
    for fixture in sorted(FIXTURES.glob("*.pptx")):
        (decks / fixture.name).write_bytes(fixture.read_bytes())
    (decks / "zz-not-a-deck.pptx").write_text("just text")
    out = tmp_path / "out"
    assert fidelity.main([str(decks), "--out", str(out), "--cache-dir", str(render_cache),
                          "--jobs", "2"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^decks: 3 \(2 counted, 1 unreadable, 0 source not rendered, 0 crashed, "
                     r"0 merged not rendered\) \| slides: 3 \| visually equal: 3 \(100\.0%\), "
                     r"pixel-identical: \d \| structural problems: 0 in 0 decks$", printed, re.M)
    assert "unreadable: zz-not-a-deck.pptx: " in printed
    assert "is not a .pptx package (not a zip file)" in printed

    with (out / "fidelity.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["deck"], r["slides"], r["equal"], r["problems"], r["kind"]) for r in rows] == [
        ("python-pptx__sld-notes.pptx", "2", "2", "0", "ok"),
        ("shapecrawler__074-google-slides.pptx", "1", "1", "0", "ok"),
        ("zz-not-a-deck.pptx", "0", "0", "0", "unreadable"),
    ]
    report = json.loads((out / "fidelity.json").read_text(encoding="utf-8"))
    assert report["summary"].startswith("decks: 3 (2 counted")
    merged = Presentation(out / "merged" / "python-pptx__sld-notes.pptx")
    assert len(merged.slides) == 2 + 2
    assert not (out / "diffs").exists()


@pytest.mark.libreoffice
def test_template_run_keeps_slides_already_on_the_template(fidelity, tmp_path, capsys, render_cache):
    decks = tmp_path / "decks"
    decks.mkdir()
    for fixture in sorted(FIXTURES.glob("*.pptx")):
        (decks / fixture.name).write_bytes(fixture.read_bytes())
    out = tmp_path / "out"
    assert fidelity.main([str(decks), "--out", str(out), "--cache-dir", str(render_cache),
                          "--look", "template"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"\| slides: 3 \| visually equal: 3 \(100\.0%\), pixel-identical: \d \| "
                     r"structural problems: 0 in 0 decks$", printed, re.M)
    for name in ("python-pptx__sld-notes.pptx", "shapecrawler__074-google-slides.pptx"):
        merged = Presentation(out / "merged" / name)
        assert len(merged.slide_masters) == len(Presentation(decks / name).slide_masters)
