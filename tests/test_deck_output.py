"""What a built deck carries besides its slides: notes and hidden-slide policies, its own
document properties, reproducible bytes, and text fitted to its boxes after templating."""
from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from pptx import Presentation
from pptx.util import Inches, Pt

from deckgen.cli import main
from deckgen.errors import ConfigError, RenderError
from deckgen.marketing.textfit import FontBook, fit_text
from deckgen.ooxml import SourceDeck
from deckgen.ooxml.inspect import inspect_slide
from deckgen.ooxml.validate import validate_package
from deckgen.pipeline.deck import build
from tests.conftest import write_text

LONG_NAME = "Initrode Manufacturing GmbH & Co. KG Industrieanlagen und Automatisierungstechnik"
CORE = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"


@pytest.fixture
def project(example_project: Path) -> Path:
    return example_project


def _names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def _core(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("docProps/core.xml"))


def _set_output(project: Path, lines: str) -> None:
    config = project / "deckgen.yaml"
    text = config.read_text(encoding="utf-8")
    start = text.index("output:\n")
    end = text.index("brand:\n")
    config.write_text(text[:start] + "output:\n" + lines + text[end:], encoding="utf-8")


# --- notes ------------------------------------------------------------------------------------


def test_notes_are_stripped_by_default_leaving_no_notes_part(project):
    _set_output(project, "  folder: build\n")          # no notes key: the built-in default
    out = project / "deck.pptx"
    build("first-call", out, prospect="prospects/globex.yaml")
    names = _names(out)
    assert not [name for name in names if "notesSlide" in name or "notesMaster" in name]
    assert validate_package(out) == []
    assert not any(slide.has_notes_slide for slide in Presentation(out).slides)


def test_notes_keep_from_the_command_line_keeps_personalised_notes(project):
    result = CliRunner().invoke(main, ["build", "first-call", "-p", "prospects/globex.yaml", "-o", "deck.pptx",
                                       "--notes", "keep"])
    assert result.exit_code == 0, result.output
    notes = [slide.notes_slide.notes_text_frame.text for slide in Presentation(project / "deck.pptx").slides
             if slide.has_notes_slide]
    assert notes and any("Globex Corporation" in text for text in notes)
    assert not any("{{" in text for text in notes)


def test_notes_keep_in_the_config_and_strip_on_the_command_line_wins(project):
    _set_output(project, "  folder: build\n  notes: keep\n")
    build("first-call", project / "kept.pptx", prospect="prospects/globex.yaml")
    assert any("notesSlide" in name for name in _names(project / "kept.pptx"))
    build("first-call", project / "stripped.pptx", prospect="prospects/globex.yaml", notes="strip")
    assert not any("notesSlide" in name for name in _names(project / "stripped.pptx"))


@pytest.mark.parametrize("lines, message", [
    ("  notes: stirp\n", "deckgen.yaml:6: 'output.notes' must be one of keep, strip, found text 'stirp' "
                         "(did you mean 'strip'?)"),
    ("  hidden: yes\n", "deckgen.yaml:6: 'output.hidden' must be one of keep, drop, found true"),
    ("  fodler: out\n", "deckgen.yaml:6: unknown key 'fodler' in 'output' (did you mean 'folder'?)"),
    ("  title: '{{ prospect.company'\n", "deckgen.yaml:6: 'output.title' is not a valid template"),
], ids=["notes-typo", "hidden-not-a-policy", "unknown-key", "title-syntax"])
def test_bad_output_settings_are_one_line_errors_and_nothing_is_written(project, lines, message):
    _set_output(project, lines)
    result = CliRunner().invoke(main, ["build", "first-call", "-p", "prospects/globex.yaml", "-o", "deck.pptx"])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (project / "deck.pptx").exists()


def test_a_notes_policy_typo_on_the_command_line_is_refused(project):
    result = CliRunner().invoke(main, ["build", "first-call", "-p", "prospects/globex.yaml", "-o", "deck.pptx",
                                       "--notes", "strp"])
    assert result.exit_code == 2
    assert "'strp' is not one of 'keep', 'strip'" in result.output
    with pytest.raises(ConfigError, match="unknown notes policy 'strp' .did you mean 'strip'"):
        build("first-call", project / "deck.pptx", prospect="prospects/globex.yaml", notes="strp")


