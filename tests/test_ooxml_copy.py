"""Tests of deckgen.ooxml: reading source decks and copying slides between packages.

Every assembled output is checked as a package (validate_package finds nothing, python-pptx
re-opens it) before the test looks at what it is about.
"""
from __future__ import annotations

import concurrent.futures
import io
import posixpath
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part
from pptx.opc.packuri import PackURI
from pptx.util import Inches

from deckgen.errors import DeckgenError, InputFileError, PackageError, SlideSelectionError
from deckgen.ooxml import AssembledDeck, SlidePick, SourceDeck, assemble, list_slides
from deckgen.ooxml.validate import validate_package
from deckgen.fsutil import display_path

FIXTURES = Path(__file__).parent / "fixtures" / "engine"
NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p14": "http://schemas.microsoft.com/office/powerpoint/2010/main",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
}
R_ID = f"{{{NS['r']}}}id"
CT_PML = "application/vnd.openxmlformats-officedocument.presentationml."
RT_MEDIA = "http://schemas.microsoft.com/office/2007/relationships/media"


# -- helpers: building source decks ----------------------------------------------------------

def _png(color: tuple[int, int, int]) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def _titled_deck(path: Path, titles: list[str], hidden: set[int] = frozenset(),
                 notes: bool = False, pictures: bool = False) -> Path:
    """Save a deck with one "Title Only" slide per title (1-based ``hidden`` numbers), each with
    a text box, and optionally notes and a picture of its own colour."""
    prs = Presentation()
    for number, title in enumerate(titles, start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        slide.shapes.title.text = title
        box = slide.shapes.add_textbox(Inches(1), Inches(3), Inches(4), Inches(1))
        box.text_frame.text = f"body of {title}"
        if notes:
            slide.notes_slide.notes_text_frame.text = f"notes of {title}"
        if pictures:
            slide.shapes.add_picture(_png((number * 40 % 256, 10, 200)), Inches(6), Inches(4))
        if number in hidden:
            slide._element.set("show", "0")
    prs.save(path)
    return path


def _edit_members(source: Path, target: Path, edits: dict[str, bytes | None],
                  rename: dict[str, str] | None = None) -> Path:
    """Copy a zip, replacing (or with None dropping) members and renaming others."""
    rename = rename or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in edits:
                continue
            new.writestr(rename.get(info.filename, info.filename), old.read(info))
        for name, data in edits.items():
            if data is not None:
                new.writestr(name, data)
    return target


def _replace_in_member(source: Path, target: Path, member: str, old: str, new: str) -> Path:
    with zipfile.ZipFile(source) as archive:
        text = archive.read(member).decode("utf-8")
    assert old in text, f"{old!r} not in {member}"
    return _edit_members(source, target, {member: text.replace(old, new).encode("utf-8")})


# -- helpers: inspecting the output package --------------------------------------------------

class Package:
    """Read-only view of an output package: members, content types and resolved rels."""

    def __init__(self, data: bytes):
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = self.zip.namelist()
        types = etree.fromstring(self.zip.read("[Content_Types].xml"))
        self.defaults = {d.get("Extension").lower(): d.get("ContentType")
                         for d in types.iterfind("ct:Default", NS)}
        self.overrides = {o.get("PartName").lstrip("/").lower(): o.get("ContentType")
                          for o in types.iterfind("ct:Override", NS)}

    def content_type(self, part: str) -> str | None:
        base = posixpath.basename(part)
        extension = base.rsplit(".", 1)[1].lower() if "." in base else ""
        return self.overrides.get(part.lower()) or self.defaults.get(extension)

    def parts_of_type(self, content_type: str) -> list[str]:
        return sorted(n for n in self.names if self.content_type(n) == content_type
                      and not n.endswith(".rels"))

    def read(self, part: str) -> bytes:
        return self.zip.read(part)

    def xml(self, part: str) -> etree._Element:
        return etree.fromstring(self.zip.read(part))

    def rels(self, part: str) -> list[tuple[str, str, str, bool]]:
        """(rId, type, target part or URL, external) of each relationship of ``part``."""
        folder, base = posixpath.split(part)
        name = posixpath.join(folder, "_rels", base + ".rels")
        if name not in self.names:
            return []
        found = []
        for rel in self.xml(name).iterfind("pr:Relationship", NS):
            external = rel.get("TargetMode") == "External"
            target = rel.get("Target")
            if not external:
                target = posixpath.normpath(posixpath.join(folder, target))
            found.append((rel.get("Id"), rel.get("Type"), target, external))
        return found

    def targets(self, part: str, reltype: str) -> list[str]:
        return [target for _, kind, target, _ in self.rels(part) if kind == reltype]

    def target(self, part: str, rid: str) -> str:
        return next(target for r, _, target, _ in self.rels(part) if r == rid)

    def slides(self) -> list[str]:
        presentation = self.xml("ppt/presentation.xml")
        return [self.target("ppt/presentation.xml", entry.get(R_ID))
                for entry in presentation.iterfind("p:sldIdLst/p:sldId", NS)]


def _checked(deck: AssembledDeck) -> tuple[Package, Presentation]:
    """The deck's bytes as a Package, after asserting it is valid and python-pptx reads it."""
    data = deck.to_bytes()
    assert validate_package(data) == []
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == deck.slide_count
    return Package(data), prs


def _all(path: Path) -> list[SlidePick]:
    with SourceDeck.open(path) as deck:
        return [SlidePick(path, slide_id) for slide_id in deck.slide_ids]


def _pick(path: Path, number: int, section: str | None = None) -> SlidePick:
    with SourceDeck.open(path) as deck:
        return SlidePick(path, deck.slide_id_at(number), section)


def _closure_member(path: Path, member: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(member)


# -- reading ---------------------------------------------------------------------------------

def test_list_slides_reports_ids_numbers_titles_and_hidden(tmp_path):
    deck = _titled_deck(tmp_path / "deck.pptx", ["Intro", "Pricing", "Thanks"], hidden={2})
    slides = list_slides(deck)
    assert [(s.slide_id, s.number, s.title, s.hidden) for s in slides] == [
        (256, 1, "Intro", False), (257, 2, "Pricing", True), (258, 3, "Thanks", False)]
    assert slides[0].partname == "ppt/slides/slide1.xml"


def test_list_slides_of_a_corpus_deck_matches_python_pptx():
    path = FIXTURES / "python-pptx__sld-slides.pptx"
    expected = [slide.slide_id for slide in Presentation(path).slides]
    assert [s.slide_id for s in list_slides(path)] == expected


def test_slide_text_includes_body_text_tables_and_notes(tmp_path):
    path = _titled_deck(tmp_path / "deck.pptx", ["Intro", "Pricing"])
    prs = Presentation(path)
    prs.slides[1].notes_slide.notes_text_frame.text = "say the price slowly"
    table = prs.slides[1].shapes.add_table(1, 2, Inches(1), Inches(5), Inches(4), Inches(1))
    table.table.cell(0, 0).text = "Plan"
    table.table.cell(0, 1).text = "$99"
    prs.save(path)
    with SourceDeck.open(path) as deck:
        text, notes = deck.slide_text(deck.slide_id_at(2))
    assert text.splitlines() == ["Pricing", "body of Pricing", "Plan", "$99"]
    assert notes == "say the price slowly"


def test_closure_hash_changes_only_with_the_slides_own_parts(tmp_path):
    first = _titled_deck(tmp_path / "a.pptx", ["One", "Two"], pictures=True)
    with SourceDeck.open(first) as deck:
        before = [deck.closure_hash(slide_id) for slide_id in deck.slide_ids]
    prs = Presentation(first)
    prs.slides[1].shapes.title.text = "Two, edited"
    second = tmp_path / "b.pptx"
    prs.save(second)
    with SourceDeck.open(second) as deck:
        after = [deck.closure_hash(slide_id) for slide_id in deck.slide_ids]
    assert after[0] == before[0]
    assert after[1] != before[1]


def test_slide_number_outside_the_deck_names_file_and_count(tmp_path):
    path = _titled_deck(tmp_path / "deck.pptx", ["Intro"])
    with SourceDeck.open(path) as deck, pytest.raises(SlideSelectionError) as caught:
        deck.slide_id_at(4)
    assert str(caught.value).endswith("deck.pptx: slide 4 does not exist (the deck has 1 slide)")


def test_unknown_slide_id_is_a_selection_error(tmp_path):
    path = _titled_deck(tmp_path / "deck.pptx", ["Intro"])
    with pytest.raises(SlideSelectionError, match="deck.pptx: has no slide with id 999"):
        assemble([SlidePick(path, 999)])


# -- bad input (requirement 8) ---------------------------------------------------------------

def _encrypted(path: Path) -> Path:
    # an encrypted OOXML deck is an OLE2 compound file holding an EncryptedPackage stream
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    path.write_bytes(header + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1024)
    return path


def _legacy_ppt(path: Path) -> Path:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048
                     + "PowerPoint Document".encode("utf-16-le"))
    return path


def _truncated(path: Path) -> Path:
    data = (FIXTURES / "python-pptx__sld-slides.pptx").read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _word_document(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Override PartName="/word/document.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            '</Types>'))
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'))
        archive.writestr("word/document.xml", "<w:document xmlns:w='urn:w'/>")
    return path


def _malformed_presentation(path: Path) -> Path:
    return _edit_members(FIXTURES / "python-pptx__sld-slides.pptx", path,
                         {"ppt/presentation.xml": b"<p:presentation><unclosed>"})


def _missing_slide_part(path: Path) -> Path:
    return _edit_members(FIXTURES / "python-pptx__sld-slides.pptx", path,
                         {"ppt/slides/slide2.xml": None})


def _strict(path: Path) -> Path:
    """A Strict package whose presentation part is in a namespace Strict does not define."""
    strict_rels = _replace_in_member(
        FIXTURES / "python-pptx__sld-slides.pptx", path.with_name("rels.pptx"), "_rels/.rels",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
        "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument")
    return _replace_in_member(strict_rels, path, "ppt/presentation.xml",
                              "http://schemas.openxmlformats.org/presentationml/2006/main",
                              "http://purl.oclc.org/ooxml/presentationml/future")


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"just some text, not a zip"), "is not a .pptx package (not a zip"),
    (lambda p: p.write_bytes(b""), "is an empty file"),
    (_truncated, "is truncated or damaged"),
    (_encrypted, "is password-protected (encrypted)"),
    (_legacy_ppt, "is a PowerPoint 97-2003 (.ppt) file"),
    (_word_document, "is a Word document, not a PowerPoint deck"),
    (_malformed_presentation, "part /ppt/presentation.xml is not well-formed XML"),
    (_strict, "is saved as Strict Open XML with namespace http://purl.oclc.org/ooxml/"
              "presentationml/future, which deckgen cannot map"),
], ids=["not-zip", "empty", "truncated", "encrypted", "legacy-ppt", "docx", "bad-xml", "strict"])
def test_unusable_source_gives_one_line_naming_the_file(tmp_path, make, message):
    path = tmp_path / "bad.pptx"
    make(path)
    with pytest.raises(PackageError) as caught:
        assemble([SlidePick(path, 256)])
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text
    assert "\n" not in text


