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
_SCALE_STEP = 0.005                  # fontScale precision written (PowerPoint stores 1/1000 %)

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
    spacing first reduced by up to 20 %, then the largest font scale at which the text fits."""
    def measure(scale: float, reduction: float) -> Fit:
        return fit_text(dataclasses.replace(box, autofit="shrink", font_scale=scale,
                                            line_reduction=reduction), book)

    for reduction in _LINE_REDUCTIONS:
        fit = measure(1.0, reduction)
        if _fits(fit, box):
            return 1.0, reduction, fit
    reduction = _LINE_REDUCTIONS[-1]
    low, high = _SMALLEST_SCALE, 1.0      # low: the best known to fit (or the floor); high: too big
    low_fit = measure(low, reduction)
    if not _fits(low_fit, box):
        return low, reduction, low_fit
    while high - low > _SCALE_STEP:
        middle = (low + high) / 2
        fit = measure(middle, reduction)
        if _fits(fit, box):
            low, low_fit = middle, fit
        else:
            high = middle
    scale = round(int(low / _SCALE_STEP) * _SCALE_STEP, 3)
    return scale, reduction, measure(scale, reduction) if scale != low else low_fit


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
