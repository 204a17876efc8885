"""Tests of deckgen.ooxml.validate: each structural check fires on a package broken on purpose."""
from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches
from PIL import Image

from deckgen.errors import InputFileError
from deckgen.ooxml.validate import validate_package

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pptx"


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _python_pptx_deck() -> bytes:
    """Two slides (one hidden) from python-pptx's default template, a picture and speaker notes."""
    prs = Presentation()
    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.text = "Hello"
    first.shapes.add_picture(io.BytesIO(_png_bytes()), Inches(1), Inches(1))
    first.notes_slide.notes_text_frame.text = "Say hello"
    second = prs.slides.add_slide(prs.slide_layouts[1])
    second.shapes.title.text = "Agenda"
    second._element.set("show", "0")
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _rewrite(package: bytes, edits: dict[str, bytes | None] | None = None,
             add: list[tuple[str, bytes]] | None = None) -> bytes:
    """Copy ``package`` replacing (bytes) or dropping (None) members and appending ``add``."""
    edits = edits or {}
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns on the duplicates we want
        for name in source.namelist():
            data = edits.get(name, source.read(name))
            if data is not None:
                target.writestr(name, data)
        for name, data in add or []:
            target.writestr(name, data)
    return out.getvalue()


def _edit(package: bytes, name: str, old: str, new: str, count: int = 1) -> bytes:
    """Replace ``old`` by ``new`` in member ``name`` (must occur) and return the new package."""
    text = zipfile.ZipFile(io.BytesIO(package)).read(name).decode("utf-8")
    assert old in text, f"{old!r} not in {name}"
    return _rewrite(package, {name: text.replace(old, new, count).encode("utf-8")})


@pytest.fixture(scope="module")
def clean() -> bytes:
    """The python-pptx deck made valid: its notes master listed, its docProps/app.xml counts right."""
    deck = _python_pptx_deck()
    rels = _member(deck, "ppt/_rels/presentation.xml.rels")
    rid = re.search(r'Id="(rId\d+)"[^>]*relationships/notesMaster"', rels).group(1)
    deck = _edit(deck, "ppt/presentation.xml", "</p:sldMasterIdLst>",
                 f'</p:sldMasterIdLst><p:notesMasterIdLst><p:notesMasterId r:id="{rid}"/>'
                 "</p:notesMasterIdLst>")
    deck = _edit(deck, "docProps/app.xml", "<Slides>0</Slides>", "<Slides>2</Slides>")
    return _edit(deck, "docProps/app.xml", "<HiddenSlides>0</HiddenSlides>",
                 "<HiddenSlides>1</HiddenSlides>")


def _member(package: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(package)).read(name).decode("utf-8")


def test_clean_package_has_no_problems(clean, tmp_path):
    path = tmp_path / "clean.pptx"
    path.write_bytes(clean)
    assert validate_package(path) == []
    assert validate_package(clean) == []


@pytest.mark.parametrize("name", ["python-pptx__sld-notes.pptx", "shapecrawler__024_chart.pptx",
                                  "python-pptx__shp-access-ole-object.pptx"])
def test_real_powerpoint_decks_are_valid(name):
    if not (CORPUS / name).exists():
        pytest.skip("shared corpus not present")
    assert validate_package(CORPUS / name) == []


def test_python_pptx_output_lacks_notes_master_entry_and_slide_count():
    problems = validate_package(_python_pptx_deck())
    assert problems == [
        "ppt/presentation.xml: p:notesMasterIdLst lists no notes master but "
        "/ppt/notesSlides/notesSlide1.xml exists",
        "docProps/app.xml: <Slides> says 0 but the presentation has 2",
        "docProps/app.xml: <HiddenSlides> says 0 but the presentation has 1",
    ]


def test_part_without_content_type(clean):
    broken = _edit(clean, "[Content_Types].xml", '<Default Extension="png" ContentType="image/png"/>',
                   "")
    assert validate_package(broken) == [
        "ppt/media/image1.png: has no content type (no Override for it and no Default for "
        "extension 'png' in [Content_Types].xml)"]


def test_override_for_missing_part_and_missing_target(clean):
    broken = _rewrite(clean, {"ppt/media/image1.png": None})
    problems = validate_package(broken)
    assert len(problems) == 1
    assert re.fullmatch(r"ppt/slides/_rels/slide1\.xml\.rels: rId\d+ targets \.\./media/image1\.png "
                        r"\(/ppt/media/image1\.png\), which is not in the package", problems[0])


def test_override_naming_absent_part(clean):
    broken = _rewrite(clean, {"ppt/viewProps.xml": None,
                              "ppt/_rels/presentation.xml.rels": _member(
                                  clean, "ppt/_rels/presentation.xml.rels").replace(
                                  'Target="viewProps.xml"', 'Target="presProps.xml"').encode()})
    assert validate_package(broken) == [
        "[Content_Types].xml: Override for /ppt/viewProps.xml, which is not in the package"]


def test_duplicate_zip_member(clean):
    broken = _rewrite(clean, add=[("ppt/slides/slide1.xml", _member(clean, "ppt/slides/slide1.xml"))])
    assert validate_package(broken) == [
        "ppt/slides/slide1.xml: stored 2 times in the zip (duplicate member name)"]