def test_strict_refusal_says_how_to_resave(tmp_path):
    with pytest.raises(PackageError, match="save it again choosing 'PowerPoint Presentation"):
        list_slides(_strict(tmp_path / "strict.pptx"))


def test_missing_slide_part_names_the_part(tmp_path):
    path = _missing_slide_part(tmp_path / "holes.pptx")
    with pytest.raises(PackageError, match=r"holes.pptx: part /ppt/slides/slide2.xml is missing"):
        assemble([SlidePick(path, 257)])


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(PackageError, match="is a folder, not a .pptx file"):
        list_slides(tmp_path)


# -- the layout -> master -> theme chain (pitfall 1) -----------------------------------------

def _recoloured(path: Path, target: Path, hex_colour: str) -> Path:
    """A copy of the deck whose theme's accent1 colour is ``hex_colour`` (another template)."""
    return _replace_in_member(path, target, "ppt/theme/theme1.xml",
                              '<a:accent1><a:srgbClr val="4F81BD"/>',
                              f'<a:accent1><a:srgbClr val="{hex_colour}"/>')


def test_slide_keeps_its_own_layout_master_and_theme(tmp_path):
    plain = _titled_deck(tmp_path / "plain.pptx", ["Plain one", "Plain two"])
    red = _recoloured(_titled_deck(tmp_path / "src.pptx", ["Red"]), tmp_path / "red.pptx",
                      "FF0000")
    package, prs = _checked(assemble(_all(plain) + _all(red)))
    masters = package.parts_of_type(CT_PML + "slideMaster+xml")
    assert len(masters) == 2
    red_slide = package.slides()[2]
    layout = package.targets(red_slide, RT.SLIDE_LAYOUT)[0]
    master = package.targets(layout, RT.SLIDE_MASTER)[0]
    theme = package.targets(master, RT.THEME)[0]
    assert package.read(theme) == _closure_member(red, "ppt/theme/theme1.xml")
    assert b'val="FF0000"' not in package.read(
        package.targets(package.targets(package.targets(package.slides()[0], RT.SLIDE_LAYOUT)[0],
                                        RT.SLIDE_MASTER)[0], RT.THEME)[0])
    # the master lists the layout; python-pptx follows the same chain
    listed = [package.target(master, entry.get(R_ID)) for entry in
              package.xml(master).iterfind("p:sldLayoutIdLst/p:sldLayoutId", NS)]
    assert layout in listed
    assert prs.slides[2].slide_layout.slide_master.slide_layouts.index(
        prs.slides[2].slide_layout) >= 0
    assert prs.slides[2].slide_layout.name == "Title Only"


