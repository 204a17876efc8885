"""Write small decks with the traits of real-world decks that slide copying must survive.

`python scripts/make_trait_decks.py [FOLDER]` (default: tests/fixtures/traits)

Each deck is built with python-pptx and then edited the way another tool (or an older
PowerPoint) would have written it: an unused relationship to "NULL", a fragment-only hyperlink
target, a picture missing from the package, no docProps/app.xml, no p:defaultTextStyle,
right-to-left defaults, an ISO 29500 Strict package, and charts written by PowerPoint 2007 whose
data-label and 3-D flags are left implicit. bench/fidelity.py runs on the folder like on any
other (`python bench/fidelity.py tests/fixtures/traits`); tests/test_traits.py checks each trait.
"""
from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Callable

from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches, Pt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout: the Strict mapping below is deckgen's own

from deckgen.ooxml.strict import NAMESPACES  # noqa: E402

DEFAULT_FOLDER = ROOT / "tests" / "fixtures" / "traits"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
OFFICE_2007_APP = (b"<Application>Microsoft Office PowerPoint</Application>", b"12.0000")


# -- building blocks -------------------------------------------------------------------------

def _saved(prs: Presentation) -> dict[str, bytes]:
    buffer = io.BytesIO()
    prs.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data)
    return buffer.getvalue()


def _png(colour: tuple[int, int, int]) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def _text_slide(prs: Presentation, title: str, paragraphs: list[str]) -> None:
    """A "Title Only" slide with a title and one text box of several paragraphs (text boxes
    inherit p:defaultTextStyle, placeholders do not)."""
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = title
    box = slide.shapes.add_textbox(Inches(0.8), Inches(1.8), Inches(8.4), Inches(4))
    frame = box.text_frame
    frame.word_wrap = True
    frame.text = paragraphs[0]
    for text in paragraphs[1:]:
        frame.add_paragraph().text = text


def _add_rel(members: dict[str, bytes], rels_part: str, rid: str, reltype: str, target: str
             ) -> None:
    entry = f'<Relationship Id="{rid}" Type="{reltype}" Target="{target}"/>'
    members[rels_part] = members[rels_part].replace(b"</Relationships>",
                                                    entry.encode() + b"</Relationships>")


def _with_app(members: dict[str, bytes], application: bytes, version: bytes) -> None:
    """Say in docProps/app.xml which application (and version) wrote the package."""
    app = members["docProps/app.xml"]
    app = re.sub(rb"<Application>.*?</Application>", application, app)
    app = re.sub(rb"<AppVersion>.*?</AppVersion>", b"", app)
    members["docProps/app.xml"] = app.replace(
        b"</Properties>", b"<AppVersion>" + version + b"</AppVersion></Properties>")


PARAGRAPHS = ["Quarterly results at a glance", "Revenue grew in every region we serve",
              "Margins held steady while we hired", "Next: the plan for the coming year"]


# -- the traits ------------------------------------------------------------------------------

def unused_null_relationship() -> bytes:
    """Three slides; the second carries an image relationship to "NULL" that nothing uses."""
    prs = Presentation()
    for number in range(1, 4):
        _text_slide(prs, f"Slide {number} of three", PARAGRAPHS[:2])
    members = _saved(prs)
    _add_rel(members, "ppt/slides/_rels/slide2.xml.rels", "rId99", RT + "image", "NULL")
    return _zipped(members)


def fragment_hyperlink() -> bytes:
    """A text run whose hyperlink relationship targets a fragment only ("#_ftn1")."""
    prs = Presentation()
    _text_slide(prs, "Footnote links", ["See the note below", "Another paragraph"])
    members = _saved(prs)
    _add_rel(members, "ppt/slides/_rels/slide1.xml.rels", "rId98", RT + "hyperlink", "#_ftn1")
    slide = members["ppt/slides/slide1.xml"]
    run = b"<a:r><a:t>See the note below</a:t></a:r>"
    assert run in slide, "python-pptx wrote the run differently"
    members["ppt/slides/slide1.xml"] = slide.replace(run, run.replace(
        b"<a:r>", b'<a:r><a:rPr lang="en-US"><a:hlinkClick r:id="rId98"/></a:rPr>'))
    return _zipped(members)


def missing_picture() -> bytes:
    """Two slides; the first shows a picture whose part is gone from the package."""
    prs = Presentation()
    _text_slide(prs, "A picture went missing", PARAGRAPHS[:1])
    prs.slides[0].shapes.add_picture(_png((200, 40, 40)), Inches(6), Inches(4.5), Inches(2))
    _text_slide(prs, "This slide is complete", PARAGRAPHS[1:3])
    members = _saved(prs)
    picture = next(name for name in members if name.startswith("ppt/media/"))
    del members[picture]
    return _zipped(members)


