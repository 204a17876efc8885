"""Who wrote a package, and chart XML whose meaning depends on it (pitfall 15).

Readers interpret chart parts of a package that docProps/app.xml says PowerPoint 2007 wrote
(Application "Microsoft...", AppVersion 12.x) with Office 2007's defaults: a boolean element
without ``val``, and several elements left out, mean "off", where the standard says "on"
(LibreOffice's oox import does this; so do deckgen's own renders). The output can name one
application only, so charts from a 2007 deck merged with others get those defaults written out.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from deckgen.ooxml import names as n
from deckgen.ooxml.package import SourceDeck

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"


def _c(local: str) -> str:
    return f"{{{C_NS}}}{local}"


# CT_Boolean elements of the chart schema (their ``val`` defaults to true in the standard)
_BOOLEANS = frozenset(_c(local) for local in (
    "applyToEnd", "applyToFront", "applyToSides", "autoTitleDeleted", "autoUpdate", "bubble3D",
    "chartObject", "data", "date1904", "delete", "dispEq", "dispRSqr", "formatting",
    "invertIfNegative", "noEndCap", "noMultiLvlLbl", "overlay", "plotVisOnly", "rAngAx",
    "roundedCorners", "selection", "showBubbleSize", "showCatName", "showDLblsOverMax",
    "showHorzBorder", "showKeys", "showLeaderLines", "showLegendKey", "showNegBubbles",
    "showOutline", "showPercent", "showSerName", "showVal", "showVertBorder", "smooth",
    "userInterface", "varyColors", "wireframe", "auto"))
_LABEL_FLAGS = ["showLegendKey", "showVal", "showCatName", "showSerName", "showPercent",
                "showBubbleSize"]
# children of c:dLbls / c:dLbl that come after the show flags, in schema order
_AFTER_LABEL_FLAGS = {_c(local) for local in ("separator", "showLeaderLines", "leaderLines",
                                              "extLst")}
_TYPE_GROUPS = {_c(local) for local in (
    "areaChart", "area3DChart", "barChart", "bar3DChart", "bubbleChart", "doughnutChart",
    "lineChart", "line3DChart", "ofPieChart", "pieChart", "pie3DChart", "radarChart",
    "scatterChart")}
# what comes before c:varyColors in a type group
_BEFORE_VARY_COLORS = {_c(local) for local in ("barDir", "grouping", "scatterStyle", "radarStyle",
                                               "ofPieType")}
_VIEW3D_ORDER = [_c(local) for local in ("rotX", "hPercent", "rotY", "depthPercent", "rAngAx",
                                         "perspective", "extLst")]


@dataclass(frozen=True)
class AppIdentity:
    """docProps/app.xml's Application and AppVersion ('' when a deck does not say)."""

    application: str = ""
    version: str = ""

    @property
    def office_2007(self) -> bool:
        """True when readers take chart defaults as Office 2007 did (as LibreOffice decides)."""
        return (self.application.lower().startswith("microsoft")
                and self.version.startswith("12."))


def app_identity(deck: SourceDeck) -> AppIdentity:
    """Who the deck's docProps/app.xml says wrote it (kept on the deck)."""
    key = ("app identity",)
    if key not in deck.derived:
        identity = AppIdentity()
        part = next((rel.part for rel in deck.rels("")
                     if rel.reltype == n.RT_EXTENDED_PROPERTIES and not rel.external
                     and deck.has_part(rel.part)), None)
        if part is not None:
            root = deck.xml(part)
            application = root.find(n.qn("ep:Application"))
            version = root.find(n.qn("ep:AppVersion"))
            identity = AppIdentity((application.text or "").strip() if application is not None
                                   else "",
                                   (version.text or "").strip() if version is not None else "")
        deck.derived[key] = identity
    return deck.derived[key]


def write_office_2007_defaults(root: etree._Element) -> bool:
    """Write out, in a chart part from a PowerPoint 2007 package, what Office 2007 leaves
    implicit, so the part means the same in a package from any application. True if changed.
    """
    changed = False
    for element in root.iter(*_BOOLEANS):
        if element.get("val") is None:
            element.set("val", "0")
            changed = True
    for labels in root.iter(_c("dLbls"), _c("dLbl")):
        changed |= _explicit_label_flags(labels)
    chart = root.find(_c("chart"))
    if chart is not None and chart.find(_c("autoTitleDeleted")) is None:
        title = chart.find(_c("title"))
        flag = etree.Element(_c("autoTitleDeleted"), val="0")
        if title is not None:
            title.addnext(flag)
        else:
            chart.insert(0, flag)
        changed = True
    for view in root.iter(_c("view3D")):
        if view.find(_c("rAngAx")) is None:
            _insert_in_order(view, etree.Element(_c("rAngAx"), val="0"), _VIEW3D_ORDER)
            changed = True
    for group in root.iter(*_TYPE_GROUPS):
        if group.find(_c("varyColors")) is None:
            before = [child for child in group if child.tag in _BEFORE_VARY_COLORS]
            flag = etree.Element(_c("varyColors"), val="0")
            if before:
                before[-1].addnext(flag)
            else:
                group.insert(0, flag)
            changed = True
    return changed


def _explicit_label_flags(labels: etree._Element) -> bool:
    deleted = labels.find(_c("delete"))
    if deleted is not None and deleted.get("val") in ("1", "true"):
        return False
    present = {child.tag for child in labels}
    missing = [local for local in _LABEL_FLAGS if _c(local) not in present]
    if not missing:
        return False
    for local in _LABEL_FLAGS:
        if local not in missing:
            continue
        flag = etree.Element(_c(local), val="0")
        following = _LABEL_FLAGS[_LABEL_FLAGS.index(local) + 1:]
        anchor = next((child for child in labels
                       if child.tag in _AFTER_LABEL_FLAGS
                       or child.tag in {_c(name) for name in following}), None)
        if anchor is not None:
            anchor.addprevious(flag)
        else:
            labels.append(flag)
    return True


def _insert_in_order(parent: etree._Element, element: etree._Element, order: list[str]) -> None:
    rank = order.index(element.tag)
    for child in parent:
        if child.tag in order and order.index(child.tag) > rank:
            child.addprevious(element)
            return
    parent.append(element)