def test_ten_slides_of_one_deck_share_one_master_and_theme(tmp_path):
    path = _titled_deck(tmp_path / "ten.pptx", [f"Slide {n}" for n in range(10)])
    package, prs = _checked(assemble(_all(path)))
    assert len(package.parts_of_type(CT_PML + "slideMaster+xml")) == 1
    assert len(package.parts_of_type(CT_PML + "slideLayout+xml")) == 1  # all use "Title Only"
    themes = package.parts_of_type("application/vnd.openxmlformats-officedocument.theme+xml")
    assert len(themes) == 1
    assert [s.shapes.title.text for s in prs.slides] == [f"Slide {n}" for n in range(10)]


def test_same_template_in_two_files_is_stored_once(tmp_path):
    first = _titled_deck(tmp_path / "a.pptx", ["A"])
    second = _titled_deck(tmp_path / "b.pptx", ["B"])
    package, _ = _checked(assemble(_all(first) + _all(second)))
    assert len(package.parts_of_type(CT_PML + "slideMaster+xml")) == 1
    assert len(package.parts_of_type(CT_PML + "slideLayout+xml")) == 1


def _renumbered_master_rels(source: Path, target: Path) -> Path:
    """The same deck with the master's relationship ids renamed (rIdN -> rIdXN)."""
    with zipfile.ZipFile(source) as archive:
        master = archive.read("ppt/slideMasters/slideMaster1.xml").decode()
        rels = archive.read("ppt/slideMasters/_rels/slideMaster1.xml.rels").decode()
    renamed = {}
    for number in range(1, 20):
        renamed[f'"rId{number}"'] = f'"rIdX{number}"'
    for old, new in renamed.items():
        master, rels = master.replace(old, new), rels.replace(old, new)
    return _edit_members(source, target, {
        "ppt/slideMasters/slideMaster1.xml": master.encode(),
        "ppt/slideMasters/_rels/slideMaster1.xml.rels": rels.encode()})


def test_master_identical_after_normalising_rids_is_stored_once(tmp_path):
    first = _titled_deck(tmp_path / "a.pptx", ["A"])
    second = _renumbered_master_rels(_titled_deck(tmp_path / "b0.pptx", ["B"]),
                                     tmp_path / "b.pptx")
    with zipfile.ZipFile(second) as archive:
        assert b"rIdX" in archive.read("ppt/slideMasters/slideMaster1.xml")
    package, _ = _checked(assemble(_all(first) + _all(second)))
    assert len(package.parts_of_type(CT_PML + "slideMaster+xml")) == 1


def test_slides_on_two_masters_of_one_file_keep_both(tmp_path):
    path = FIXTURES / "shapecrawler__015.pptx"
    source = Presentation(path)
    package, prs = _checked(assemble(_all(path)))
    assert len(package.parts_of_type(CT_PML + "slideMaster+xml")) == 2
    assert [s.slide_layout.name for s in prs.slides] == [s.slide_layout.name
                                                         for s in source.slides]
    for master in package.parts_of_type(CT_PML + "slideMaster+xml"):
        # only layouts in use are copied, and each master lists exactly its own
        listed = package.xml(master).findall("p:sldLayoutIdLst/p:sldLayoutId", NS)
        assert len(listed) == 1


# -- ids (pitfall 2) -------------------------------------------------------------------------

def test_ids_stay_unique_when_one_slide_is_copied_twice(tmp_path):
    path = _titled_deck(tmp_path / "a.pptx", ["A", "B"])
    prs = Presentation(path)
    ext = etree.SubElement(etree.SubElement(prs.slides[0]._element, f"{{{NS['p']}}}extLst"),
                           f"{{{NS['p']}}}ext", uri="{BB962C8B-B14F-4D97-AF65-F5344CB8AC3E}")
    etree.SubElement(ext, f"{{{NS['p14']}}}creationId", nsmap={"p14": NS["p14"]}, val="1234")
    prs.save(path)
    picks = _all(path) + [_pick(path, 1)]
    package, prs = _checked(assemble(picks))
    ids = [s.slide_id for s in prs.slides]
    assert ids[:2] == [256, 257] and len(set(ids)) == 3 and min(ids) >= 256
    creation = [package.xml(slide).find(".//p14:creationId", NS) for slide in package.slides()]
    values = [element.get("val") for element in creation if element is not None]
    assert len(values) == 2 and len(set(values)) == 2
    master = package.xml("ppt/presentation.xml").find("p:sldMasterIdLst/p:sldMasterId", NS)
    assert int(master.get("id")) >= 2147483648


