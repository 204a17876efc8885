"""Real-world deck traits the slide-copy engine must survive (issue 11).

The decks come from scripts/make_trait_decks.py (committed in tests/fixtures/traits): each is
merged behind slides of another template, as the fidelity harness does, and checked as a
package; the LibreOffice tests compare renders of the source and the merged slides.
"""
from __future__ import annotations

import importlib.util
import io
import re
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from pptx import Presentation

from deckgen.cli import main
from deckgen.errors import PackageError
from deckgen.ooxml import SlidePick, SourceDeck, assemble
from deckgen.ooxml.validate import validate_package

ROOT = Path(__file__).resolve().parents[1]
TRAITS = ROOT / "tests" / "fixtures" / "traits"
NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
      "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
      "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"}


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def makers():
    return _module("make_trait_decks", ROOT / "scripts" / "make_trait_decks.py")


@pytest.fixture(scope="module")
def render_cache(tmp_path_factory) -> Path:
    """One render cache for this module's renders: a trait deck's own pages render once."""
    return tmp_path_factory.mktemp("trait-renders")


@pytest.fixture(scope="module")
def filler(tmp_path_factory) -> Path:
    """Two slides of python-pptx's default template: the deck merged first."""
    prs = Presentation()
    for title in ("Filler one", "Filler two"):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        slide.shapes.title.text = title
        slide.shapes.add_textbox(914400, 2743200, 4572000, 914400).text_frame.text = title
    path = tmp_path_factory.mktemp("filler") / "filler.pptx"
    prs.save(path)
    return path


def _merged(filler: Path, *sources: Path, strict: bool = False):
    picks = []
    for path in (filler,) + sources:
        with SourceDeck.open(path) as deck:
            picks += [SlidePick(path, slide_id) for slide_id in deck.slide_ids]
    deck = assemble(picks, strict=strict)
    data = deck.to_bytes()
    assert validate_package(data) == []
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == len(picks)
    return deck, zipfile.ZipFile(io.BytesIO(data))


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(archive.read(name))


def _rels(archive: zipfile.ZipFile, part: str) -> list[etree._Element]:
    folder, base = part.rsplit("/", 1)
    return _xml(archive, f"{folder}/_rels/{base}.rels").findall("pr:Relationship", NS)


def test_committed_trait_decks_are_the_scripts_output(makers, tmp_path):
    assert makers.main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(makers.TRAITS)
    assert sorted(p.name for p in TRAITS.glob("*.pptx")) == sorted(makers.TRAITS)
    for path in tmp_path.iterdir():  # zips are dated, so compare what is inside
        with zipfile.ZipFile(path) as made, zipfile.ZipFile(TRAITS / path.name) as kept:
            assert made.namelist() == kept.namelist(), path.name
            for name in made.namelist():
                if not name.startswith("docProps/") and not name.endswith(".xlsx"):  # dated
                    assert made.read(name) == kept.read(name), (path.name, name)


# -- 1. relationships PowerPoint tolerates ---------------------------------------------------

def test_unused_relationship_to_null_is_left_out_with_a_warning(filler):
    deck, archive = _merged(filler, TRAITS / "trait-unused-null-rel.pptx")
    assert deck.slide_count == 2 + 3
    targets = [rel.get("Target") for rel in _rels(archive, "ppt/slides/slide4.xml")]
    assert "NULL" not in targets and len(targets) == 1  # the layout only
    assert any("slide 2 has an unused relationship to 'NULL'" in warning
               and "left out" in warning for warning in deck.warnings)


def test_fragment_hyperlink_target_is_kept_as_it_is(filler):
    deck, archive = _merged(filler, TRAITS / "trait-fragment-hyperlink.pptx")
    slide = _xml(archive, "ppt/slides/slide3.xml")
    rid = slide.find(".//a:hlinkClick", NS).get(f"{{{NS['r']}}}id")
    link = next(rel for rel in _rels(archive, "ppt/slides/slide3.xml") if rel.get("Id") == rid)
    assert link.get("Target") == "#_ftn1" and link.get("TargetMode") is None
    assert deck.warnings == []


