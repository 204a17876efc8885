"""OOXML vocabulary: namespaces, relationship and content types, and part-name arithmetic."""
from __future__ import annotations

import posixpath
from functools import lru_cache
from urllib.parse import unquote

from lxml import etree

NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p14": "http://schemas.microsoft.com/office/powerpoint/2010/main",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
}
R_NS = NS["r"]


@lru_cache(maxsize=4096)     # bounded: a few names come from data (a paragraph's lvl)
def qn(name: str) -> str:
    """Clark notation of a prefixed name: ``qn("p:sldId")`` -> ``{...presentationml...}sldId``."""
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


# -- relationship types ------------------------------------------------------------------------
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_OFFICE_DOCUMENT = _RT + "officeDocument"
RT_CORE_PROPERTIES = ("http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
                      "core-properties")
RT_EXTENDED_PROPERTIES = _RT + "extended-properties"
RT_SLIDE = _RT + "slide"
RT_SLIDE_LAYOUT = _RT + "slideLayout"
RT_SLIDE_MASTER = _RT + "slideMaster"
RT_NOTES_SLIDE = _RT + "notesSlide"
RT_NOTES_MASTER = _RT + "notesMaster"
RT_HANDOUT_MASTER = _RT + "handoutMaster"
RT_THEME = _RT + "theme"
RT_PRES_PROPS = _RT + "presProps"
RT_VIEW_PROPS = _RT + "viewProps"
RT_TABLE_STYLES = _RT + "tableStyles"
RT_FONT = _RT + "font"
RT_IMAGE = _RT + "image"
RT_HYPERLINK = _RT + "hyperlink"
RT_AUDIO = _RT + "audio"
RT_VIDEO = _RT + "video"
RT_MEDIA = "http://schemas.microsoft.com/office/2007/relationships/media"
RT_HDPHOTO = "http://schemas.microsoft.com/office/2007/relationships/hdphoto"
RT_COMMENTS = _RT + "comments"
RT_COMMENT_AUTHORS = _RT + "commentAuthors"
RT_MODERN_COMMENTS = "http://schemas.microsoft.com/office/2018/10/relationships/comments"
RT_VBA_PROJECT = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"

RT_CUSTOM_XML = _RT + "customXml"

# Parts that identical copies may share: editing one never changes what another slide shows
# through it (unlike charts, SmartArt or OLE objects, which must stay one per slide). Themes
# are not listed: each master keeps its own theme part, as PowerPoint writes them.
SHAREABLE_RELTYPES = frozenset({
    RT_SLIDE_LAYOUT, RT_SLIDE_MASTER, RT_IMAGE, RT_AUDIO, RT_VIDEO, RT_MEDIA, RT_HDPHOTO,
    RT_CUSTOM_XML,
})
COMMENT_RELTYPES = frozenset({RT_COMMENTS, RT_MODERN_COMMENTS})

# -- content types -----------------------------------------------------------------------------
_CT_PML = "application/vnd.openxmlformats-officedocument.presentationml."
CT_PRESENTATION = _CT_PML + "presentation.main+xml"
CT_SLIDE = _CT_PML + "slide+xml"
CT_SLIDE_LAYOUT = _CT_PML + "slideLayout+xml"
CT_SLIDE_MASTER = _CT_PML + "slideMaster+xml"
CT_NOTES_SLIDE = _CT_PML + "notesSlide+xml"
CT_NOTES_MASTER = _CT_PML + "notesMaster+xml"
CT_HANDOUT_MASTER = _CT_PML + "handoutMaster+xml"
CT_VBA_PROJECT = "application/vnd.ms-office.vbaProject"
CT_THEME = "application/vnd.openxmlformats-officedocument.theme+xml"
CT_RELATIONSHIPS = "application/vnd.openxmlformats-package.relationships+xml"
CT_CORE_PROPERTIES = "application/vnd.openxmlformats-package.core-properties+xml"
CT_EXTENDED_PROPERTIES = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
CT_XML = "application/xml"

# Main-part content types of the package flavours that share the .pptx format (pitfall 12).
PRESENTATION_MAIN_TYPES = {
    CT_PRESENTATION: ".pptx",
    _CT_PML + "slideshow.main+xml": ".ppsx",
    _CT_PML + "template.main+xml": ".potx",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": ".pptm",
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml": ".ppsm",
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml": ".potm",
}
OTHER_OFFICE_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":
        "a Word document",
    "application/vnd.ms-word.document.macroEnabled.main+xml": "a Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        "an Excel workbook",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "an Excel workbook",
    "application/vnd.ms-powerpoint.addin.macroEnabled.main+xml": "a PowerPoint add-in (.ppam)",
}

# -- part names --------------------------------------------------------------------------------
CONTENT_TYPES_PART = "[Content_Types].xml"


def rels_name(part: str) -> str:
    """Name of the relationships part of ``part`` ('' is the package itself)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    """Part name (no leading slash) an internal relationship target of ``source_part`` names.

    A fragment-only target (``#_ftn1``) is a place in the source part itself (RFC 3986)."""
    target = unquote(target.split("#", 1)[0])
    if not target:
        return source_part
    if target.startswith("/"):
        joined = target.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(source_part), target)
    return posixpath.normpath(joined).lstrip("/")


def relative_target(source_part: str, target_part: str) -> str:
    """Relationship target that reaches ``target_part`` from ``source_part`` (relative URI)."""
    # both are names inside one package, so no file-system lookup (as posixpath.relpath does)
    start = [segment for segment in posixpath.dirname(source_part).split("/") if segment]
    target = target_part.split("/")
    common = 0
    while (common < len(start) and common < len(target) - 1
           and start[common] == target[common]):
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:])


def extension(part: str) -> str:
    """Lower-case extension of a part name without the dot ('' when there is none)."""
    base = posixpath.basename(part)
    return base.rsplit(".", 1)[1].lower() if "." in base else ""


XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                             remove_blank_text=False)