# -- charts (pitfalls 5 and 6) ---------------------------------------------------------------

def test_chart_comes_with_workbook_style_and_colours_and_is_never_shared():
    path = FIXTURES / "shapecrawler__019.pptx"
    package, prs = _checked(assemble([_pick(path, 1), _pick(path, 1)]))
    charts = package.parts_of_type("application/vnd.openxmlformats-officedocument."
                                   "drawingml.chart+xml")
    assert len(charts) == 2  # one per slide: editing one must not change the other
    workbooks = set()
    for chart in charts:
        kinds = {kind.rsplit("/", 1)[1]: target for _, kind, target, _ in package.rels(chart)}
        assert set(kinds) == {"package", "chartStyle", "chartColorStyle"}
        assert package.read(kinds["package"]) == _closure_member(
            path, "ppt/embeddings/Microsoft_Excel_Worksheet.xlsx")
        assert package.read(kinds["chartStyle"]) == _closure_member(path, "ppt/charts/style1.xml")
        workbooks.add(kinds["package"])
    assert len(workbooks) == 2
    source_chart = next(s for s in Presentation(path).slides[0].shapes if s.has_chart).chart
    for slide in prs.slides:
        chart = next(s for s in slide.shapes if s.has_chart).chart
        assert list(chart.plots[0].categories) == list(source_chart.plots[0].categories)


# -- SmartArt --------------------------------------------------------------------------------

def test_smartart_parts_are_all_copied_and_linked():
    path = FIXTURES / "python-pptx__shp-shapes.pptx"
    package, _ = _checked(assemble([_pick(path, 1)]))
    slide = package.slides()[0]
    kinds = {kind.rsplit("/", 1)[1]: target for _, kind, target, _ in package.rels(slide)}
    for kind, member in [("diagramData", "ppt/diagrams/data1.xml"),
                         ("diagramLayout", "ppt/diagrams/layout1.xml"),
                         ("diagramQuickStyle", "ppt/diagrams/quickStyle1.xml"),
                         ("diagramColors", "ppt/diagrams/colors1.xml"),
                         ("diagramDrawing", "ppt/diagrams/drawing1.xml")]:
        assert package.read(kinds[kind]) == _closure_member(path, member)
    rel_ids = package.xml(slide).find(".//{http://schemas.openxmlformats.org/drawingml/2006/"
                                      "diagram}relIds")
    for attribute in ("dm", "lo", "qs", "cs"):
        assert package.target(slide, rel_ids.get(f"{{{NS['r']}}}{attribute}")) in kinds.values()


# -- OLE, media, SVG, pictures ---------------------------------------------------------------

def test_ole_object_keeps_its_embedding_preview_and_vml_drawing():
    path = FIXTURES / "python-pptx__shp-access-ole-object.pptx"
    package, prs = _checked(assemble(_all(path)))
    source_ole = next(s for s in Presentation(path).slides[0].shapes
                      if s.shape_type == 7)  # MSO_SHAPE_TYPE.EMBEDDED_OLE_OBJECT
    copied = next(s for s in prs.slides[0].shapes if s.shape_type == 7)
    assert copied.ole_format.blob == source_ole.ole_format.blob
    assert copied.ole_format.prog_id == source_ole.ole_format.prog_id
    slide = package.slides()[0]
    drawing = package.targets(slide, "http://schemas.openxmlformats.org/officeDocument/2006/"
                                     "relationships/vmlDrawing")[0]
    assert package.targets(drawing, RT.IMAGE), "the VML preview keeps its picture"
    assert package.content_type(package.targets(drawing, RT.IMAGE)[0]) == "image/x-emf"


def test_video_keeps_media_rel_poster_frame_and_is_stored_once():
    path = FIXTURES / "shapecrawler__video_video-case001.pptx"
    package, _ = _checked(assemble([_pick(path, 1), _pick(path, 1)]))
    mp4s = [name for name in package.names if name.endswith(".mp4")]
    assert len(mp4s) == 1  # identical media is shared
    assert package.read(mp4s[0]) == _closure_member(path, "ppt/media/media1.mp4")
    for slide in package.slides():
        assert package.targets(slide, RT.VIDEO) == mp4s
        assert package.targets(slide, RT_MEDIA) == mp4s
        media = package.xml(slide).find(".//p14:media", NS)
        assert package.target(slide, media.get(f"{{{NS['r']}}}embed")) == mp4s[0]
        poster = package.xml(slide).find(".//p:pic/p:blipFill/a:blip", NS)
        assert package.content_type(package.target(slide, poster.get(
            f"{{{NS['r']}}}embed"))) == "image/png"
    app = package.xml("docProps/app.xml")
    assert app.findtext("ep:MMClips", namespaces=NS) == "1"


def test_svg_picture_keeps_its_png_fallback():
    path = FIXTURES / "shapecrawler__059_crop-images.pptx"
    package, _ = _checked(assemble(_all(path)))
    slide = package.slides()[0]
    svg_blip = package.xml(slide).find(
        ".//{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip")
    svg = package.target(slide, svg_blip.get(f"{{{NS['r']}}}embed"))
    assert package.content_type(svg) == "image/svg+xml"
    assert package.read(svg) == _closure_member(path, "ppt/media/image2.svg")
    fallback = svg_blip.getparent().getparent()  # a:blip/a:extLst/a:ext/asvg:svgBlip
    assert package.content_type(package.target(slide, fallback.getparent().get(
        f"{{{NS['r']}}}embed"))) == "image/png"


def test_identical_pictures_are_shared_and_different_ones_both_kept(tmp_path):
    first = _titled_deck(tmp_path / "a.pptx", ["A1", "A2"], pictures=True)
    second = _titled_deck(tmp_path / "b.pptx", ["B1", "B2"], pictures=True)
    package, _ = _checked(assemble(_all(first) + _all(second)))
    images = package.parts_of_type("image/png")
    # slide N of each deck has the same colour: two distinct images, each stored once
    assert len(images) == 2
    assert len({name.lower() for name in package.names}) == len(package.names)
    with SourceDeck.open(first) as deck:
        assert sorted(package.read(i) for i in images) == sorted(
            deck.read(p) for p in ("ppt/media/image1.png", "ppt/media/image2.png"))


