"""Reading ISO 29500 Strict packages: their namespaces, relationship types and values mapped to
Transitional, the form the rest of the engine (and every output) uses."""
from __future__ import annotations

import re

from lxml import etree

from deckgen.ooxml import names as n

_PURL = "http://purl.oclc.org/ooxml/"
_OPENXML = "http://schemas.openxmlformats.org/"
# Strict namespace -> Transitional namespace (ISO/IEC 29500-1 Annex A and 29500-4)
NAMESPACES = {
    _PURL + "drawingml/main": _OPENXML + "drawingml/2006/main",
    _PURL + "drawingml/chart": _OPENXML + "drawingml/2006/chart",
    _PURL + "drawingml/chartDrawing": _OPENXML + "drawingml/2006/chartDrawing",
    _PURL + "drawingml/diagram": _OPENXML + "drawingml/2006/diagram",
    _PURL + "drawingml/lockedCanvas": _OPENXML + "drawingml/2006/lockedCanvas",
    _PURL + "drawingml/picture": _OPENXML + "drawingml/2006/picture",
    _PURL + "drawingml/compatibility": _OPENXML + "drawingml/2006/compatibility",
    _PURL + "drawingml/spreadsheetDrawing": _OPENXML + "drawingml/2006/spreadsheetDrawing",
    _PURL + "drawingml/wordprocessingDrawing": _OPENXML + "drawingml/2006/wordprocessingDrawing",
    _PURL + "presentationml/main": _OPENXML + "presentationml/2006/main",
    _PURL + "spreadsheetml/main": _OPENXML + "spreadsheetml/2006/main",
    _PURL + "wordprocessingml/main": _OPENXML + "wordprocessingml/2006/main",
    _PURL + "schemaLibrary/main": _OPENXML + "schemaLibrary/2006/main",
    _PURL + "officeDocument/relationships": _OPENXML + "officeDocument/2006/relationships",
    _PURL + "officeDocument/math": _OPENXML + "officeDocument/2006/math",
    _PURL + "officeDocument/sharedTypes": _OPENXML + "officeDocument/2006/sharedTypes",
    _PURL + "officeDocument/customXml": _OPENXML + "officeDocument/2006/customXml",
    _PURL + "officeDocument/bibliography": _OPENXML + "officeDocument/2006/bibliography",
    _PURL + "officeDocument/docPropsVTypes": _OPENXML + "officeDocument/2006/docPropsVTypes",
    _PURL + "officeDocument/extended-properties":
        _OPENXML + "officeDocument/2006/extended-properties",
    _PURL + "officeDocument/extendedProperties":
        _OPENXML + "officeDocument/2006/extended-properties",
    _PURL + "officeDocument/custom-properties": _OPENXML + "officeDocument/2006/custom-properties",
    _PURL + "officeDocument/customProperties": _OPENXML + "officeDocument/2006/custom-properties",
}
_STRICT_RELTYPE = _PURL + "officeDocument/relationships/"
_RELTYPE_NAMES = {"extendedProperties": "extended-properties",
                  "customProperties": "custom-properties"}
# Strict names core properties with this (lower-case "officedocument") type
_STRICT_CORE_PROPERTIES = (_OPENXML + "officedocument/2006/relationships/metadata/"
                           "core-properties")

_DML = NAMESPACES[_PURL + "drawingml/main"]
_CHART = NAMESPACES[_PURL + "drawingml/chart"]
_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)%\s*$")
# attributes that hold words, never a measure: left as they are even when they end in "%"
_TEXT_ATTRIBUTES = frozenset({"name", "descr", "title", "tooltip", "action", "bmk", "lang",
                              "altLang", "typeface", "panose", "uri", "id", "type", "invalidUrl",
                              "tgtFrame", "prst", "fmla"})
_DECLARATION = re.compile(rb'(xmlns(?::[A-Za-z_][\w.-]*)?\s*=\s*)(["\'])(http://purl\.oclc\.org/'
                          rb'ooxml/[^"\']*)\2')


def is_strict_reltype(reltype: str) -> bool:
    """True for a relationship type only Strict packages use."""
    return reltype.startswith(_STRICT_RELTYPE) or reltype == _STRICT_CORE_PROPERTIES


def transitional_reltype(reltype: str) -> str:
    """The Transitional relationship type for a Strict one (others are returned as they are)."""
    if reltype == _STRICT_CORE_PROPERTIES:
        return n.RT_CORE_PROPERTIES
    if reltype.startswith(_STRICT_RELTYPE):
        name = reltype[len(_STRICT_RELTYPE):]
        return n.RT_OFFICE_DOCUMENT.rsplit("/", 1)[0] + "/" + _RELTYPE_NAMES.get(name, name)
    return reltype


def transitional_xml(data: bytes) -> bytes:
    """A Strict XML part as Transitional XML: namespaces renamed where they are declared (so
    prefixes stay), percentages written as Transitional numbers, ``conformance`` dropped.

    Returns ``data`` unchanged when it declares no Strict namespace.
    """
    unknown = []

    def rename(match: re.Match) -> bytes:
        uri = match.group(3).decode("utf-8")
        if uri not in NAMESPACES:
            unknown.append(uri)
            return match.group(0)
        return match.group(1) + match.group(2) + NAMESPACES[uri].encode() + match.group(2)

    renamed, count = _DECLARATION.subn(rename, data)
    if not count:
        return data
    try:
        root = etree.fromstring(renamed, n.XML_PARSER)
    except etree.XMLSyntaxError:
        return renamed  # reading it later reports the damage, with the part's name
    changed = _transitional_values(root)
    if root.get("conformance") == "strict":
        del root.attrib["conformance"]
        changed = True
    if not changed:
        return renamed
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def strict_namespaces_left(root: etree._Element) -> list[str]:
    """Strict namespaces still used in ``root`` (ones this module cannot map)."""
    found = set()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{" + _PURL):
            found.add(element.tag[1:].split("}", 1)[0])
    return sorted(found)


def _transitional_values(root: etree._Element) -> bool:
    """Rewrite Strict percentages ("50%") as Transitional numbers: thousandths of a percent in
    DrawingML ("50000"), whole percents in charts ("50"). True when anything changed."""
    changed = False
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""
        scale = 1000 if namespace == _DML else 1 if namespace == _CHART else 0
        if not scale:
            continue
        for name, value in element.attrib.items():
            if name in _TEXT_ATTRIBUTES or "%" not in value:
                continue
            match = _PERCENT.match(value)
            if match:
                element.set(name, str(round(float(match.group(1)) * scale)))
                changed = True
    return changed
