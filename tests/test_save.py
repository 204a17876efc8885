"""Deterministic serialisation of personalised decks (deckgen.ooxml.save)."""
from __future__ import annotations

import io
import zipfile

from pptx import Presentation
from pptx.util import Inches
from PIL import Image

from deckgen.ooxml.outpackage import ZIP_DATE as FIXED_DATE_TIME
from deckgen.ooxml.save import write_presentation


def presentation_bytes(prs) -> bytes:
    buffer = io.BytesIO()
    write_presentation(prs, buffer)
    return buffer.getvalue()


def _deck_with_picture(tmp_path):
    image = tmp_path / "photo.png"
    Image.new("RGB", (64, 32), (200, 40, 40)).save(image)
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Quarterly results"
    slide.shapes.add_picture(str(image), Inches(1), Inches(2))
    return prs


def test_same_content_gives_same_bytes_and_fixed_member_times(tmp_path):
    prs = _deck_with_picture(tmp_path)
    first, second = presentation_bytes(prs), presentation_bytes(prs)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {FIXED_DATE_TIME}
        names = archive.namelist()
        assert names[0] == "[Content_Types].xml"
        assert len(names) == len({name.lower() for name in names})
        media = [info for info in archive.infolist() if info.filename.startswith("ppt/media/")]
        assert media and all(info.compress_type == zipfile.ZIP_STORED for info in media)


def test_output_reopens_with_its_content(tmp_path):
    data = presentation_bytes(_deck_with_picture(tmp_path))
    reopened = Presentation(io.BytesIO(data))
    slide = reopened.slides[0]
    assert slide.shapes.title.text == "Quarterly results"
    pictures = [shape for shape in slide.shapes if shape.shape_type == 13]
    assert Image.open(io.BytesIO(pictures[0].image.blob)).size == (64, 32)