def test_tables_and_groups_come_through_intact():
    tables = FIXTURES / "python-pptx__tbl-cell.pptx"
    groups = FIXTURES / "python-pptx__shp-shapes.pptx"
    _, prs = _checked(assemble(_all(tables) + [_pick(groups, 2)]))
    source = Presentation(tables)
    for copied, original in zip(prs.slides, source.slides):
        copied_tables = [s.table for s in copied.shapes if s.has_table]
        original_tables = [s.table for s in original.shapes if s.has_table]
        assert [[c.text for c in t.iter_cells()] for t in copied_tables] == [
            [c.text for c in t.iter_cells()] for t in original_tables]
    group = next(s for s in prs.slides[3].shapes if s.shape_type == 6)  # MSO_SHAPE_TYPE.GROUP
    original_group = next(s for s in Presentation(groups).slides[1].shapes if s.shape_type == 6)
    assert [s.name for s in group.shapes] == [s.name for s in original_group.shapes]


# -- notes (pitfall 7) -----------------------------------------------------------------------

def test_notes_are_copied_and_share_one_notes_master(tmp_path):
    own = _titled_deck(tmp_path / "own.pptx", ["Own"], notes=True)
    corpus = FIXTURES / "python-pptx__sld-notes.pptx"
    package, prs = _checked(assemble(_all(own) + _all(corpus)))
    assert len(package.parts_of_type(CT_PML + "notesMaster+xml")) == 1
    listed = package.xml("ppt/presentation.xml").findall("p:notesMasterIdLst/p:notesMasterId",
                                                         NS)
    assert len(listed) == 1
    expected = ["notes of Own"] + [
        (s.notes_slide.notes_text_frame.text if s.has_notes_slide else None)
        for s in Presentation(corpus).slides]
    assert [(s.notes_slide.notes_text_frame.text if s.has_notes_slide else None)
            for s in prs.slides] == expected
    for slide in package.slides():
        for notes in package.targets(slide, RT.NOTES_SLIDE):
            assert package.targets(notes, RT.SLIDE) == [slide]
    app = package.xml("docProps/app.xml")
    assert app.findtext("ep:Notes", namespaces=NS) == str(sum(
        1 for s in prs.slides if s.has_notes_slide))


def test_notes_slide_without_a_notes_master_link_gets_one(tmp_path):
    source = _titled_deck(tmp_path / "src.pptx", ["One"], notes=True)
    rels = "ppt/notesSlides/_rels/notesSlide1.xml.rels"
    with zipfile.ZipFile(source) as archive:
        text = archive.read(rels).decode()
    root = etree.fromstring(text.encode())
    for rel in list(root):
        if rel.get("Type") == RT.NOTES_MASTER:
            root.remove(rel)
    broken = _edit_members(source, tmp_path / "broken.pptx", {rels: etree.tostring(root)})
    package, prs = _checked(assemble(_all(broken)))
    assert prs.slides[0].notes_slide.notes_text_frame.text == "notes of One"
    notes = package.targets(package.slides()[0], RT.NOTES_SLIDE)[0]
    assert package.targets(notes, RT.NOTES_MASTER) == package.parts_of_type(
        CT_PML + "notesMaster+xml")


# -- tags, hyperlinks, other parts -----------------------------------------------------------

def test_tags_and_ole_on_layout_and_master_are_copied():
    path = FIXTURES / "shapecrawler__038.pptx"
    package, _ = _checked(assemble(_all(path)))
    tags = package.parts_of_type(CT_PML + "tags+xml")
    assert tags
    referenced = set()
    for part in package.names:
        if part.endswith(".xml") and not part.endswith(".rels"):
            for element in package.xml(part).iterfind(".//p:custDataLst/p:tags", NS):
                referenced.add(package.target(part, element.get(R_ID)))
    assert referenced == set(tags)
    assert not [n for n in package.names if "handoutMaster" in n]


def test_external_hyperlink_is_kept_as_it_is():
    path = FIXTURES / "python-pptx__ext-rels.pptx"
    package, _ = _checked(assemble(_all(path)))
    links = [(target, external) for _, kind, target, external in package.rels(
        package.slides()[0]) if kind == RT.HYPERLINK]
    with zipfile.ZipFile(path) as archive:
        source = etree.fromstring(archive.read("ppt/slides/_rels/slide1.xml.rels"))
    expected = [rel.get("Target") for rel in source if rel.get("Type") == RT.HYPERLINK]
    assert links == [(target, True) for target in expected]


def _linked_deck(path: Path) -> Path:
    """Three slides; a shape on slide 1 jumps to slide 3."""
    _titled_deck(path, ["Start", "Middle", "End"])
    prs = Presentation(path)
    button = prs.slides[0].shapes.add_textbox(Inches(1), Inches(5), Inches(2), Inches(1))
    button.text_frame.text = "go to end"
    button.click_action.target_slide = prs.slides[2]
    prs.save(path)
    return path


def test_slide_jump_points_at_the_copied_target(tmp_path):
    path = _linked_deck(tmp_path / "linked.pptx")
    deck = assemble([_pick(path, 1), _pick(path, 3)])
    assert deck.warnings == []
    _, prs = _checked(deck)
    button = next(s for s in prs.slides[0].shapes if s.has_text_frame
                  and s.text_frame.text == "go to end")
    assert button.click_action.target_slide.slide_id == prs.slides[1].slide_id


def test_slide_jump_to_a_slide_left_out_is_removed_with_a_warning(tmp_path):
    path = _linked_deck(tmp_path / "linked.pptx")
    deck = assemble([_pick(path, 1)])
    assert deck.warnings == [f"{path}: slide 1 links to slide 3, which is not in the output; "
                             "the link was removed"]
    package, prs = _checked(deck)  # no dangling r:id left behind
    assert package.xml(package.slides()[0]).find(".//a:hlinkClick", NS) is None
    assert not package.targets(package.slides()[0], RT.SLIDE)