def test_part_names_differing_only_in_case(clean):
    broken = _rewrite(clean, add=[("ppt/media/IMAGE1.png", _png_bytes())])
    assert validate_package(broken) == [
        "ppt/media/IMAGE1.png: part names differ only in case: ppt/media/IMAGE1.png, "
        "ppt/media/image1.png"]


def test_slide_ids_below_256_and_duplicated(clean):
    xml = _member(clean, "ppt/presentation.xml")
    ids = re.findall(r'<p:sldId id="(\d+)"', xml)
    assert ids == ["256", "257"]
    broken = _edit(clean, "ppt/presentation.xml", '<p:sldId id="257"', '<p:sldId id="256"')
    assert validate_package(broken) == ["ppt/presentation.xml: p:sldId id 256 is used 2 times"]
    broken = _edit(clean, "ppt/presentation.xml", '<p:sldId id="256"', '<p:sldId id="12"')
    assert validate_package(broken) == [
        "ppt/presentation.xml: p:sldId id 12 is outside 256..2147483647"]


def test_master_and_layout_ids_share_one_space(clean):
    broken = _edit(clean, "ppt/slideMasters/slideMaster1.xml", 'id="2147483649"', 'id="2147483648"')
    assert validate_package(broken) == [
        "ppt/slideMasters/slideMaster1.xml: p:sldLayoutId id 2147483648 is already used by "
        "/ppt/presentation.xml (master and layout ids share one number space)"]
    broken = _edit(clean, "ppt/presentation.xml", 'sldMasterId id="2147483648"',
                   'sldMasterId id="1000"')
    assert validate_package(broken) == [
        "ppt/presentation.xml: p:sldMasterId id 1000 is outside 2147483648..4294967295"]


def test_unresolved_relationship_attribute(clean):
    embed = re.search(r'r:embed="(rId\d+)"', _member(clean, "ppt/slides/slide1.xml")).group(0)
    broken = _edit(clean, "ppt/slides/slide1.xml", embed, 'r:embed="rId99"')
    assert validate_package(broken) == [
        'ppt/slides/slide1.xml: blip/@r:embed="rId99" has no relationship in its .rels']


def test_smartart_relationship_attributes_are_checked(clean):
    smartart = ('<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="9" name="D"/><p:cNvGraphicFramePr/>'
                '<p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x="0" y="0"/><a:ext cx="1" cy="1"/>'
                '</p:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/'
                'drawingml/2006/diagram"><dgm:relIds xmlns:dgm="http://schemas.openxmlformats.org/'
                'drawingml/2006/diagram" r:dm="rId40" r:lo="rId41" r:qs="rId42" r:cs="rId43"/>'
                '</a:graphicData></a:graphic></p:graphicFrame></p:spTree>')
    broken = _edit(clean, "ppt/slides/slide2.xml", "</p:spTree>", smartart)
    assert validate_package(broken) == [
        f'ppt/slides/slide2.xml: relIds/@r:{kind}="{rid}" has no relationship in its .rels'
        for kind, rid in (("dm", "rId40"), ("lo", "rId41"), ("qs", "rId42"), ("cs", "rId43"))]


def test_slide_part_not_listed_in_presentation(clean):
    xml = _member(clean, "ppt/presentation.xml")
    entry = re.search(r'<p:sldId id="257" r:id="rId\d+"/>', xml).group(0)
    broken = _edit(clean, "ppt/presentation.xml", entry, "")
    assert validate_package(broken) == [
        "ppt/presentation.xml: p:sldIdLst does not list /ppt/slides/slide2.xml",
        "docProps/app.xml: <Slides> says 2 but the presentation has 1",
        "docProps/app.xml: <HiddenSlides> says 1 but the presentation has 0",
    ]


def test_slide_listed_twice(clean):
    xml = _member(clean, "ppt/presentation.xml")
    rid = re.search(r'<p:sldId id="256" r:id="(rId\d+)"/>', xml).group(1)
    broken = _edit(clean, "ppt/presentation.xml", '<p:sldId id="257" r:id="',
                   f'<p:sldId id="258" r:id="{rid}"/><p:sldId id="257" r:id="')
    problems = validate_package(broken)
    assert "ppt/presentation.xml: p:sldIdLst lists /ppt/slides/slide1.xml 2 times" in problems


def test_master_not_listed_in_presentation(clean):
    xml = _member(clean, "ppt/presentation.xml")
    entry = re.search(r'<p:sldMasterIdLst>.*</p:sldMasterIdLst>', xml).group(0)
    broken = _edit(clean, "ppt/presentation.xml", entry, "")
    assert validate_package(broken) == [
        "ppt/presentation.xml: p:sldMasterIdLst does not list /ppt/slideMasters/slideMaster1.xml"]


def test_notes_slide_without_notes_master_entry(clean):
    xml = _member(clean, "ppt/presentation.xml")
    entry = re.search(r'<p:notesMasterIdLst>.*</p:notesMasterIdLst>', xml).group(0)
    broken = _edit(clean, "ppt/presentation.xml", entry, "")
    assert validate_package(broken) == [
        "ppt/presentation.xml: p:notesMasterIdLst lists no notes master but "
        "/ppt/notesSlides/notesSlide1.xml exists"]


