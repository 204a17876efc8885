"""Every use of python-pptx's private API, in one place: the versions pinned in pyproject.toml are
the ones these were tested with; a python-pptx upgrade is checked here first."""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from lxml import etree
from pptx.opc.oxml import serialize_part_xml
from pptx.opc.serialized import _ContentTypesItem


def content_types_xml(parts: Iterable[Any]) -> bytes:
    """The [Content_Types].xml of a package holding ``parts`` (python-pptx's own writer's)."""
    return serialize_part_xml(_ContentTypesItem.xml_for(parts))


def package_rels_xml(package: Any) -> bytes:
    """The package-level _rels/.rels of a python-pptx package."""
    return package._rels.xml


def has_relationships(part: Any) -> bool:
    """True when a python-pptx part has relationships (without making an empty collection)."""
    return bool(part._rels)


def member_elements(shapes: Any) -> Iterator[etree._Element]:
    """The shape elements of a python-pptx shape collection (without building proxies)."""
    return shapes._iter_member_elms()


def shape_of(shapes: Any, element: etree._Element) -> Any:
    """The python-pptx shape proxy of ``element``, a member of ``shapes``."""
    return shapes._shape_factory(element)


def text_body(text_frame: Any) -> etree._Element:
    """The a:txBody / p:txBody element of a python-pptx text frame."""
    return text_frame._txBody


def table_element(table: Any) -> etree._Element:
    """The a:tbl element of a python-pptx table."""
    return table._tbl


def table_row_heights(table: Any) -> list[int]:
    """The heights (EMU) of a python-pptx table's rows, read in one pass: ``table.rows[i]`` looks
    its row up from the start each time, which made summing a 10,000-row table quadratic."""
    return [int(tr.get("h", "0")) for tr in table._tbl.tr_lst]
