"""The presentation-level parts of an output deck: presentation.xml, its properties, docProps.

They start from the "props deck" (the base deck, else the first source): its slide size,
default text style, show settings and core properties. Lists that name parts (masters, notes
master, slides, fonts, sections) are rebuilt for the output; lists that would name parts or
slides that were not copied (custom shows, smart tags, tags, handout masters, the password to
modify) are dropped.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from lxml import etree

from deckgen.ooxml import names as n
from deckgen.ooxml.charts import AppIdentity
from deckgen.ooxml.names import qn
from deckgen.ooxml.outpackage import OutPart, OutRel, rels_xml, serialize
from deckgen.ooxml.package import SourceDeck

PRESENTATION_PART = "ppt/presentation.xml"
RESERVED_NAMES = (PRESENTATION_PART, "ppt/presProps.xml", "ppt/viewProps.xml",
                  "ppt/tableStyles.xml", "docProps/core.xml", "docProps/app.xml")
_ORDER = [qn(tag) for tag in (
    "p:sldMasterIdLst", "p:notesMasterIdLst", "p:handoutMasterIdLst", "p:sldIdLst", "p:sldSz",
    "p:notesSz", "p:smartTags", "p:embeddedFontLst", "p:custShowLst", "p:photoAlbum",
    "p:custDataLst", "p:kinsoku", "p:defaultTextStyle", "p:modifyVerifier", "p:extLst")]
_REBUILT_OR_DROPPED = ("p:sldMasterIdLst", "p:notesMasterIdLst", "p:handoutMasterIdLst",
                       "p:sldIdLst", "p:smartTags", "p:embeddedFontLst", "p:custShowLst",
                       "p:custDataLst", "p:modifyVerifier")
_SECTIONS_URI = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"
_DEFAULT_TABLE_STYLE = "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"  # Medium Style 2 - Accent 1
_DEFAULT_SECTION = "Default Section"


@dataclass
class SlideEntry:
    """What presentation.xml and app.xml need to know about one output slide."""

    part: OutPart
    slide_id: int
    hidden: bool
    section: str | None
    has_notes: bool


@dataclass
class EmbeddedFont:
    """One ``p:embeddedFont``: its ``p:font`` element and output font part per style."""

    face: etree._Element
    parts: dict[str, str]


def presentation_part(props: SourceDeck, masters: list[tuple[str, int]],
                      notes_master: str | None, slides: list[SlideEntry],
                      fonts: list[EmbeddedFont]) -> OutPart:
    """presentation.xml of the output: the props deck's, with its part lists rebuilt."""
    root = props.xml(props.main_part)
    for tag in _REBUILT_OR_DROPPED:
        for element in root.findall(qn(tag)):
            root.remove(element)
    part = OutPart(PRESENTATION_PART, n.CT_PRESENTATION)
    master_list = etree.Element(qn("p:sldMasterIdLst"))
    for name, master_id in masters:
        entry = etree.SubElement(master_list, qn("p:sldMasterId"))
        entry.set("id", str(master_id))
        entry.set(qn("r:id"), part.add_rel(n.RT_SLIDE_MASTER, name))
    _insert_ordered(root, master_list)
    if notes_master is not None:
        notes_list = etree.Element(qn("p:notesMasterIdLst"))
        etree.SubElement(notes_list, qn("p:notesMasterId")).set(
            qn("r:id"), part.add_rel(n.RT_NOTES_MASTER, notes_master))
        _insert_ordered(root, notes_list)
    slide_list = etree.Element(qn("p:sldIdLst"))
    for slide in slides:
        entry = etree.SubElement(slide_list, qn("p:sldId"))
        entry.set("id", str(slide.slide_id))
        entry.set(qn("r:id"), part.add_rel(n.RT_SLIDE, slide.part.name))
    _insert_ordered(root, slide_list)
    if fonts:
        font_list = etree.Element(qn("p:embeddedFontLst"))
        for font in fonts:
            entry = etree.SubElement(font_list, qn("p:embeddedFont"))
            entry.append(etree.fromstring(etree.tostring(font.face)))
            for style, target in font.parts.items():
                etree.SubElement(entry, qn(f"p:{style}")).set(
                    qn("r:id"), part.add_rel(n.RT_FONT, target))
        _insert_ordered(root, font_list)
    _set_sections(root, slides)
    part.root = root
    return part


