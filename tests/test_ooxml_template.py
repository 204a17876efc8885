"""Template mode: slides from decks of other looks put on the corporate template's layouts."""
from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image, ImageChops
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Emu, Inches

from deckgen.ooxml import SlidePick, SourceDeck, assemble
from deckgen.ooxml.retarget import DestinationTemplate
from deckgen.ooxml.validate import validate_package
from deckgen.preview import pdf_to_pngs, to_pdf

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
WIDE = (Emu(12192000), Emu(6858000))
NARROW = (Emu(9144000), Emu(6858000))
TEMPLATE_LOOK = ("1F3A5F", "FFFFFF", "DejaVu Serif")   # background, text, font
LOOKS = {
    "plain": ("FFFFFF", "000000", "DejaVu Sans"),
    "warm": ("FFE8CC", "5A2A00", "DejaVu Sans Mono"),
    "old": ("DDEEDD", "003300", "Liberation Serif"),
}


def _themed(size: tuple[int, int], look: tuple[str, str, str], name: str) -> Presentation:
    """python-pptx's default deck with its theme's lt1 (background), dk1 (text) and both theme
    fonts replaced, and its master renamed."""
    background, text, font = look
    prs = Presentation()
    prs.slide_width, prs.slide_height = size
    theme_part = prs.slide_master.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme")
    root = etree.fromstring(theme_part.blob)
    scheme = root.find(f"{A}themeElements/{A}clrScheme")
    for slot, value in (("dk1", text), ("lt1", background)):
        element = scheme.find(A + slot)
        for child in list(element):
            element.remove(child)
        etree.SubElement(element, A + "srgbClr", val=value)
    for kind in ("majorFont", "minorFont"):
        root.find(f"{A}themeElements/{A}fontScheme/{A}{kind}/{A}latin").set("typeface", font)
    theme_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
    prs.slide_master._element.cSld.set("name", name)
    return prs


def _png(colour: tuple[int, int, int]) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), colour).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def _module(path: Path, size, look, name: str) -> Path:
    """A module of ``look``: a title-and-content slide, a title-only slide with a picture and
    a chart, and a custom-layout slide with only a text box."""
    prs = _themed(size, look, name)
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = f"{name} agenda"
    slide.placeholders[1].text = f"{name} point one"
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = f"{name} proof"
    slide.shapes.add_picture(_png((200, 30, 160)), Inches(0.5), Inches(2), Inches(1.5))
    data = CategoryChartData()
    data.categories = ["a", "b"]
    data.add_series("s", (1, 2))
    slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(3), Inches(2), Inches(4),
                           Inches(3), data)
    layout = prs.slide_layouts[6]
    layout._element.cSld.set("name", f"{name} special")
    layout._element.set("type", "cust")
    slide = prs.slides.add_slide(layout)
    slide.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1)).text_frame.text = \
        f"{name} note"
    prs.save(path)
    return path


@pytest.fixture
def decks(tmp_path: Path) -> dict[str, Path]:
    template = _themed(WIDE, TEMPLATE_LOOK, "Corporate")
    template.save(tmp_path / "corporate.pptx")
    made_on_template = _module(tmp_path / "ours.pptx", WIDE, TEMPLATE_LOOK, "Corporate")
    found = {"template": tmp_path / "corporate.pptx", "ours": made_on_template}
    for key, look in LOOKS.items():
        size = NARROW if key == "old" else WIDE
        found[key] = _module(tmp_path / f"{key}.pptx", size, look, key.title())
    return found


def _picks(*paths: Path, keep_look: bool = False) -> list[SlidePick]:
    picks = []
    for path in paths:
        with SourceDeck.open(path) as deck:
            picks += [SlidePick(path, slide_id, keep_look=keep_look)
                      for slide_id in deck.slide_ids]
    return picks