# --- hidden slides ----------------------------------------------------------------------------


def _hide_slide(project: Path, module: str, title_start: str) -> None:
    path = project / "slide_library" / f"{module}.pptx"
    prs = Presentation(path)
    for slide in prs.slides:
        if slide.shapes.title is not None and slide.shapes.title.text.startswith(title_start):
            slide._element.set("show", "0")
    prs.save(path)


def test_hidden_slides_are_dropped_by_default_and_kept_on_request(project):
    _hide_slide(project, "corporate", "Agenda")
    dropped = build("first-call", project / "dropped.pptx", prospect="prospects/globex.yaml")
    assert "agenda" in dropped.plan.keys() and dropped.dropped == ["agenda"]
    titles = [slide.shapes.title.text for slide in Presentation(project / "dropped.pptx").slides
              if slide.shapes.title is not None]
    assert "Agenda" not in titles
    kept = build("first-call", project / "kept.pptx", prospect="prospects/globex.yaml", hidden="keep")
    assert kept.dropped == []
    assert len(Presentation(project / "kept.pptx").slides) == len(Presentation(project / "dropped.pptx").slides) + 1


# --- document properties and reproducible bytes -----------------------------------------------


def test_the_deck_carries_its_own_properties_not_the_library_s(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")        # 2026-01-01T00:00:00Z
    out = project / "deck.pptx"
    build("first-call", out, prospect="prospects/globex.yaml")
    core = _core(out)
    assert core.findtext(f"{DC}title") == "First call \u2013 Globex Corporation"
    assert core.findtext(f"{DC}creator") == "Northwind Ops Sales"
    assert core.findtext(f"{CORE}lastModifiedBy") == "Northwind Ops Sales"
    assert core.findtext(f"{DC}subject") == "Prepared for Globex Corporation"
    assert core.findtext(f"{DCTERMS}created") == core.findtext(f"{DCTERMS}modified") == "2026-01-01T00:00:00Z"
    with zipfile.ZipFile(out) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist() if name.startswith("docProps/"))
    for foreign in (b"python-pptx", b"Northwind Corporate", b"Northwind Ops Marketing", b"2025-01-06"):
        assert foreign not in everything
    assert b"<Company>Northwind Ops</Company>" in everything
    assert Presentation(out).core_properties.title == "First call \u2013 Globex Corporation"


def test_a_title_template_in_the_config_names_the_deck(project):
    _set_output(project, "  folder: build\n  author: Ana Sales\n"
                         "  title: \"{{ prospect.company }} | {{ recipe_title }}\"\n")
    out = project / "deck.pptx"
    build("first-call", out, prospect="prospects/globex.yaml")
    assert _core(out).findtext(f"{DC}title") == "Globex Corporation | First call"
    assert _core(out).findtext(f"{DC}creator") == "Ana Sales"