def test_hyperlink_to_a_missing_part_stays_as_an_external_address(filler, tmp_path):
    source = tmp_path / "odd-link.pptx"
    with zipfile.ZipFile(TRAITS / "trait-fragment-hyperlink.pptx") as old, \
            zipfile.ZipFile(source, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "ppt/slides/_rels/slide1.xml.rels":
                data = data.replace(b'Target="#_ftn1"', b'Target="notes/footnotes.xml#_ftn1"')
            new.writestr(info, data)
    deck, archive = _merged(filler, source)
    link = next(rel for rel in _rels(archive, "ppt/slides/slide3.xml")
                if rel.get("Type").endswith("/hyperlink"))
    assert (link.get("Target"), link.get("TargetMode")) == ("notes/footnotes.xml#_ftn1",
                                                            "External")
    assert any("links to 'notes/footnotes.xml#_ftn1', which is not in the package" in warning
               for warning in deck.warnings)
    with pytest.raises(PackageError, match="refers to /ppt/slides/notes/footnotes.xml"):
        _merged(filler, source, strict=True)


def test_missing_picture_becomes_an_empty_picture_with_a_warning(filler):
    deck, archive = _merged(filler, TRAITS / "trait-missing-picture.pptx")
    slide = _xml(archive, "ppt/slides/slide3.xml")
    rid = slide.find(".//a:blip", NS).get(f"{{{NS['r']}}}embed")
    target = next(rel.get("Target") for rel in _rels(archive, "ppt/slides/slide3.xml")
                  if rel.get("Id") == rid)
    from PIL import Image
    with Image.open(io.BytesIO(archive.read("ppt/" + target.lstrip("./")))) as picture:
        assert picture.size == (1, 1) and picture.getpixel((0, 0))[3] == 0
    assert any("slide 1 shows the picture '../media/image1.png', which is missing" in warning
               and "an empty picture stands in for it" in warning for warning in deck.warnings)


@pytest.mark.parametrize("name, message", [
    ("trait-unused-null-rel.pptx", r"/ppt/slides/slide2.xml refers to /ppt/slides/NULL, which is "
                                   r"missing from the package"),
    ("trait-missing-picture.pptx", r"/ppt/slides/slide1.xml refers to /ppt/media/image1.png"),
])
def test_strict_keeps_refusing_relationships_to_missing_parts(filler, name, message):
    with pytest.raises(PackageError, match=message):
        _merged(filler, TRAITS / name, strict=True)


def test_merge_cli_strict_refuses_and_default_repairs(filler, tmp_path):
    source = TRAITS / "trait-unused-null-rel.pptx"
    out = tmp_path / "out.pptx"
    result = CliRunner().invoke(main, ["merge", "-o", str(out), "--strict", str(filler),
                                       str(source)])
    assert result.exit_code != 0 and not out.exists()
    assert "refers to /ppt/slides/NULL, which is missing" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["merge", "-o", str(out), str(filler), str(source)])
    assert result.exit_code == 0, result.output
    assert "warning: " in result.output and "unused relationship to 'NULL'" in result.output
    assert len(Presentation(out).slides) == 5


# -- 2. charts and who wrote the package -----------------------------------------------------

def _app(archive: zipfile.ZipFile) -> tuple[str | None, str | None]:
    root = _xml(archive, "docProps/app.xml")
    return (root.findtext("ep:Application", namespaces=NS),
            root.findtext("ep:AppVersion", namespaces=NS))


def test_output_names_the_application_its_charts_come_from(filler):
    _, archive = _merged(filler, TRAITS / "trait-chart-implicit-labels.pptx")
    assert _app(archive) == ("Microsoft Office PowerPoint", "12.0000")
    chart = archive.read("ppt/charts/chart1.xml")
    with zipfile.ZipFile(TRAITS / "trait-chart-implicit-labels.pptx") as source:
        assert chart == source.read("ppt/charts/chart1.xml")  # copied as it was
    _, archive = _merged(filler, TRAITS / "trait-no-app-xml.pptx")
    assert _app(archive) == ("deckgen", None)