def _with_comment(source: Path, target: Path) -> Path:
    prs = Presentation(source)
    slide_part = prs.slides[0].part
    comments = Part(PackURI("/ppt/comments/comment1.xml"),
                    CT_PML + "comments+xml", slide_part.package,
                    b'<p:cmLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
                    b'><p:cm authorId="0" idx="1"><p:pos x="10" y="10"/><p:text>fix this</p:text>'
                    b'</p:cm></p:cmLst>')
    slide_part.relate_to(comments, RT.COMMENTS)
    prs.save(target)
    return target


def test_comments_are_dropped_with_a_warning(tmp_path):
    path = _with_comment(_titled_deck(tmp_path / "a.pptx", ["A"]), tmp_path / "commented.pptx")
    deck = assemble(_all(path))
    assert deck.warnings == [f"{path}: comments are not copied"]
    package, _ = _checked(deck)
    assert not [name for name in package.names if "comment" in name.lower()]


def _with_embedded_font(source: Path, target: Path, typeface: str) -> tuple[Path, bytes]:
    prs = Presentation(source)
    font_bytes = b"\x00\x01fake-obfuscated-font-" + typeface.encode()
    font = Part(PackURI("/ppt/fonts/font1.fntdata"), "application/x-fontdata",
                prs.part.package, font_bytes)
    rid = prs.part.relate_to(font, RT.FONT)
    presentation = prs.part._element
    font_list = etree.Element(f"{{{NS['p']}}}embeddedFontLst")
    entry = etree.SubElement(font_list, f"{{{NS['p']}}}embeddedFont")
    etree.SubElement(entry, f"{{{NS['p']}}}font", typeface=typeface)
    etree.SubElement(entry, f"{{{NS['p']}}}regular").set(R_ID, rid)
    presentation.find("p:notesSz", NS).addnext(font_list)
    prs.save(target)
    return target, font_bytes


def test_embedded_fonts_of_every_source_are_listed_once(tmp_path):
    first, first_font = _with_embedded_font(_titled_deck(tmp_path / "a0.pptx", ["A"]),
                                            tmp_path / "a.pptx", "Brand Sans")
    second, second_font = _with_embedded_font(_titled_deck(tmp_path / "b0.pptx", ["B"]),
                                              tmp_path / "b.pptx", "Other Serif")
    again, _ = _with_embedded_font(_titled_deck(tmp_path / "c0.pptx", ["C"]),
                                   tmp_path / "c.pptx", "Brand Sans")
    package, _ = _checked(assemble(_all(first) + _all(second) + _all(again)))
    fonts = package.xml("ppt/presentation.xml").findall("p:embeddedFontLst/p:embeddedFont", NS)
    assert [f.find("p:font", NS).get("typeface") for f in fonts] == ["Brand Sans", "Other Serif"]
    stored = [package.read(package.target("ppt/presentation.xml",
                                          f.find("p:regular", NS).get(R_ID))) for f in fonts]
    assert stored == [first_font, second_font]
    assert package.content_type(package.target(
        "ppt/presentation.xml", fonts[0].find("p:regular", NS).get(R_ID))) == \
        "application/x-fontdata"


# -- slide flags, default text style (pitfalls 13, 14) ---------------------------------------

def test_hidden_flag_and_transition_travel_with_the_slide(tmp_path):
    path = _titled_deck(tmp_path / "a.pptx", ["Shown", "Hidden"], hidden={2})
    prs = Presentation(path)
    transition = etree.Element(f"{{{NS['p']}}}transition", spd="slow")
    etree.SubElement(transition, f"{{{NS['p']}}}fade")
    prs.slides[1]._element.find("p:clrMapOvr", NS).addnext(transition)
    prs.save(path)
    package, prs = _checked(assemble(_all(path)))
    assert [s._element.get("show") for s in prs.slides] == [None, "0"]
    assert prs.slides[1]._element.find("p:transition/p:fade", NS) is not None
    app = package.xml("docProps/app.xml")
    assert (app.findtext("ep:Slides", namespaces=NS),
            app.findtext("ep:HiddenSlides", namespaces=NS)) == ("2", "1")


def _with_default_size(source: Path, target: Path, hundredths: int) -> Path:
    prs = Presentation(source)
    level = prs.part._element.find("p:defaultTextStyle/a:lvl1pPr/a:defRPr", NS)
    level.set("sz", str(hundredths))
    prs.save(target)
    return target


def test_text_box_keeps_the_default_text_style_of_its_old_deck(tmp_path):
    base = _with_default_size(_titled_deck(tmp_path / "a.pptx", ["Base"]),
                              tmp_path / "base.pptx", 1800)
    source = _with_default_size(_titled_deck(tmp_path / "b.pptx", ["Big"]),
                                tmp_path / "big.pptx", 3200)
    package, prs = _checked(assemble(_all(source), base=base))
    defaults = package.xml("ppt/presentation.xml").find("p:defaultTextStyle/a:lvl1pPr/a:defRPr",
                                                        NS)
    assert defaults.get("sz") == "1800"  # the output keeps the base's presentation defaults
    box = next(s for s in prs.slides[0].shapes if not s.is_placeholder)
    carried = box.text_frame._txBody.find("a:lstStyle/a:lvl1pPr/a:defRPr", NS)
    assert carried.get("sz") == "3200"
    title = prs.slides[0].shapes.title.text_frame._txBody.find("a:lstStyle/a:lvl1pPr", NS)
    assert title is None  # placeholders inherit from their own master, not the defaults


