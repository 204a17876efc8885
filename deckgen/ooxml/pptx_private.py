"""Every use of python-pptx's private API, in one place: the versions pinned in pyproject.toml are
the ones these were tested with; a python-pptx upgrade is checked here first."""
from __future__ import annotations

import datetime
import functools
from typing import Any, Iterable, Iterator, Sequence

from lxml import etree
from pptx.opc.oxml import serialize_part_xml
from pptx.opc.serialized import _ContentTypesItem


def content_types_xml(parts: Iterable[Any]) -> bytes:
    """The [Content_Types].xml of a package holding ``parts`` (python-pptx's own writer's)."""
    return serialize_part_xml(_ContentTypesItem.xml_for(parts))


def package_relationships(package: Any) -> list[tuple[str, str, str, bool]]:
    """The package-level relationships of a python-pptx package, as ``relationships`` gives them."""
    return relationships(package._rels)


def relationships(rels: Any) -> list[tuple[str, str, str, bool]]:
    """(id, type, target as written, external) of a python-pptx relationship collection, in the
    order python-pptx's own writer puts them (numerical rId order; others first)."""
    def order(rid: str) -> tuple[int, str]:
        return (int(rid[3:]) if rid.startswith("rId") and rid[3:].isdigit() else 0), rid
    return [(rid, rel.reltype, rel.target_ref, rel.is_external)
            for rid, rel in sorted(rels.items(), key=lambda item: order(item[0]))]


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


def category_chart_data(categories: Sequence[Any], created: datetime.datetime) -> Any:
    """A python-pptx CategoryChartData with single-level ``categories`` whose embedded workbook is
    dated ``created`` (xlsxwriter would date it now), and whose categories are located in constant
    time: python-pptx's ``Categories.index`` walks the list for every category it writes, which
    made a chart of 20,000 categories take minutes."""
    data = _chart_data_class()(created)
    data.categories = categories
    return data


@functools.lru_cache(maxsize=1)
def _chart_data_class() -> type:
    # imported here: it brings in xlsxwriter, a fifth of python-pptx's import time, and most
    # decks have no chart to fill
    from pptx.chart.data import Categories, Category, CategoryChartData
    from pptx.chart.xlsx import CategoryWorkbookWriter

    class DatedWorkbookWriter(CategoryWorkbookWriter):
        def _populate_worksheet(self, workbook, worksheet):
            workbook.set_properties({"created": self._chart_data.created})
            super()._populate_worksheet(workbook, worksheet)

    class FlatCategories(Categories):
        def __init__(self, labels: Sequence[Any]) -> None:
            super().__init__()
            self._categories = [Category(label, self) for label in labels]
            self._positions = {id(category): i for i, category in enumerate(self._categories)}

        def add_category(self, label: Any) -> Any:
            category = super().add_category(label)
            self._positions[id(category)] = len(self._categories) - 1
            return category

        def index(self, category: Any) -> int:
            try:
                return self._positions[id(category)]
            except KeyError:
                raise ValueError("category not in top-level categories") from None

    class FlatChartData(CategoryChartData):
        def __init__(self, created: datetime.datetime) -> None:
            super().__init__()
            self.created = created

        @property
        def _workbook_writer(self):
            return DatedWorkbookWriter(self)

        @property
        def categories(self):
            if not getattr(self, "_categories", False):
                self._categories = FlatCategories([])
            return self._categories

        @categories.setter
        def categories(self, labels):
            self._categories = FlatCategories(list(labels))

    return FlatChartData