def _newer_office(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "docProps/app.xml":
                data = data.replace(b"12.0000", b"16.0000")
            new.writestr(info, data)
    return target


def test_charts_of_2007_decks_mixed_with_others_get_their_defaults_written_out(filler,
                                                                             tmp_path):
    newer = _newer_office(TRAITS / "trait-chart-3d.pptx", tmp_path / "newer.pptx")
    _, archive = _merged(filler, TRAITS / "trait-chart-implicit-labels.pptx",
                         TRAITS / "trait-chart-3d.pptx", newer)
    assert _app(archive) == ("deckgen", None)
    labels = _xml(archive, "ppt/charts/chart1.xml").find(".//c:dLbls", NS)
    assert [(etree.QName(child).localname, child.get("val")) for child in labels] == [
        ("dLblPos", "outEnd"), ("showLegendKey", "0"), ("showVal", "0"), ("showCatName", "0"),
        ("showSerName", "0"), ("showPercent", "0"), ("showBubbleSize", "0")]
    view = _xml(archive, "ppt/charts/chart2.xml").find(".//c:view3D", NS)
    assert [etree.QName(child).localname for child in view] == ["rotX", "rotY", "rAngAx",
                                                                "perspective"]
    assert view.find("c:rAngAx", NS).get("val") == "0"
    with zipfile.ZipFile(newer) as source:  # the newer deck's chart means the same: untouched
        assert archive.read("ppt/charts/chart3.xml") == source.read("ppt/charts/chart1.xml")


# -- 3. presentation-level defaults ----------------------------------------------------------

def test_deck_without_default_text_style_leaves_the_output_without_one(filler):
    _, archive = _merged(filler, TRAITS / "trait-no-default-text-style.pptx")
    presentation = _xml(archive, "ppt/presentation.xml")
    assert presentation.find("p:defaultTextStyle", NS) is None
    # the filler's text box carries its own deck's defaults instead
    box = _text_box(_xml(archive, "ppt/slides/slide1.xml"))
    assert box.find("p:txBody/a:lstStyle/a:lvl1pPr/a:defRPr", NS).get("sz") == "1800"
    source_box = _text_box(_xml(archive, "ppt/slides/slide3.xml"))
    assert not len(source_box.find("p:txBody/a:lstStyle", NS))


def _text_box(slide: etree._Element) -> etree._Element:
    return next(sp for sp in slide.iter(f"{{{NS['p']}}}sp") if sp.find(".//p:ph", NS) is None)


def test_deck_whose_defaults_name_no_font_does_not_inherit_the_first_decks_font(filler):
    """The small text differences of issue 11 (class 5): carrying a deck's defaults writes out
    what they set, but a font they leave unset came from the first deck's defaults."""
    source = TRAITS / "trait-two-text-boxes-no-font.pptx"
    _, archive = _merged(filler, source)
    assert _xml(archive, "ppt/presentation.xml").find("p:defaultTextStyle", NS) is None
    for name in ("ppt/slides/slide3.xml",):
        latin = _xml(archive, name).findall(".//p:txBody/a:lstStyle//a:latin", NS)
        assert latin == []  # nothing names a font the source did not name
    filler_box = _text_box(_xml(archive, "ppt/slides/slide1.xml"))
    assert filler_box.find("p:txBody/a:lstStyle/a:lvl1pPr/a:defRPr/a:latin", NS).get(
        "typeface") == "+mn-lt"
    # a deck whose defaults set all the first deck's do leaves the output its defaults
    _, archive = _merged(filler, TRAITS / "trait-rtl.pptx")
    assert _xml(archive, "ppt/presentation.xml").find("p:defaultTextStyle", NS) is not None


# -- 4. Strict Open XML ----------------------------------------------------------------------

def test_strict_deck_is_read_and_written_as_transitional(filler):
    source = TRAITS / "trait-strict.pptx"
    with SourceDeck.open(source) as deck:
        assert deck.strict_ooxml and len(deck.slide_ids) == 2
        assert deck.slides[1].title == "Table, picture and shape"
        assert "r3c3" in deck.slide_text(deck.slide_ids[1])[0]
    deck, archive = _merged(filler, source)
    for name in archive.namelist():
        data = archive.read(name)
        assert b"purl.oclc.org" not in data, name
        assert b'conformance="strict"' not in data, name
    # Strict percentages ("50%") are Transitional thousandths again, in the strict deck's theme
    themes = [archive.read(name) for name in archive.namelist() if name.startswith("ppt/theme/")]
    assert len(themes) == 2 and re.search(rb'<a:satMod val="\d{6}"/>', themes[-1])
    assert not any(re.search(rb'val="[\d.]+%"', theme) for theme in themes)


@pytest.mark.libreoffice
def test_chart_with_implicit_flags_renders_the_same_beside_a_newer_chart(filler, tmp_path, render_cache):
    from PIL import Image, ImageChops

    from deckgen.preview import deck_pages, open_cache

    source = TRAITS / "trait-chart-implicit-labels.pptx"
    newer = _newer_office(TRAITS / "trait-chart-3d.pptx", tmp_path / "newer.pptx")
    deck, _ = _merged(filler, source, newer)
    merged = tmp_path / "merged.pptx"
    deck.save(merged)
    cache = open_cache(render_cache)
    before = deck_pages(source, cache, width=256)
    after = deck_pages(merged, cache, width=256)
    with Image.open(before[0]) as a, Image.open(after[2]) as b:
        difference = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")
        differing = sum(difference.point(lambda v: 255 if v > 48 else 0).histogram()[255:])
        assert differing / (a.width * a.height) < 0.002


# -- rendered: every trait deck looks the same after merging (LibreOffice) --------------------

@pytest.mark.libreoffice
def test_fidelity_harness_finds_every_trait_slide_equal(tmp_path, capsys, render_cache):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        fidelity = _module("fidelity", ROOT / "bench" / "fidelity.py")
        out = tmp_path / "out"
        assert fidelity.main([str(TRAITS), "--out", str(out), "--cache-dir",
                              str(render_cache), "--jobs", "2"]) == 0
    finally:
        sys.path.remove(str(ROOT / "bench"))
        sys.modules.pop("fidelity", None)
    printed = capsys.readouterr().out
    assert re.search(r"^decks: 10 \(10 counted, 0 unreadable, 0 source not rendered, 0 crashed, "
                     r"0 merged not rendered\) \| slides: 15 \| visually equal: 15 \(100\.0%\)"
                     r".* \| structural problems: 0 in 0 decks$", printed, re.M), printed