def no_app_properties() -> bytes:
    """No docProps/app.xml at all (some generators leave it out)."""
    prs = Presentation()
    _text_slide(prs, "Written without app.xml", PARAGRAPHS)
    members = _saved(prs)
    del members["docProps/app.xml"]
    members["_rels/.rels"] = re.sub(rb'<Relationship [^>]*extended-properties"[^>]*/>', b"",
                                    members["_rels/.rels"])
    members["[Content_Types].xml"] = re.sub(rb'<Override PartName="/docProps/app.xml"[^>]*/>',
                                            b"", members["[Content_Types].xml"])
    return _zipped(members)


def no_default_text_style() -> bytes:
    """presentation.xml without p:defaultTextStyle; text boxes with paragraphs of their own
    spacing, and one with nothing set."""
    prs = Presentation()
    _text_slide(prs, "No default text style", PARAGRAPHS)
    _text_slide(prs, "Second slide", PARAGRAPHS[1:])
    members = _saved(prs)
    members["ppt/presentation.xml"] = re.sub(rb"<p:defaultTextStyle>.*</p:defaultTextStyle>", b"",
                                             members["ppt/presentation.xml"], flags=re.S)
    return _zipped(members)


def two_text_boxes_without_fonts() -> bytes:
    """Two text boxes in a deck whose default text style names no font (as some generators
    write it): its text takes the reader's default font, not the theme's."""
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    for top, text in ((1, "Two text boxes: the first one has a sentence of ordinary text"),
                      (3.5, "The second box has another sentence, with more words in it")):
        box = slide.shapes.add_textbox(Inches(0.5), Inches(top), Inches(9), Inches(2))
        box.text_frame.word_wrap = True
        box.text_frame.text = text
    members = _saved(prs)
    members["ppt/presentation.xml"] = re.sub(
        rb'<a:latin typeface="\+mn-lt"/><a:ea typeface="\+mn-ea"/><a:cs typeface="\+mn-cs"/>',
        b"", members["ppt/presentation.xml"])
    return _zipped(members)


def right_to_left() -> bytes:
    """A deck whose default text style is right-to-left, right-aligned, with its own spacing
    and size, as a deck made for Arabic or Hebrew would have."""
    prs = Presentation()
    _text_slide(prs, "Right to left", PARAGRAPHS)
    members = _saved(prs)
    presentation = members["ppt/presentation.xml"]
    style = re.search(rb"<p:defaultTextStyle>.*</p:defaultTextStyle>", presentation, re.S).group(0)
    rtl = style.replace(b'algn="l"', b'algn="r"').replace(b'rtl="0"', b'rtl="1"')
    rtl = rtl.replace(b'sz="1800"', b'sz="2000"')
    rtl = re.sub(rb'(<a:lvl\dpPr [^>]*>)',
                 rb'\1<a:lnSpc><a:spcPct val="150000"/></a:lnSpc>'
                 rb'<a:spcBef><a:spcPts val="1200"/></a:spcBef>', rtl)
    members["ppt/presentation.xml"] = presentation.replace(style, rtl)
    return _zipped(members)


def _chart_deck(kind: str) -> dict[str, bytes]:
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = f"A {kind} chart from PowerPoint 2007"
    data = CategoryChartData()
    data.categories = ["North", "South", "East", "West"]
    data.add_series("2023", (4.1, 3.2, 5.0, 2.7))
    data.add_series("2024", (4.8, 3.9, 5.6, 3.1))
    slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(0.8), Inches(1.6), Inches(8.4),
                           Inches(5.2), data)
    members = _saved(prs)
    _with_app(members, *OFFICE_2007_APP)
    return members


def chart_implicit_label_flags() -> bytes:
    """A column chart with data labels whose show-flags are all left implicit, in a package
    that says PowerPoint 2007 wrote it (which reads such flags as "off")."""
    members = _chart_deck("column")
    chart = members["ppt/charts/chart1.xml"]
    assert b"</c:ser><c:axId" in chart, "python-pptx wrote the chart differently"
    members["ppt/charts/chart1.xml"] = chart.replace(
        b"</c:ser><c:axId", b'</c:ser><c:dLbls><c:dLblPos val="outEnd"/></c:dLbls><c:axId', 1)
    return _zipped(members)


