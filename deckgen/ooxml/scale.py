"""Fitting slides made at one slide size onto another: one uniform scale, centred, as PowerPoint does.

PowerPoint's Design > Slide Size > "Ensure Fit" scales every shape by the same factor (the
smaller of the width and height ratios, so nothing falls off the page), moves it so the old page
is centred on the new one, and scales font sizes, line widths, spacing in points and text insets
with it. Shapes inside a group keep their child coordinates: scaling the group's own frame
carries them along. Table grids hold absolute widths and heights, so they are scaled too.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from deckgen.ooxml.names import qn

_MIN_FONT, _MAX_FONT = 100, 400000           # a:rPr/@sz bounds (hundredths of a point)
_FONT_TAGS = {qn(tag) for tag in ("a:rPr", "a:defRPr", "a:endParaRPr")}
_POINT_TAGS = {qn("a:spcPts"), qn("a:buSzPts")}  # @val in hundredths of a point
_INSETS = ("lIns", "tIns", "rIns", "bIns")
_FRAME_PATHS = {  # where each kind of top-level shape keeps its position and size
    qn("p:sp"): (qn("p:spPr"), qn("a:xfrm")),
    qn("p:pic"): (qn("p:spPr"), qn("a:xfrm")),
    qn("p:cxnSp"): (qn("p:spPr"), qn("a:xfrm")),
    qn("p:grpSp"): (qn("p:grpSpPr"), qn("a:xfrm")),
    qn("p:graphicFrame"): (qn("p:xfrm"),),
    qn("p:contentPart"): (qn("p:nvContentPartPr"),),  # has no frame of its own to scale
}
_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"


@dataclass(frozen=True)
class Fit:
    """How a page of one size is placed on another: scaled by ``scale``, then moved by
    (``dx``, ``dy``) EMU so that it is centred."""

    scale: float
    dx: int
    dy: int

    @classmethod
    def between(cls, source: tuple[int, int], target: tuple[int, int]) -> Fit | None:
        """The fit of ``source``-sized slides on a ``target``-sized page; None when the sizes
        are the same (or unknown)."""
        if source == target or not all(source) or not all(target):
            return None
        (source_w, source_h), (target_w, target_h) = source, target
        scale = min(target_w / source_w, target_h / source_h)
        return cls(scale, round((target_w - source_w * scale) / 2),
                   round((target_h - source_h * scale) / 2))

    @property
    def key(self) -> bytes:
        """Bytes that tell fits apart (for keys of parts changed by one)."""
        return f"fit:{self.scale:.9f}:{self.dx}:{self.dy}".encode()

    def length(self, value: int) -> int:
        """A length (EMU) scaled."""
        return round(value * self.scale)


def fit_part(root: etree._Element, fit: Fit) -> None:
    """Scale and centre the shapes of a slide, layout or master (``root``) in place."""
    tree = root.find(f"{qn('p:cSld')}/{qn('p:spTree')}")
    if tree is not None:
        for shape in _top_level_shapes(tree):
            _fit_frame(shape, fit)
    for element in root.iter(etree.Element):
        tag = element.tag
        if tag in _FONT_TAGS:
            _scale_attribute(element, "sz", fit.scale, _MIN_FONT, _MAX_FONT)
        elif tag in _POINT_TAGS:
            _scale_attribute(element, "val", fit.scale, 0, 158400)
        elif tag == qn("a:ln"):
            _scale_attribute(element, "w", fit.scale, 0, 20116800)
        elif tag == qn("a:bodyPr"):
            for name in _INSETS:
                _scale_attribute(element, name, fit.scale, 0, 2 ** 31 - 1)
        elif tag == qn("a:gridCol"):
            _scale_attribute(element, "w", fit.scale, 0, 2 ** 63 - 1)
        elif tag == qn("a:tr"):
            _scale_attribute(element, "h", fit.scale, 0, 2 ** 63 - 1)


def _top_level_shapes(tree: etree._Element):
    for child in tree:
        if child.tag == _ALTERNATE:
            # each branch holds its own version of the shape (e.g. a 3D model and its picture)
            for branch in child:
                yield from (shape for shape in branch if shape.tag in _FRAME_PATHS)
        elif child.tag in _FRAME_PATHS:
            yield child


def _fit_frame(shape: etree._Element, fit: Fit) -> None:
    frame = shape
    for tag in _FRAME_PATHS[shape.tag]:
        frame = frame.find(tag) if frame is not None else None
    if frame is None or frame.tag == qn("p:nvContentPartPr"):
        return
    offset, extent = frame.find(qn("a:off")), frame.find(qn("a:ext"))
    if offset is not None:
        _set_number(offset, "x", lambda x: round(x * fit.scale) + fit.dx)
        _set_number(offset, "y", lambda y: round(y * fit.scale) + fit.dy)
    if extent is not None:
        _set_number(extent, "cx", fit.length)
        _set_number(extent, "cy", fit.length)


def _set_number(element: etree._Element, name: str, change) -> None:
    value = element.get(name)
    if value is None:
        return
    try:
        element.set(name, str(change(int(value))))
    except ValueError:
        pass  # an unreadable number is left as PowerPoint would find it


def _scale_attribute(element: etree._Element, name: str, scale: float, low: int,
                     high: int) -> None:
    value = element.get(name)
    if value is None:
        return
    try:
        scaled = round(int(value) * scale)
    except ValueError:
        return
    element.set(name, str(min(high, max(low, scaled))))