def test_without_source_date_epoch_the_deck_is_stamped_with_the_build_time(project, monkeypatch):
    import datetime
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    build("first-call", project / "deck.pptx", prospect="prospects/globex.yaml")
    stamped = datetime.datetime.strptime(_core(project / "deck.pptx").findtext(f"{DCTERMS}modified"),
                                         "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert before <= stamped <= datetime.datetime.now(datetime.timezone.utc)


def test_two_builds_with_source_date_epoch_are_byte_identical(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    build("executive-briefing", project / "a.pptx", prospect="prospects/globex.yaml", notes="keep")
    build("executive-briefing", project / "b.pptx", prospect="prospects/globex.yaml", notes="keep")
    assert (project / "a.pptx").read_bytes() == (project / "b.pptx").read_bytes()


def test_a_bad_source_date_epoch_is_one_line(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = CliRunner().invoke(main, ["build", "first-call", "-p", "prospects/globex.yaml", "-o", "deck.pptx"])
    assert result.exit_code == 1
    assert "SOURCE_DATE_EPOCH='yesterday' is not a number of seconds since 1970" in result.output
    assert not (project / "deck.pptx").exists()


@pytest.mark.libreoffice
def test_the_pdf_gets_the_deck_s_title_and_author(project):
    import subprocess
    result = build("first-call", project / "deck.pptx", prospect="prospects/globex.yaml", pdf=True)
    info = subprocess.run(["pdfinfo", str(result.pdf)], capture_output=True, text=True, check=True).stdout
    assert "Title:           First call \u2013 Globex Corporation" in info
    assert "Author:          Northwind Ops Sales" in info
    assert "Creator:         deckgen\n" in info and "Producer:        deckgen " in info   # nothing names LibreOffice
    assert "LibreOffice" not in info and "Impress" not in info


# --- text fit after templating ----------------------------------------------------------------


def _box(deck: Path, slide_number: int, shape_name: str):
    with SourceDeck.open(deck) as source:
        inspection = inspect_slide(source, source.slide_id_at(slide_number))
    return next(box for box in inspection.text_boxes if box.shape_name == shape_name)


def test_a_shrink_box_gets_the_font_scale_the_metrics_give(project):
    out = project / "deck.pptx"
    result = build("first-call", out, prospect="prospects/globex.yaml", sets=[f"company={LONG_NAME}"])
    agenda = result.plan.keys().index("agenda") + 1
    shrunk = [entry for entry in result.fit.shrunk if entry[0].startswith(f"slide {agenda} 'agenda'")]
    assert shrunk, result.fit.shrunk
    box = _box(out, agenda, shrunk[0][1])
    assert box.autofit == "shrink" and LONG_NAME in box.text
    assert box.font_scale < 1.0
    book = FontBook()
    fit = fit_text(box, book)                       # as stored: fits, as check measures it
    assert fit.overflow_height_pt <= 0.5
    larger = fit_text(dataclasses.replace(box, font_scale=min(1.0, box.font_scale + 0.03)), book)
    assert larger.overflow_height_pt > 0.5           # and no more than a few percent too small
    build("first-call", project / "short.pptx", prospect="prospects/globex.yaml")
    assert _box(project / "short.pptx", agenda, shrunk[0][1]).font_scale == 1.0   # a short name is not shrunk


def _fixed_box_project(tmp_path: Path, monkeypatch) -> Path:
    """A one-module project whose slide has a fixed-size box and a shrink box, both templated."""
    root = tmp_path / "fit"
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    for name, top, shrink in (("Company line", 1, False), ("Company shrink", 3, True)):
        box = slide.shapes.add_textbox(Inches(1), Inches(top), Inches(3), Inches(0.5))
        box.name = name
        frame = box.text_frame
        frame.word_wrap = True
        frame.text = "Prepared for {{ prospect.company }}"
        frame.paragraphs[0].runs[0].font.size = Pt(20)
        frame.paragraphs[0].runs[0].font.name = "Liberation Sans"
        body_pr = frame._txBody.bodyPr
        for child in list(body_pr):
            body_pr.remove(child)
        etree.SubElement(body_pr, "{http://schemas.openxmlformats.org/drawingml/2006/main}"
                         + ("normAutofit" if shrink else "noAutofit"))
    (root / "slide_library").mkdir(parents=True)
    prs.save(root / "slide_library" / "cover.pptx")
    slide_id = Presentation(root / "slide_library" / "cover.pptx").slides[0].slide_id
    write_text(root / "slide_library" / "cover.yaml", f"""
        status: approved
        slides:
          - key: cover
            slide_id: {slide_id}
        """)
    write_text(root / "recipes" / "fit.yaml", """
        name: Fit
        sections:
          - name: cover
            slides: [cover]
        """)
    write_text(root / "deckgen.yaml", "library: slide_library\nrecipes: recipes\n")
    monkeypatch.chdir(root)
    return root


def test_a_fixed_box_that_overflows_is_one_warning_naming_slide_key_shape_and_amount(tmp_path, monkeypatch):
    root = _fixed_box_project(tmp_path, monkeypatch)
    result = CliRunner().invoke(main, ["build", "fit", "--set", "segment=smb", "--set", f"company={LONG_NAME}",
                                                       "-o", "deck.pptx"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "overflows" in line]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith("warning: deck.pptx: slide 1 'cover' (cover.pptx #1): text overflows shape "
                                  "'Company line' by ")
    assert " pt (needs " in warnings[0]
    assert (root / "deck.pptx").is_file()
    data = json.loads(CliRunner().invoke(main, ["build", "fit", "--set", "segment=smb", "--set", f"company={LONG_NAME}", "-o", "deck.pptx",
                                               "--format", "json"]).stdout)
    assert [(o["slide"], o["shape"]) for o in data["overflows"]] == [("slide 1 'cover' (cover.pptx #1)",
                                                                     "Company line")]
    assert data["overflows"][0]["overflow_pt"] > 20
    assert [s["shape"] for s in data["shrunk"]] == ["Company shrink"]


def test_strict_fails_on_an_overflowing_box_and_writes_nothing(tmp_path, monkeypatch):
    root = _fixed_box_project(tmp_path, monkeypatch)
    result = CliRunner().invoke(main, ["build", "fit", "--set", "segment=smb", "--set", f"company={LONG_NAME}", "-o", "deck.pptx",
                                       "--strict"])
    assert result.exit_code == 1
    assert "text overflows shape 'Company line'" in result.output
    assert "Traceback" not in result.output
    assert not (root / "deck.pptx").exists()
    ok = CliRunner().invoke(main, ["build", "fit", "--set", "segment=smb", "--set", "company=Acme", "-o", "deck.pptx", "--strict"])
    assert ok.exit_code == 0, ok.output
    with pytest.raises(RenderError):
        build("fit", root / "api.pptx", sets=["segment=smb", f"company={LONG_NAME}"], strict=True)


def test_a_prospect_without_a_logo_gets_no_empty_card(project):
    out = project / "deck.pptx"
    build("first-call", out, prospect="prospects/globex.yaml", sets=["logo="])
    names = [shape.name for shape in Presentation(out).slides[0].shapes]
    assert "Prepared for" not in names and "logo" not in names
    with_logo = build("first-call", project / "logo.pptx", prospect="prospects/globex.yaml")
    group = next(shape for shape in Presentation(project / "logo.pptx").slides[0].shapes
                 if shape.name == "Prepared for")
    assert sorted(member.name for member in group.shapes if member.name == "logo") == ["logo"]
    assert len(group.shapes) == 3 and with_logo.plan.keys()[0] == "title"


def test_a_chart_filled_with_one_series_keeps_the_template_s_look(project):
    out = project / "deck.pptx"
    build("executive-briefing", out, prospect="prospects/globex.yaml",
          sets=["values.roi_chart={categories: [Y1, Y2], series: {Savings: [1, 2]}}"])
    chart = next(shape.chart for slide in Presentation(out).slides for shape in slide.shapes
                 if getattr(shape, "has_chart", False) and shape.has_chart)
    assert [series.name for series in chart.plots[0].series] == ["Savings"]
    assert not chart.has_title
    assert chart._chartSpace.chart.autoTitleDeleted.val is True      # no automatic "Savings" title
    assert chart.has_legend and chart.legend.font.size == Pt(13)      # the template's legend, as it was
    assert chart.plots[0].gap_width == 70


def test_filling_a_two_series_chart_with_one_series_adds_no_automatic_title():
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE

    from deckgen.render import render_slide

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    data = CategoryChartData()
    data.categories = ["A", "B"]
    data.add_series("One", [1, 2])
    data.add_series("Two", [3, 4])
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, 0, 0, Inches(4), Inches(3), data)
    frame.name = "chart:numbers"
    assert frame.chart._chartSpace.chart.autoTitleDeleted.val is False   # python-pptx's default
    render_slide(slide, {"numbers": {"categories": ["A", "B"], "series": {"Only": [5, 6]}}})
    chart = slide.shapes[0].chart
    assert [series.name for series in chart.plots[0].series] == ["Only"]
    assert chart._chartSpace.chart.autoTitleDeleted.val is True and not chart.has_title


def test_a_chart_filled_with_thousands_of_categories_holds_every_point_in_order():
    """Each category used to be located by walking the list (python-pptx's Categories.index), so
    20,000 categories took minutes; the chart and its embedded workbook must still hold them all."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE

    from deckgen.render import render_slide

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    data = CategoryChartData()
    data.categories = ["A", "B"]
    data.add_series("One", [1, 2])
    frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE, 0, 0, Inches(4), Inches(3), data)
    frame.name = "chart:trend"
    count = 3000
    categories = [f"Week {i}" for i in range(count)]
    render_slide(slide, {"trend": {"categories": categories,
                                   "series": {"Orders": [i * 0.5 for i in range(count)],
                                              "Returns": [None if i % 7 else i for i in range(count)]}}})
    chart = slide.shapes[0].chart
    # read from the chart part's XML: python-pptx's series.values looks each point up from the start
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    orders, returns = etree.fromstring(chart.part.blob).iter(f"{c}ser")
    assert [pt.findtext(f"{c}v") for pt in orders.find(f"{c}cat").iter(f"{c}pt")] == categories
    points = {int(pt.get("idx")): float(pt.findtext(f"{c}v")) for pt in orders.find(f"{c}val").iter(f"{c}pt")}
    assert points == {i: i * 0.5 for i in range(count)}
    returned = sorted(int(pt.get("idx")) for pt in returns.find(f"{c}val").iter(f"{c}pt"))
    assert returned == list(range(0, count, 7))        # a None leaves its point out
    with zipfile.ZipFile(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    assert sheet.count(b"<row ") == count + 1          # header row, then one row per category


# --- batch and rebuild ------------------------------------------------------------------------


def test_batch_warns_per_deck_and_strict_fails_only_the_deck_that_overflows(tmp_path, monkeypatch):
    root = _fixed_box_project(tmp_path, monkeypatch)
    write_text(root / "prospects" / "accounts.yaml", f"""
        - {{company: "{LONG_NAME}", segment: smb}}
        - {{company: Acme, segment: smb}}
        """)
    result = CliRunner().invoke(main, ["batch", "fit", "-p", "prospects/accounts.yaml", "-o", "out", "-j", "1"])
    assert result.exit_code == 0, result.output
    long_deck = next(name.name for name in (root / "out").glob("initrode*.pptx"))
    assert f"warning: {long_deck}: slide 1 'cover' (cover.pptx #1): text overflows shape 'Company line' by " \
        in result.stderr
    assert "acme" not in result.stderr.lower()
    strict = CliRunner().invoke(main, ["batch", "fit", "-p", "prospects/accounts.yaml", "-o", "strict", "-j", "1",
                                       "--strict"])
    assert strict.exit_code == 1
    assert "1 deck built, 0 up to date, 1 failed" in strict.output
    assert f"failed: {long_deck} (prospects/accounts.yaml:1): " in strict.stderr
    assert [path.name for path in (root / "strict").glob("*.pptx")] == ["acme-fit.pptx"]


def test_rebuild_applies_a_new_notes_policy_and_keeps_it(project):
    runner = CliRunner()
    assert runner.invoke(main, ["batch", "first-call", "-p", "prospects/crm-export.csv", "-o", "out", "-j", "1"]
                         ).exit_code == 0
    deck = project / "out" / "globex-corporation-first-call.pptx"
    assert not any("notesSlide" in name for name in _names(deck))
    dry = runner.invoke(main, ["rebuild", "out", "--notes", "keep", "-n"])
    assert "globex-corporation-first-call.pptx: notes policy changed (strip -> keep)" in dry.output
    assert runner.invoke(main, ["rebuild", "out", "--notes", "keep", "-j", "1"]).exit_code == 0
    assert any("notesSlide" in name for name in _names(deck))
    again = runner.invoke(main, ["rebuild", "out", "-n"])
    assert "0 decks to rebuild" in again.output, again.output     # the deck keeps the policy it was built with
    manifest = json.loads((project / "out" / "deckgen-manifest.json").read_text())
    assert manifest["decks"]["globex-corporation-first-call.pptx"]["notes"] == "keep"


# --- SVG logos --------------------------------------------------------------------------------

ACME_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100" viewBox="0 0 300 100">'
            '<rect x="5" y="5" width="90" height="90" rx="20" fill="#d62828"/>'
            '<rect x="110" y="30" width="180" height="40" fill="#003049"/></svg>')


def test_an_svg_logo_is_embedded_as_powerpoint_does_with_a_png_fallback(project):
    (project / "prospects" / "logos" / "acme.svg").write_text(ACME_SVG, encoding="utf-8")
    out = project / "deck.pptx"
    build("first-call", out, prospect="prospects/globex.yaml", sets=["logo=prospects/logos/acme.svg"])
    assert validate_package(out) == []
    prs = Presentation(out)
    group = next(shape for shape in prs.slides[0].shapes if shape.name == "Prepared for")
    logo = next(shape for shape in group.shapes if shape.name == "logo")
    blip = logo._element.blipFill.blip
    svg_blip = blip.find(".//{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip")
    svg_part = logo.part.related_part(svg_blip.get(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"))
    assert svg_part.content_type == "image/svg+xml" and svg_part.blob == ACME_SVG.encode()
    assert logo.image.content_type == "image/png"                     # the fallback
    from PIL import Image
    import io
    with Image.open(io.BytesIO(logo.image.blob)) as fallback:
        assert abs(fallback.size[0] / fallback.size[1] - 3.0) < 0.01
        assert fallback.getpixel((fallback.size[0] // 6, fallback.size[1] // 2))[:3] == (0xd6, 0x28, 0x28)
    assert abs(logo.width / logo.height - 3.0) < 0.02                  # fitted with the SVG's aspect


@pytest.mark.libreoffice
def test_an_svg_logo_renders(project):
    from PIL import Image

    from deckgen.preview import pdf_to_pngs
    (project / "prospects" / "logos" / "acme.svg").write_text(ACME_SVG, encoding="utf-8")
    result = build("first-call", project / "deck.pptx", prospect="prospects/globex.yaml",
                   sets=["logo=prospects/logos/acme.svg"], pdf=True)
    pngs = sorted(pdf_to_pngs(result.pdf, project / "png"))
    with Image.open(pngs[0]) as page:
        page = page.convert("RGB")
        reds = sum(1 for x in range(page.width // 2, page.width) for y in range(page.height // 3, page.height * 2 // 3, 4)
                   if page.getpixel((x, y)) == (0xd6, 0x28, 0x28) or
                   (abs(page.getpixel((x, y))[0] - 0xd6) < 12 and page.getpixel((x, y))[1] < 0x40))
    assert reds > 50


@pytest.mark.parametrize("svg, reason", [
    ("<svg xmlns='http://www.w3.org/2000/svg'><rect", "is not a usable SVG: it is not well-formed SVG"),
    ("<svg xmlns='http://www.w3.org/2000/svg'><image href='file:///etc/passwd'/></svg>",
     "is not a usable SVG: it refers to another file or URL ('file:///etc/passwd')"),
], ids=["broken", "external-reference"])
def test_a_bad_svg_logo_is_one_line_naming_the_file(project, svg, reason):
    (project / "prospects" / "logos" / "bad.svg").write_text(svg, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "first-call", "-p", "prospects/globex.yaml",
                                       "--set", "logo=prospects/logos/bad.svg", "-o", "deck.pptx"])
    assert result.exit_code == 1
    assert "logo file 'prospects/logos/bad.svg' " + reason in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (project / "deck.pptx").exists()


def test_a_new_author_in_the_config_makes_decks_stale(project):
    runner = CliRunner()
    assert runner.invoke(main, ["batch", "first-call", "-p", "prospects/crm-export.csv", "-o", "out", "-j", "1"]
                         ).exit_code == 0
    _set_output(project, "  folder: build\n  author: Someone Else\n")
    dry = runner.invoke(main, ["rebuild", "out", "-n"])
    assert "globex-corporation-first-call.pptx: document properties changed (output.* in deckgen.yaml)" \
        in dry.output, dry.output