def chart_3d_column() -> bytes:
    """A 3-D column chart whose right-angle-axes flag is implicit, from PowerPoint 2007."""
    members = _chart_deck("3-D column")
    root = etree.fromstring(members["ppt/charts/chart1.xml"])
    chart = root.find(f"{{{C}}}chart")
    view = etree.Element(f"{{{C}}}view3D")
    for tag, value in (("rotX", "15"), ("rotY", "20"), ("perspective", "30")):
        etree.SubElement(view, f"{{{C}}}{tag}", val=value)
    chart.find(f"{{{C}}}plotArea").addprevious(view)
    bar = root.find(f".//{{{C}}}barChart")
    bar.tag = f"{{{C}}}bar3DChart"
    for overlap in bar.findall(f"{{{C}}}overlap"):
        bar.remove(overlap)
    members["ppt/charts/chart1.xml"] = etree.tostring(root, xml_declaration=True,
                                                      encoding="UTF-8", standalone=True)
    return _zipped(members)


def strict_open_xml() -> bytes:
    """The deck PowerPoint writes as "Strict Open XML Presentation": purl.oclc.org namespaces
    and relationship types, percentages written as "50%"; text, a table, a picture, a chart."""
    prs = Presentation()
    _text_slide(prs, "A Strict Open XML deck", PARAGRAPHS[:3])
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Table, picture and shape"
    table = slide.shapes.add_table(3, 3, Inches(0.5), Inches(1.6), Inches(5), Inches(1.8)).table
    for row in range(3):
        for column in range(3):
            table.cell(row, column).text = f"r{row + 1}c{column + 1}"
    slide.shapes.add_picture(_png((30, 120, 200)), Inches(6), Inches(1.6), Inches(3))
    box = slide.shapes.add_textbox(Inches(0.5), Inches(4.5), Inches(8), Inches(1))
    box.text_frame.text = "Theme colours use lumMod and lumOff percentages"
    box.fill.solid()
    box.fill.fore_color.rgb = RGBColor(250, 230, 180)
    box.text_frame.paragraphs[0].runs[0].font.size = Pt(20)
    members = _saved(prs)
    return _zipped({name: _to_strict(name, data) for name, data in members.items()})


_TRANSITIONAL = {transitional: strict for strict, transitional in reversed(NAMESPACES.items())}
_PERCENT_VALUES = {f"{{{A}}}{tag}" for tag in (
    "lumMod", "lumOff", "tint", "shade", "alpha", "satMod", "spcPct", "buSzPct")}


def _to_strict(name: str, data: bytes) -> bytes:
    if name.endswith(".rels"):
        text = data.decode("utf-8")
        text = text.replace("http://schemas.openxmlformats.org/package/2006/relationships/"
                            "metadata/core-properties",
                            "http://schemas.openxmlformats.org/officedocument/2006/"
                            "relationships/metadata/core-properties")
        text = re.sub(r'Type="http://schemas\.openxmlformats\.org/officeDocument/2006/'
                      r'relationships/([\w-]+)"',
                      lambda m: 'Type="http://purl.oclc.org/ooxml/officeDocument/relationships/'
                                + {"extended-properties": "extendedProperties"}.get(
                                    m.group(1), m.group(1)) + '"', text)
        return text.encode("utf-8")
    if not name.endswith(".xml") or name == "[Content_Types].xml":
        return data
    root = etree.fromstring(data)
    for element in root.iter():
        if element.tag in _PERCENT_VALUES and element.get("val"):
            element.set("val", f"{int(element.get('val')) / 1000:g}%")
        if element.tag == f"{{{A}}}gs":
            element.set("pos", f"{int(element.get('pos')) / 1000:g}%")
        if element.tag == f"{{{C}}}gapWidth":
            element.set("val", f"{element.get('val')}%")
    if root.tag == f"{{{P}}}presentation":
        root.set("conformance", "strict")
    text = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return re.sub(rb'(xmlns(?::\w+)?=")([^"]+)"',
                  lambda m: m.group(1) + _TRANSITIONAL.get(m.group(2).decode(),
                                                           m.group(2).decode()).encode() + b'"',
                  text)


TRAITS: dict[str, Callable[[], bytes]] = {
    "trait-unused-null-rel.pptx": unused_null_relationship,
    "trait-fragment-hyperlink.pptx": fragment_hyperlink,
    "trait-missing-picture.pptx": missing_picture,
    "trait-no-app-xml.pptx": no_app_properties,
    "trait-no-default-text-style.pptx": no_default_text_style,
    "trait-two-text-boxes-no-font.pptx": two_text_boxes_without_fonts,
    "trait-rtl.pptx": right_to_left,
    "trait-chart-implicit-labels.pptx": chart_implicit_label_flags,
    "trait-chart-3d.pptx": chart_3d_column,
    "trait-strict.pptx": strict_open_xml,
}


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in TRAITS.items():
        (folder / name).write_bytes(make())
        print(folder / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