def test_style_colours_of_shapes_and_tables_win_over_carried_defaults(tmp_path):
    source = _titled_deck(tmp_path / "b.pptx", ["Styled"])
    prs = Presentation(source)
    shape = prs.slides[0].shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(1), Inches(4), Inches(2),
                                           Inches(1))
    shape.text_frame.text = "white on blue"  # colour and font come from p:style/a:fontRef
    table = prs.slides[0].shapes.add_table(2, 2, Inches(4), Inches(4), Inches(4), Inches(1))
    table.table.cell(0, 0).text = "header"  # colour and bold come from the table style
    level = prs.part._element.find("p:defaultTextStyle/a:lvl1pPr/a:defRPr", NS)
    level.set("sz", "3200")
    level.set("b", "1")
    prs.save(source)
    base = _with_default_size(_titled_deck(tmp_path / "a.pptx", ["Base"]),
                              tmp_path / "base.pptx", 1800)
    _, prs = _checked(assemble(_all(source), base=base))
    slide = prs.slides[0]
    shape = next(s for s in slide.shapes if s.has_text_frame and s.text_frame.text ==
                 "white on blue")
    carried = shape.text_frame._txBody.find("a:lstStyle/a:lvl1pPr/a:defRPr", NS)
    assert carried.get("sz") == "3200"
    assert carried.find("a:solidFill", NS) is None and carried.find("a:latin", NS) is None
    cell = next(s for s in slide.shapes if s.has_table).table.cell(0, 0)
    carried = cell.text_frame._txBody.find("a:lstStyle/a:lvl1pPr/a:defRPr", NS)
    assert carried.get("sz") == "3200" and carried.get("b") is None
    assert carried.find("a:solidFill", NS) is None


def test_an_open_deck_reused_by_builds_with_other_bases_carries_styles_each_time(tmp_path):
    same = _with_default_size(_titled_deck(tmp_path / "a.pptx", ["Same"]), tmp_path / "same.pptx",
                              3200)
    other = _with_default_size(_titled_deck(tmp_path / "b.pptx", ["Other"]),
                               tmp_path / "other.pptx", 1800)
    source = _with_default_size(_titled_deck(tmp_path / "c.pptx", ["Mine"]), tmp_path / "src.pptx",
                                3200)
    with SourceDeck.open(source) as deck:
        sizes = []
        for base in (same, other, same):
            package, prs = _checked(assemble([SlidePick(deck, 256)], base=base))
            box = next(s for s in prs.slides[0].shapes if not s.is_placeholder)
            carried = box.text_frame._txBody.find("a:lstStyle/a:lvl1pPr/a:defRPr", NS)
            sizes.append(None if carried is None else carried.get("sz"))
            assert len(package.parts_of_type(CT_PML + "slideMaster+xml")) == 1
    assert sizes == [None, "3200", None]


def test_text_box_of_a_deck_with_the_same_defaults_is_untouched(tmp_path):
    source = _titled_deck(tmp_path / "a.pptx", ["Same"])
    with zipfile.ZipFile(source) as archive:
        original = archive.read("ppt/slides/slide1.xml")
    package, _ = _checked(assemble(_all(source), base=_titled_deck(tmp_path / "b.pptx", ["B"])))
    assert package.read(package.slides()[0]) == original


# -- sections, base deck, package-level properties -------------------------------------------

def test_sections_come_from_the_picks_and_source_sections_are_dropped(tmp_path):
    path = _titled_deck(tmp_path / "a.pptx", ["One", "Two", "Three"])
    package, _ = _checked(assemble([_pick(path, 1, "Opening"), _pick(path, 2),
                                    _pick(path, 3, "Close")]))
    sections = package.xml("ppt/presentation.xml").findall(".//p14:section", NS)
    assert [(s.get("name"), [int(i.get("id")) for i in s.iterfind("p14:sldIdLst/p14:sldId", NS)])
            for s in sections] == [("Opening", [256, 257]), ("Close", [258])]
    with_sections = FIXTURES / "shapecrawler__008.pptx"
    package, _ = _checked(assemble(_all(with_sections)))
    assert package.xml("ppt/presentation.xml").find(".//p14:sectionLst", NS) is None


def test_base_sets_size_and_properties_and_adds_its_first_and_last_slides(tmp_path):
    base = _titled_deck(tmp_path / "base.pptx", ["Cover", "Middle", "Back"])
    prs = Presentation(base)
    prs.core_properties.title = "Base title"
    prs.save(base)
    body = _titled_deck(tmp_path / "body.pptx", ["Body"])
    package, prs = _checked(assemble(_all(body), base=base, base_slides="both"))
    assert [s.shapes.title.text for s in prs.slides] == ["Cover", "Body", "Back"]
    assert prs.core_properties.title == "Base title"
    assert (prs.slide_width, prs.slide_height) == (9144000, 6858000)
    _, prs = _checked(assemble(_all(body), base=base, base_slides="first"))
    assert [s.shapes.title.text for s in prs.slides] == ["Cover", "Body"]


def test_with_strict_slides_of_another_size_are_refused_naming_both_sizes(tmp_path):
    wide = FIXTURES / "shapecrawler__015.pptx"
    base = _titled_deck(tmp_path / "base.pptx", ["Cover"])
    with pytest.raises(InputFileError) as caught:
        assemble(_all(wide), base=base, strict=True)
    text = str(caught.value)
    assert text.startswith(f"{display_path(wide)}: its slides are 33.87 x 19.05 cm (16:9) but "
                           f"the output's are 25.40 x 19.05 cm (4:3) (from {display_path(base)})")
    assert "strict mode refuses to scale them" in text


def test_base_slides_value_is_checked(tmp_path):
    path = _titled_deck(tmp_path / "a.pptx", ["A"])
    with pytest.raises(DeckgenError, match="base_slides must be one of none, first, last, both"):
        assemble(_all(path), base=path, base_slides="middle")


