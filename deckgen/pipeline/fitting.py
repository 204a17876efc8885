"""Text fit after templating: shrink boxes get the scale PowerPoint would store, others that overflow are reported.

``deckgen check`` measures slides with sample values; a build measures the real prospect's text
with the same metrics (``deckgen.marketing.textfit``), only in the boxes that received template
output (other text is what marketing approved and ``check`` already reported).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Sequence

from deckgen.marketing.textfit import Fit, FontBook, FontconfigMissing, fit_text
from deckgen.ooxml.autofit import set_shrink
from deckgen.ooxml.inspect import LivePackage, TextBox, live_text_boxes
from deckgen.render import SlideLabel

OVERFLOW_TOLERANCE_PT = 0.5          # the same rounding slack as `deckgen check`
_LINE_REDUCTIONS = (0.0, 0.1, 0.2)   # the steps PowerPoint takes before it scales the font
_SMALLEST_SCALE = 0.25               # PowerPoint does not shrink text further than this
_SCALE_STEP = 0.01                   # fontScale steps tried (PowerPoint's own are coarser)

_BOOK: FontBook | None = None


def font_book() -> FontBook:
    """The process's font finder (fc-match lookups and loaded fonts are kept between decks)."""
    global _BOOK
    if _BOOK is None:
        _BOOK = FontBook()
    return _BOOK


@dataclass(frozen=True)
class Overflow:
    """A box whose personalised text does not fit, and by how much (points)."""

    slide: str                     # "slide 3 'agenda' (corporate.pptx #2)"
    shape: str
    overflow_pt: float
    needed_pt: float
    available_pt: float
    direction: str = "height"      # "height" | "width" (a box that does not wrap)
    shrunk_to: float | None = None  # set when a shrink box did not fit even at the smallest scale

    def __str__(self) -> str:
        room = "height" if self.direction == "height" else "width"
        text = (f"{self.slide}: text overflows shape '{self.shape}' by {self.overflow_pt:.1f} pt "
                f"(needs {self.needed_pt:.1f} pt of {room}, the box has {self.available_pt:.1f} pt)")
        if self.shrunk_to is not None:
            text += f" even shrunk to {self.shrunk_to:.0%}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"slide": self.slide, "shape": self.shape, "overflow_pt": round(self.overflow_pt, 1),
                "needed_pt": round(self.needed_pt, 1), "available_pt": round(self.available_pt, 1),
                "direction": self.direction}


@dataclass
class FitReport:
    """What fitting one deck did: boxes shrunk (slide, shape, fontScale, lnSpcReduction) and overflows."""

    shrunk: list[tuple[str, str, float, float]] = dataclasses.field(default_factory=list)
    overflows: list[Overflow] = dataclasses.field(default_factory=list)
    not_measured: str | None = None    # why nothing was measured (fontconfig missing)


def fit_presentation(presentation: Any, filled: Sequence[set[int]], labels: Sequence[SlideLabel],
                     book: FontBook | None = None) -> FitReport:
    """Fit every text box of ``presentation`` that received template output (``filled[i]`` =
    shape ids of slide i): write shrink scales, and report the boxes that overflow."""
    report = FitReport()
    if not any(filled):
        return report
    book = book or font_book()
    package = LivePackage(presentation)
    try:
        for index, slide in enumerate(presentation.slides):
            ids = filled[index] if index < len(filled) else set()
            if not ids:
                continue
            label = labels[index] if index < len(labels) else SlideLabel()
            where = label.describe(index + 1)
            for box in live_text_boxes(package, slide.slide_id):
                if box.kind != "shape" or box.shape_id not in ids or box.autofit == "resize" \
                        or not box.text.strip():
                    continue
                if box.autofit == "shrink":
                    _shrink(slide, box, where, book, report)
                else:
                    report.overflows.extend(_overflows(box, fit_text(box, book), where))
    except FontconfigMissing as exc:
        report.not_measured = f"text fit was not measured: {exc}"
    return report


def _fits(fit: Fit, box: TextBox) -> bool:
    return fit.overflow_height_pt <= OVERFLOW_TOLERANCE_PT and (
        box.wrap or fit.overflow_width_pt <= OVERFLOW_TOLERANCE_PT)