def _masters(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sorted(archive.read(name) for name in archive.namelist()
                      if name.startswith("ppt/slideMasters/") and name.endswith(".xml"))


def _render(data: bytes, folder: Path) -> tuple[list[Image.Image], str]:
    folder.mkdir()
    (folder / "deck.pptx").write_bytes(data)
    pdf = to_pdf(folder / "deck.pptx", folder / "deck.pdf")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    pages = [Image.open(page).convert("RGB") for page in pdf_to_pngs(pdf, folder, width=400)]
    return pages, fonts


def _hex(pixel: tuple[int, int, int]) -> str:
    return "%02X%02X%02X" % pixel


def test_three_looks_come_out_in_the_templates_look_with_all_content(decks, tmp_path):
    picks = _picks(decks["plain"], decks["warm"], decks["old"])
    assembled = assemble(picks, template=decks["template"])
    data = assembled.to_bytes()
    assert validate_package(data) == []
    with zipfile.ZipFile(decks["template"]) as archive:
        template_masters = sorted(archive.read(name) for name in archive.namelist()
                                  if name.startswith("ppt/slideMasters/")
                                  and name.endswith(".xml"))
    assert len(_masters(data)) == len(template_masters) == 1
    prs = Presentation(io.BytesIO(data))
    assert (prs.slide_width, prs.slide_height) == WIDE
    assert [layout.name for layout in prs.slide_masters[0].slide_layouts] == \
        [layout.name for layout in Presentation(decks["template"]).slide_layouts]
    texts = [" ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
             for slide in prs.slides]
    for name in ("Plain", "Warm", "Old"):
        assert f"{name} agenda" in " ".join(texts) and f"{name} point one" in " ".join(texts)
        assert f"{name} proof" in " ".join(texts) and f"{name} note" in " ".join(texts)
    assert sum(shape.shape_type == 13 for slide in prs.slides for shape in slide.shapes) == 3
    assert sum(shape.has_chart for slide in prs.slides for shape in slide.shapes) == 3
    pages, fonts = _render(data, tmp_path / "render")
    assert len(pages) == 9
    background, text, font = TEMPLATE_LOOK
    for number, page in enumerate(pages, start=1):
        assert _hex(page.getpixel((2, 2))) == background, number
        if number % 3:  # the title is drawn in the template's text colour (white on navy)
            title_band = page.crop((0, 0, page.width, page.height // 5))
            assert any(min(colour) > 230 for _, colour in title_band.getcolors(1 << 16)), number
    # fonts of the PDF, e.g. "DejaVuSerif-Bold"; LibreOffice draws chart text (which names no
    # font) in its default Liberation Sans whatever the theme, in both modes
    used = {line.split()[0].split("+")[-1].split("-")[0] for line in fonts.splitlines()[2:]}
    assert used == {"DejaVuSerif", "LiberationSans"}


def test_a_4_3_slide_in_template_mode_stays_inside_the_page(decks, tmp_path):
    data = assemble(_picks(decks["old"]), template=decks["template"]).to_bytes()
    prs = Presentation(io.BytesIO(data))
    for slide in prs.slides:
        for shape in slide.shapes:
            assert 0 <= shape.left and shape.left + shape.width <= WIDE[0], shape.name
            assert 0 <= shape.top and shape.top + shape.height <= WIDE[1], shape.name


def test_slides_made_on_the_template_are_pixel_identical_in_both_modes(decks, tmp_path):
    source_mode = assemble(_picks(decks["ours"])).to_bytes()
    template_mode = assemble(_picks(decks["ours"]), template=decks["template"]).to_bytes()
    before, _ = _render(source_mode, tmp_path / "source")
    after, _ = _render(template_mode, tmp_path / "template")
    assert len(before) == len(after) == 3
    for one, other in zip(before, after):
        assert ImageChops.difference(one, other).getbbox() is None


def test_keep_look_keeps_a_slides_own_master(decks):
    picks = _picks(decks["plain"])[:1] + _picks(decks["warm"], keep_look=True)[:1]
    prs = Presentation(io.BytesIO(assemble(picks, template=decks["template"]).to_bytes()))
    assert [slide.slide_layout.slide_master.name for slide in prs.slides] == \
        ["Corporate", "Warm"]
    assert len(prs.slide_masters) == 2


def test_layout_choice_says_why(decks):
    template = DestinationTemplate(SourceDeck.open(decks["template"]))
    with SourceDeck.open(decks["warm"]) as warm, SourceDeck.open(decks["ours"]) as ours:
        reasons = [template.choose(warm, warm.slide_part(slide_id)).reason
                   for slide_id in warm.slide_ids]
        own = template.choose(ours, ours.slide_part(ours.slide_ids[0]))
    assert reasons[0] == "same layout name 'Title and Content'"
    assert reasons[1] == "same layout name 'Title Only'"
    assert reasons[2] == "no placeholders: the template's 'Blank' layout"
    assert own.identical and own.reason == "already on the template (same layout)"