@pytest.mark.parametrize("main_type, extension", [
    (CT_PML + "template.main+xml", "potx"),
    (CT_PML + "slideshow.main+xml", "ppsx"),
    ("application/vnd.ms-powerpoint.template.macroEnabled.main+xml", "potm"),
    ("application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml", "pptm"),
])
def test_template_show_and_macro_decks_become_a_plain_pptx(tmp_path, main_type, extension):
    source = _titled_deck(tmp_path / "a.pptx", ["From a variant"])
    variant = _replace_in_member(source, tmp_path / f"deck.{extension}", "[Content_Types].xml",
                                 CT_PML + "presentation.main+xml", main_type)
    macro = "macroEnabled" in main_type
    if macro:
        prs_rels = "ppt/_rels/presentation.xml.rels"
        with zipfile.ZipFile(variant) as archive:
            rels = archive.read(prs_rels).decode().replace(
                "</Relationships>",
                '<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/'
                'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
        variant = _edit_members(variant, tmp_path / f"vba.{extension}", {
            prs_rels: rels.encode(), "ppt/vbaProject.bin": b"VBA project bytes"})
    deck = assemble(_all(variant))
    package, prs = _checked(deck)
    assert package.content_type("ppt/presentation.xml") == CT_PML + "presentation.main+xml"
    assert prs.slides[0].shapes.title.text == "From a variant"
    assert not [name for name in package.names if "vba" in name.lower()]
    assert deck.warnings == ([f"{variant}: its macros (VBA) are not copied; the output is a "
                              "plain .pptx"] if macro else [])


def test_every_part_has_a_content_type_and_names_are_unique(tmp_path):
    sources = [FIXTURES / "python-pptx__shp-shapes.pptx",
               FIXTURES / "python-pptx__shp-access-ole-object.pptx",
               FIXTURES / "shapecrawler__019.pptx", FIXTURES / "python-pptx__sld-notes.pptx"]
    picks = [pick for path in sources for pick in _all(path)]
    package, prs = _checked(assemble(picks))
    for name in package.names:
        if name != "[Content_Types].xml":
            assert package.content_type(name), name
    assert len({name.lower() for name in package.names}) == len(package.names)
    assert len(prs.slides) == len(picks)


def test_output_bytes_are_the_same_for_the_same_inputs(tmp_path):
    path = FIXTURES / "python-pptx__shp-shapes.pptx"
    assert assemble(_all(path)).to_bytes() == assemble(_all(path)).to_bytes()


def test_threads_sharing_open_decks_get_the_same_bytes(tmp_path):
    first = _titled_deck(tmp_path / "a.pptx", [f"A{n}" for n in range(6)], pictures=True)
    second = FIXTURES / "shapecrawler__019.pptx"
    with SourceDeck.open(first) as a, SourceDeck.open(second) as b:
        picks = [SlidePick(a, i) for i in a.slide_ids] + [SlidePick(b, i) for i in b.slide_ids]
        expected = assemble(picks).to_bytes()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: assemble(picks).to_bytes(), range(12)))
    assert all(result == expected for result in results)


def test_no_slides_is_an_error():
    with pytest.raises(SlideSelectionError, match="no slides to assemble"):
        assemble([])


# -- reading only the closure (requirement 5) ------------------------------------------------

def _library_deck(path: Path) -> Path:
    """Three slides, each with its own picture, notes and (on slide 3) a chart."""
    _titled_deck(path, ["One", "Two", "Three"], notes=True, pictures=True)
    prs = Presentation(path)
    data = CategoryChartData()
    data.categories = ["a", "b"]
    data.add_series("s", (1, 2))
    prs.slides[2].shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(1),
                                   Inches(4), Inches(3), data)
    prs.save(path)
    return path


def test_only_the_selected_slides_closure_is_read(tmp_path, monkeypatch):
    library = _library_deck(tmp_path / "library.pptx")
    base = _titled_deck(tmp_path / "base.pptx", ["Cover"], notes=True)
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def recording_open(archive, name, *args, **kwargs):
        if archive.filename == str(library):
            opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real_open(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    deck = assemble([SlidePick(library, 257)], base=base)
    data = deck.to_bytes()
    monkeypatch.undo()
    with zipfile.ZipFile(library) as archive:
        layout = "ppt/slideLayouts/slideLayout6.xml"  # "Title Only"
        assert layout in archive.namelist()
    allowed = {"[Content_Types].xml", "_rels/.rels", "ppt/presentation.xml",
               "ppt/_rels/presentation.xml.rels", "ppt/slides/slide2.xml",
               "ppt/slides/_rels/slide2.xml.rels", layout,
               "ppt/slideLayouts/_rels/slideLayout6.xml.rels", "ppt/slideMasters/slideMaster1.xml",
               "ppt/slideMasters/_rels/slideMaster1.xml.rels", "ppt/theme/theme1.xml",
               "ppt/notesSlides/_rels/notesSlide2.xml.rels",
               "ppt/notesSlides/notesSlide2.xml"}    # its prolog is read (no DOCTYPE), then copied as stored
    assert set(opened) <= allowed, set(opened) - allowed
    assert "ppt/slides/slide2.xml" in opened
    # media and notes are copied as stored, without being decompressed
    assert "ppt/media/image2.png" not in opened
    package = Package(data)
    picture = package.targets(package.slides()[0], RT.IMAGE)[0]
    assert package.read(picture) == _closure_member(library, "ppt/media/image2.png")
    assert Presentation(io.BytesIO(data)).slides[0].notes_slide.notes_text_frame.text == \
        "notes of Two"


# -- saving ----------------------------------------------------------------------------------

def test_save_is_atomic_and_refuses_a_source_changed_meanwhile(tmp_path):
    path = _titled_deck(tmp_path / "a.pptx", ["A"], pictures=True)
    deck = assemble(_all(path))
    output = tmp_path / "out.pptx"
    deck.save(output)
    assert Presentation(output).slides[0].shapes.title.text == "A"
    first = output.read_bytes()
    _titled_deck(path, ["A, changed on disk", "B"], pictures=True)
    with pytest.raises(PackageError, match="changed while deckgen was using it"):
        deck.save(output)
    assert output.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pptx", "out.pptx"]


@pytest.mark.libreoffice
def test_libreoffice_renders_every_slide_of_a_merged_deck(tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    picks = (_all(FIXTURES / "python-pptx__shp-shapes.pptx")
             + _all(FIXTURES / "shapecrawler__019.pptx")
             + _all(FIXTURES / "python-pptx__sld-notes.pptx"))
    output = tmp_path / "merged.pptx"
    assemble(picks).save(output)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(output)],
                   check=True, capture_output=True, timeout=300)
    info = subprocess.run(["pdfinfo", str(tmp_path / "merged.pdf")], check=True,
                          capture_output=True, text=True).stdout
    pages = next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
    assert int(pages) == len(picks)