def shrink_scale(box: TextBox, book: FontBook) -> tuple[float, float, Fit]:
    """Return (fontScale, lnSpcReduction, the fit at them) PowerPoint would use for ``box``: line
    spacing first reduced by up to 20 %, then the largest font scale at which the text fits.

    The search measures with widths scaled from one size per font (``_ScaledBook``: advance widths
    grow linearly with the size), and the answer is then measured exactly, as `check` would.
    """
    def measure(measure_book: Any, scale: float, reduction: float) -> Fit:
        return fit_text(dataclasses.replace(box, autofit="shrink", font_scale=scale,
                                            line_reduction=reduction), measure_book)

    exact = measure(book, 1.0, 0.0)
    if _fits(exact, box):
        return 1.0, 0.0, exact
    quick = _ScaledBook(book)
    scale, reduction = _search(lambda s, r: measure(quick, s, r), box)
    fit = measure(book, scale, reduction)
    while not _fits(fit, box) and scale - _SCALE_STEP >= _SMALLEST_SCALE:
        scale = round(scale - _SCALE_STEP, 3)       # the scaled widths were a hair optimistic
        fit = measure(book, scale, reduction)
    return scale, reduction, fit


def _search(measure: Any, box: TextBox) -> tuple[float, float]:
    """The (scale, reduction) PowerPoint would pick, given ``measure(scale, reduction) -> Fit``:
    the first line-spacing reduction that fits at full size, else the largest font scale (in
    steps of ``_SCALE_STEP``) that fits with spacing reduced 20 %."""
    for reduction in _LINE_REDUCTIONS[1:]:
        fit = measure(1.0, reduction)
        if _fits(fit, box):
            return 1.0, reduction
    reduction = _LINE_REDUCTIONS[-1]
    # height needed falls about with the square of the scale (smaller lines, fewer of them):
    # start there, then walk to the largest step that fits
    ratio = fit.available_height_pt / fit.needed_height_pt if fit.needed_height_pt else 1.0
    if not box.wrap and fit.widest_line_pt:
        ratio = min(ratio, (fit.available_width_pt / fit.widest_line_pt) ** 2)
    scale = _step(max(_SMALLEST_SCALE, min(1.0, ratio ** 0.5)))
    if _fits(measure(scale, reduction), box):
        while scale + _SCALE_STEP <= 1.0 and _fits(measure(_step(scale + _SCALE_STEP), reduction), box):
            scale = _step(scale + _SCALE_STEP)
    else:
        while scale - _SCALE_STEP >= _SMALLEST_SCALE:
            scale = _step(scale - _SCALE_STEP)
            if _fits(measure(scale, reduction), box):
                break
    return scale, reduction


def _step(scale: float) -> float:
    return round(round(scale / _SCALE_STEP) * _SCALE_STEP, 3)


class _ScaledBook:
    """A FontBook stand-in whose widths are measured once per font and text at one size and
    scaled: a shrink search measures the same words at a dozen sizes."""

    _REFERENCE_PT = 24.0

    def __init__(self, book: FontBook):
        self.book = book
        self._widths: dict[tuple[str, bool, str], float] = {}

    def match(self, family: str | None, bold: bool) -> Any:
        return self.book.match(family, bold)

    def measure(self, family: str | None, bold: bool, size_pt: float) -> Any:
        reference = self.book.measure(family, bold, self._REFERENCE_PT)
        return _ScaledMetrics(self, (family or "", bold), reference, size_pt / self._REFERENCE_PT)


class _ScaledMetrics:
    def __init__(self, owner: _ScaledBook, font: tuple[str, bool], reference: Any, factor: float):
        self.owner, self.font, self.reference, self.factor = owner, font, reference, factor
        self.line_pt = reference.line_pt * factor

    def width(self, text: str) -> float:
        key = (*self.font, text)
        width = self.owner._widths.get(key)
        if width is None:
            width = self.owner._widths[key] = self.reference.width(text)
        return width * self.factor


def _shrink(slide: Any, box: TextBox, where: str, book: FontBook, report: FitReport) -> None:
    scale, reduction, fit = shrink_scale(box, book)
    if set_shrink(slide._element, box.shape_id, scale, reduction) and (scale < 1.0 or reduction > 0.0):
        report.shrunk.append((where, box.shape_name, scale, reduction))
    if not _fits(fit, box):
        report.overflows.extend(dataclasses.replace(overflow, shrunk_to=scale)
                                for overflow in _overflows(box, fit, where))


def _overflows(box: TextBox, fit: Fit, where: str) -> list[Overflow]:
    found = []
    if fit.overflow_height_pt > OVERFLOW_TOLERANCE_PT:
        found.append(Overflow(where, box.shape_name, fit.overflow_height_pt, fit.needed_height_pt,
                              fit.available_height_pt))
    if not box.wrap and fit.overflow_width_pt > OVERFLOW_TOLERANCE_PT:
        found.append(Overflow(where, box.shape_name, fit.overflow_width_pt, fit.widest_line_pt,
                              fit.available_width_pt, direction="width"))
    return found
