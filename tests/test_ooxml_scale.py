"""Slides of another size are scaled to the output's and centred (deckgen.ooxml.scale)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Emu, Inches, Pt

from deckgen.ooxml import SlidePick, SourceDeck, assemble
from deckgen.ooxml.scale import Fit
from deckgen.ooxml.validate import validate_package
from deckgen.pipeline.merge import merge
from deckgen.preview import pdf_to_pngs, to_pdf

WIDE = (Emu(12192000), Emu(6858000))  # PowerPoint's 16:9
NARROW = (Inches(10), Inches(7.5))
MARKERS = {  # corner squares of the old page: (left, top) in inches on a 10 x 7.5 page
    (0.0, 0.0): (230, 30, 30), (9.0, 0.0): (30, 160, 30),
    (0.0, 6.5): (30, 30, 230), (9.0, 6.5): (230, 150, 0),
}


def _deck(path: Path, size: tuple[int, int], title: str, markers: bool = False) -> Path:
    """A deck of ``size`` with a title, a 24 pt text box, a 3-row table and, with ``markers``,
    a 1-inch coloured square in each corner of the page."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = size
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = title
    box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(5), Inches(1))
    box.text_frame.text = "twenty-four points"
    box.text_frame.paragraphs[0].runs[0].font.size = Pt(24)
    slide.shapes.add_table(3, 2, Inches(1), Inches(4), Inches(6), Inches(1.5))
    for (left, top), colour in MARKERS.items() if markers else ():
        square = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(left), Inches(top),
                                        Inches(1), Inches(1))
        square.fill.solid()
        square.fill.fore_color.rgb = RGBColor(*colour)
        square.line.fill.background()
    prs.save(path)
    return path


def _picks(path: Path) -> list[SlidePick]:
    with SourceDeck.open(path) as deck:
        return [SlidePick(path, slide_id) for slide_id in deck.slide_ids]


def _opened(data: bytes) -> Presentation:
    assert validate_package(data) == []
    return Presentation(io.BytesIO(data))


def test_fit_is_one_uniform_scale_centred_on_the_page():
    fit = Fit.between(NARROW, WIDE)
    assert fit.scale == pytest.approx(1.0, abs=1e-4)
    assert fit.dy == 0 and fit.dx == pytest.approx((WIDE[0] - NARROW[0]) / 2, abs=2)
    fit = Fit.between(WIDE, NARROW)
    assert fit.scale == pytest.approx(0.75, abs=1e-4)
    assert fit.dx == pytest.approx(0, abs=2)
    assert fit.dy == pytest.approx((NARROW[1] - WIDE[1] * fit.scale) / 2, abs=2)
    assert Fit.between(WIDE, WIDE) is None


def test_wide_slides_in_a_4_3_deck_shrink_with_their_fonts_tables_and_layout(tmp_path):
    base = _deck(tmp_path / "base.pptx", NARROW, "Base")
    wide = _deck(tmp_path / "wide.pptx", WIDE, "Wide")
    assembled = assemble(_picks(wide), base=base)
    assert any("scaled to 25.40 x 19.05 cm (4:3) (x0.750) and centred" in warning
               for warning in assembled.warnings)
    prs = _opened(assembled.to_bytes())
    assert (prs.slide_width, prs.slide_height) == NARROW
    shapes = {shape.shape_type: shape for shape in prs.slides[0].shapes}
    box = next(shape for shape in prs.slides[0].shapes if shape.has_text_frame
               and shape.text_frame.text == "twenty-four points")
    assert box.text_frame.paragraphs[0].runs[0].font.size == Pt(18)
    top_offset = (NARROW[1] - WIDE[1] * 0.75) / 2
    assert box.left == pytest.approx(Inches(0.75), abs=2)
    assert box.top == pytest.approx(Inches(1.5) + top_offset, abs=2)
    assert box.width == pytest.approx(Inches(3.75), abs=2)
    table = next(shape for shape in shapes.values() if shape.has_table).table
    assert sum(column.width for column in table.columns) == pytest.approx(Inches(4.5), abs=4)
    # the title placeholder has no frame of its own: its layout was scaled with the slide
    title = prs.slides[0].shapes.title
    layout_title = prs.slides[0].slide_layout.placeholders[0]
    assert layout_title.width == pytest.approx(Emu(round(Presentation().slide_layouts[5]
                                                         .placeholders[0].width * 0.75)), abs=2)
    assert title.text == "Wide"


def test_strict_merge_refuses_and_writes_nothing(tmp_path):
    base = _deck(tmp_path / "base.pptx", NARROW, "Base")
    wide = _deck(tmp_path / "wide.pptx", WIDE, "Wide")
    with pytest.raises(Exception, match="strict mode refuses to scale them"):
        merge([str(wide)], tmp_path / "out.pptx", base=base, strict=True)
    assert not (tmp_path / "out.pptx").exists()


def test_scaled_and_unscaled_copies_of_one_layout_are_not_shared(tmp_path):
    base = _deck(tmp_path / "base.pptx", NARROW, "Base")
    wide = _deck(tmp_path / "wide.pptx", WIDE, "Wide")
    narrow = _deck(tmp_path / "narrow.pptx", NARROW, "Narrow")
    prs = _opened(assemble(_picks(narrow) + _picks(wide), base=base).to_bytes())
    widths = [slide.slide_layout.placeholders[0].width for slide in prs.slides]
    assert widths[0] != widths[1]
    assert len(prs.slide_masters) == 2


def test_a_4_3_slide_renders_inside_a_16_9_page_centred(tmp_path):
    base = _deck(tmp_path / "base.pptx", WIDE, "Base")
    old = _deck(tmp_path / "old.pptx", NARROW, "Old", markers=True)
    out = tmp_path / "out.pptx"
    merge([str(old)], out, base=base)
    pdf = to_pdf(out, tmp_path / "out.pdf")
    page = Image.open(pdf_to_pngs(pdf, tmp_path / "png", width=800)[0]).convert("RGB")
    assert abs(page.width / page.height - 16 / 9) < 0.01
    per_inch = page.width / 13.333
    margin = (13.333 - 10) / 2
    for (left, top), colour in MARKERS.items():
        centre = (round((margin + left + 0.5) * per_inch), round((top + 0.5) * per_inch))
        assert all(abs(a - b) < 40 for a, b in zip(page.getpixel(centre), colour)), (left, top)
    # nothing of the slide is drawn in the side margins: they show the white background
    for x in (round(margin * per_inch * 0.5), page.width - round(margin * per_inch * 0.5)):
        assert page.getpixel((x, page.height // 2)) == (255, 255, 255)