def _insert_ordered(root: etree._Element, element: etree._Element) -> None:
    """Insert ``element`` into presentation.xml's root at its schema position."""
    rank = _ORDER.index(element.tag)
    for index, child in enumerate(root):
        if child.tag in _ORDER and _ORDER.index(child.tag) > rank:
            root.insert(index, element)
            return
    root.append(element)


def _set_sections(root: etree._Element, slides: list[SlideEntry]) -> None:
    """Sections from the picks (a pick without a name continues the section before it); the
    props deck's own sections name its slides, so they always go."""
    ext_list = root.find(qn("p:extLst"))
    if ext_list is not None:
        for ext in ext_list.findall(qn("p:ext")):
            if ext.get("uri") == _SECTIONS_URI:
                ext_list.remove(ext)
    if all(slide.section is None for slide in slides):
        if ext_list is not None and not len(ext_list):
            root.remove(ext_list)
        return
    if ext_list is None:
        ext_list = etree.Element(qn("p:extLst"))
        _insert_ordered(root, ext_list)
    ext = etree.Element(qn("p:ext"), uri=_SECTIONS_URI)
    ext_list.insert(0, ext)
    sections = etree.SubElement(ext, qn("p14:sectionLst"), nsmap={"p14": n.NS["p14"]})
    current, ids = None, None
    for index, slide in enumerate(slides):
        name = slide.section or current or _DEFAULT_SECTION
        if name != current:
            section = etree.SubElement(sections, qn("p14:section"))
            section.set("name", name)
            guid = uuid.uuid5(uuid.NAMESPACE_URL, f"deckgen-section:{index}:{name}")
            section.set("id", "{%s}" % str(guid).upper())
            ids = etree.SubElement(section, qn("p14:sldIdLst"))
            current = name
        etree.SubElement(ids, qn("p14:sldId")).set("id", str(slide.slide_id))


def properties_parts(props: SourceDeck, presentation: OutPart, theme: str | None,
                     table_styles: list[etree._Element]) -> list[OutPart]:
    """presProps, viewProps and tableStyles of the output, each related from ``presentation``
    (as is ``theme``, the first master's theme, which PowerPoint expects there)."""
    parts = [_pres_props(props)]
    view_props = target_of(props, n.RT_VIEW_PROPS)
    if (view_props is not None and not props.rels(view_props)
            and not _has_relationship_attributes(props.xml(view_props))):
        parts.append(OutPart("ppt/viewProps.xml", props.content_type(view_props),
                             data=props.read(view_props)))
    parts.append(OutPart("ppt/tableStyles.xml", _type_of(props, n.RT_TABLE_STYLES, "tableStyles"),
                         data=serialize(_table_styles(props, table_styles))))
    for part in parts:
        reltype = {"ppt/presProps.xml": n.RT_PRES_PROPS, "ppt/viewProps.xml": n.RT_VIEW_PROPS,
                   "ppt/tableStyles.xml": n.RT_TABLE_STYLES}[part.name]
        presentation.add_rel(reltype, part.name)
    if theme is not None:
        presentation.add_rel(n.RT_THEME, theme)
    return parts


def _pres_props(props: SourceDeck) -> OutPart:
    source = target_of(props, n.RT_PRES_PROPS)
    root = props.xml(source) if source is not None else etree.Element(
        qn("p:presentationPr"), nsmap={"p": n.NS["p"]})
    show = root.find(qn("p:showPr"))
    for element in list(show) if show is not None else ():
        # custom shows and slide ranges name slides of the old deck: show all slides instead
        if element.tag in (qn("p:custShow"), qn("p:sldRg")):
            element.addnext(etree.Element(qn("p:sldAll")))
            show.remove(element)
    return OutPart("ppt/presProps.xml", _type_of(props, n.RT_PRES_PROPS, "presProps"),
                   data=serialize(root))


