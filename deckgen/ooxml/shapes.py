"""Shape edits of personalisation: names and alt text, removing a shape, replacing a picture's image."""
from __future__ import annotations

import hashlib
import io
from typing import Any, Callable

from lxml import etree
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn

from deckgen.ooxml.pptx_private import member_elements, shape_of
from deckgen.ooxml.texttemplate import has_brace

_A_EXTLST = qn("a:extLst")
_A_BLIP, _A_SRCRECT = qn("a:blip"), qn("a:srcRect")
_P_CNVPR = qn("p:cNvPr")
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SVG_BLIP_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"


def shape_name_and_alt_text(shape: Any) -> tuple[str, str]:
    """Return the shape's name and alt text (``cNvPr/@name``, ``@descr``); '' for what is missing."""
    el = shape._element
    cnvpr = el[0].find(_P_CNVPR) if len(el) else None
    if cnvpr is None:
        return "", ""
    return cnvpr.get("name", ""), cnvpr.get("descr", "")


def shapes_to_render(shapes: Any, marked: Callable[[str, str], bool]) -> list[Any]:
    """Return the members of a python-pptx shape collection that hold a `{` in their text, or
    whose (or whose group members') name and alt text satisfy ``marked(name, alt_text)``.

    Decks are mostly static shapes: this reads the XML once and builds python-pptx proxies (which
    cost several XPath queries each) only for the shapes that need them.
    """
    found = []
    for el in member_elements(shapes):
        if has_brace(el) or any(marked(c.get("name", ""), c.get("descr", "")) for c in el.iter(_P_CNVPR)):
            found.append(shape_of(shapes, el))
    return found


def _rel_ids(el: etree._Element) -> set[str]:
    return {v for node in el.iter() for k, v in node.attrib.items() if k.startswith("{" + _R_NS + "}")}


def _drop_unreferenced(part: Any, rids: set[str]) -> None:
    still_used = _rel_ids(part._element)
    for rid in rids - still_used:
        if rid in part.rels:
            part.drop_rel(rid)


def remove_shape(shape: Any) -> None:
    """Remove ``shape`` from its slide, with the relationships (images, charts) only it used."""
    el = shape._element
    rids = _rel_ids(el)
    el.getparent().remove(el)
    _drop_unreferenced(shape.part, rids)


def set_picture_image(shape: Any, image: bytes, image_parts: dict[str, Any] | None = None) -> Any:
    """Show ``image`` (the file's bytes) in a picture or an empty picture placeholder, uncropped;
    return the picture.

    The image part is added (or reused) through python-pptx's image-part machinery; the old image,
    and an SVG version PowerPoint may keep beside it, is dropped when nothing else uses it. The
    picture keeps its position and size: the caller fits it. ``image_parts`` (sha1 -> part) lets
    one deck's many slides showing one logo skip python-pptx's search of the whole package.
    """
    if hasattr(shape, "insert_picture"):        # empty picture placeholder (p:sp)
        shape = shape.insert_picture(io.BytesIO(image))
    else:
        part = shape.part
        blip = shape._element.find(".//" + _A_BLIP)
        if blip is None:
            blip_fill = shape._element.find(qn("p:blipFill"))
            blip = parse_xml(f"<a:blip {nsdecls('a', 'r')}/>")
            blip_fill.insert(0, blip)
        old = _rel_ids(blip)
        sha1 = hashlib.sha1(image).hexdigest()
        known = image_parts.get(sha1) if image_parts is not None else None
        if known is not None and known.package is part.package:
            rid = part.relate_to(known, RT.IMAGE)
        else:
            image_part, rid = part.get_or_add_image_part(io.BytesIO(image))
            if image_parts is not None:
                image_parts[sha1] = image_part
        ext_lst = blip.find(_A_EXTLST)
        if ext_lst is not None:
            for ext in list(ext_lst):
                if ext.get("uri") == _SVG_BLIP_URI:
                    ext_lst.remove(ext)
            if len(ext_lst) == 0:
                blip.remove(ext_lst)
        blip.set(qn("r:embed"), rid)
        _drop_unreferenced(part, old - {rid})
    src_rect = shape._element.find(".//" + _A_SRCRECT)
    if src_rect is not None:
        src_rect.getparent().remove(src_rect)
    return shape