def test_notes_slide_without_notes_master_relationship(clean):
    rels = _member(clean, "ppt/notesSlides/_rels/notesSlide1.xml.rels")
    link = re.search(r'<Relationship [^>]*relationships/notesMaster"[^>]*/>', rels).group(0)
    broken = _edit(clean, "ppt/notesSlides/_rels/notesSlide1.xml.rels", link, "")
    assert validate_package(broken) == [
        "ppt/notesSlides/notesSlide1.xml: notes slide has 0 notesMaster relationships, expected 1"]


def test_master_layout_list_does_not_match_its_layouts(clean):
    xml = _member(clean, "ppt/slideMasters/slideMaster1.xml")
    entry = re.search(r'<p:sldLayoutId id="2147483651" r:id="(rId\d+)"/>', xml)
    rels = _member(clean, "ppt/slideMasters/_rels/slideMaster1.xml.rels")
    target = re.search(rf'Id="{entry.group(1)}"[^>]*Target="\.\./slideLayouts/([^"]+)"|'
                       rf'Target="\.\./slideLayouts/([^"]+)"[^>]*Id="{entry.group(1)}"', rels)
    layout = target.group(1) or target.group(2)
    broken = _edit(clean, "ppt/slideMasters/slideMaster1.xml", entry.group(0), "")
    assert validate_package(broken) == [
        f"ppt/slideMasters/slideMaster1.xml: p:sldLayoutIdLst does not list "
        f"/ppt/slideLayouts/{layout}",
        f"ppt/slideLayouts/{layout}: slide layout is not listed in any master's p:sldLayoutIdLst",
    ]


def test_slide_without_layout_relationship(clean):
    rels = _member(clean, "ppt/slides/_rels/slide2.xml.rels")
    link = re.search(r'<Relationship [^>]*relationships/slideLayout"[^>]*/>', rels).group(0)
    broken = _edit(clean, "ppt/slides/_rels/slide2.xml.rels", link, "")
    assert validate_package(broken) == [
        "ppt/slides/slide2.xml: slide has 0 slideLayout relationships, expected 1"]


def test_duplicate_relationship_id(clean):
    rels = _member(clean, "ppt/slides/_rels/slide2.xml.rels")
    link = re.search(r'<Relationship [^>]*/>', rels).group(0)
    broken = _edit(clean, "ppt/slides/_rels/slide2.xml.rels", link, link + link)
    rid = re.search(r'Id="(rId\d+)"', link).group(1)
    assert f"ppt/slides/_rels/slide2.xml.rels: relationship id {rid} is used 2 times" in (
        validate_package(broken))


def test_duplicate_creation_id(clean):
    ext = ('<p:extLst><p:ext uri="{BB962C8B-B14F-4D97-AF65-F5344CB8AC3E}"><p14:creationId '
           'xmlns:p14="http://schemas.microsoft.com/office/powerpoint/2010/main" val="42"/>'
           '</p:ext></p:extLst></p:sld>')
    broken = _edit(clean, "ppt/slides/slide1.xml", "</p:sld>", ext)
    broken = _edit(broken, "ppt/slides/slide2.xml", "</p:sld>", ext)
    assert validate_package(broken) == [
        "ppt/slides/slide2.xml: p14:creationId 42 is also used by /ppt/slides/slide1.xml"]


def test_vba_project_in_pptx(clean):
    broken = _edit(clean, "[Content_Types].xml", "</Types>",
                   '<Override PartName="/ppt/vbaProject.bin" '
                   'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    broken = _edit(broken, "ppt/_rels/presentation.xml.rels", "</Relationships>",
                   '<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/'
                   'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    broken = _rewrite(broken, add=[("ppt/vbaProject.bin", b"\xd0\xcf\x11\xe0")])
    assert validate_package(broken) == [
        "ppt/vbaProject.bin: VBA project inside a .pptx (macros belong only in .pptm)",
        "ppt/_rels/presentation.xml.rels: rId99 links a VBA project (not allowed in a .pptx)",
    ]


def test_main_content_type_must_be_plain_presentation(clean):
    broken = _edit(clean, "[Content_Types].xml", "presentationml.presentation.main+xml",
                   "presentationml.template.main+xml")
    assert validate_package(broken) == [
        "ppt/presentation.xml: main content type is a template (.potx), not a plain presentation "
        "(application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml)"]


def test_malformed_xml_part(clean):
    broken = _rewrite(clean, {"ppt/slides/slide2.xml": b"<p:sld><unclosed></p:sld>"})
    problems = validate_package(broken)
    assert problems[0].startswith("ppt/slides/slide2.xml: is not well-formed XML")


def test_not_a_zip_and_missing_file(tmp_path):
    assert validate_package(b"this is text") == [
        "package: not a readable zip archive (File is not a zip file)"]
    with pytest.raises(InputFileError, match="nowhere.pptx: file not found"):
        validate_package(tmp_path / "nowhere.pptx")