def _table_styles(props: SourceDeck, extra: list[etree._Element]) -> etree._Element:
    source = target_of(props, n.RT_TABLE_STYLES)
    if source is not None:
        root = props.xml(source)
    else:
        root = etree.Element(qn("a:tblStyleLst"), nsmap={"a": n.NS["a"]})
        root.set("def", _DEFAULT_TABLE_STYLE)
    have = {style.get("styleId") for style in root.iter(qn("a:tblStyle"))}
    for style in extra:
        if style.get("styleId") not in have:
            root.append(etree.fromstring(etree.tostring(style)))
            have.add(style.get("styleId"))
    return root


def table_styles_of(deck: SourceDeck, style_ids: set[str]) -> list[etree._Element]:
    """The deck's custom table styles among ``style_ids`` (built-in ones are not stored)."""
    source = target_of(deck, n.RT_TABLE_STYLES)
    if source is None or not style_ids:
        return []
    return [style for style in deck.xml(source).iter(qn("a:tblStyle"))
            if style.get("styleId") in style_ids]


def doc_props_parts(props: SourceDeck, slides: list[SlideEntry],
                    identity: AppIdentity) -> list[OutPart]:
    """docProps/core.xml from the props deck, and an app.xml whose counts match the output and
    that names ``identity`` as the application that wrote it."""
    parts = []
    core = next((rel.part for rel in props.rels("")
                 if rel.reltype == n.RT_CORE_PROPERTIES and not rel.external), None)
    if core is not None and props.has_part(core):
        parts.append(OutPart("docProps/core.xml", n.CT_CORE_PROPERTIES, data=props.read(core)))
    app = etree.Element(qn("ep:Properties"), nsmap={None: n.NS["ep"], "vt": n.NS["vt"]})
    clips = {rel.target for slide in slides for rel in slide.part.rels
             if rel.reltype in (n.RT_VIDEO, n.RT_AUDIO) and not rel.external}
    for tag, value in (("Application", identity.application), ("Slides", len(slides)),
                       ("Notes", sum(1 for slide in slides if slide.has_notes)),
                       ("HiddenSlides", sum(1 for slide in slides if slide.hidden)),
                       ("MMClips", len(clips)), ("AppVersion", identity.version)):
        if value != "":
            etree.SubElement(app, qn(f"ep:{tag}")).text = str(value)
    parts.append(OutPart("docProps/app.xml", n.CT_EXTENDED_PROPERTIES, data=serialize(app)))
    return parts


def package_rels_part(presentation: OutPart, doc_props: list[OutPart]) -> OutPart:
    """_rels/.rels: the main part and the document properties."""
    package = OutPart("", "", [OutRel("rId1", n.RT_OFFICE_DOCUMENT, presentation.name)])
    for part in doc_props:
        package.add_rel(n.RT_CORE_PROPERTIES if part.content_type == n.CT_CORE_PROPERTIES
                        else n.RT_EXTENDED_PROPERTIES, part.name)
    return OutPart("_rels/.rels", n.CT_RELATIONSHIPS, data=rels_xml(package))


def target_of(deck: SourceDeck, reltype: str) -> str | None:
    """The stored part that the deck's presentation part relates to by ``reltype``, if any."""
    return next((rel.part for rel in deck.rels(deck.main_part)
                 if rel.reltype == reltype and not rel.external and deck.has_part(rel.part)),
                None)


def _type_of(props: SourceDeck, reltype: str, kind: str) -> str:
    source = target_of(props, reltype)
    known = props.content_type(source) if source is not None else ""
    return known or f"application/vnd.openxmlformats-officedocument.presentationml.{kind}+xml"


def _has_relationship_attributes(root: etree._Element) -> bool:
    prefix = "{" + n.R_NS + "}"
    return any(name.startswith(prefix) for element in root.iter() for name in element.attrib)
