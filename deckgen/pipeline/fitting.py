"""Text fit after templating: shrink boxes get the scale PowerPoint would store, others that overflow are reported.

``deckgen check`` measures slides with sample values; a build measures the real prospect's text
with the same metrics (``deckgen.marketing.textfit``), only in the boxes that received template
output (other text is what marketing approved and ``check`` already reported).
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from deckgen.marketing.textfit import Fit, FontBook, FontconfigMissing, TextLayout, fit_text
from deckgen.ooxml.autofit import set_shrink
from deckgen.ooxml.inspect import LivePackage, TextBox, live_text_boxes
from deckgen.render import SlideLabel

OVERFLOW_TOLERANCE_PT = 0.5          # the same rounding slack as `deckgen check`
_LINE_REDUCTIONS = (0.0, 0.1, 0.2)   # the steps PowerPoint takes before it scales the font
_SMALLEST_SCALE = 0.25               # PowerPoint does not shrink text further than this
_SCALE_STEP = 0.01                   # fontScale steps tried (PowerPoint's own are coarser)
NO_TEXT_FIT_ENV = "DECKGEN_NO_TEXT_FIT"

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
    if os.environ.get(NO_TEXT_FIT_ENV):     # to measure what fitting costs (bench/run.py)
        report.not_measured = f"text fit was not measured: {NO_TEXT_FIT_ENV} is set"
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
            for box in live_text_boxes(package, slide.slide_id, ids):
                if box.autofit == "resize" or not box.text.strip():
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

    The search measures with the widths at full size scaled (``TextLayout.fit(exact=False)``: pure
    arithmetic once the words are measured), and the answer is then measured exactly, as `check`
    would.
    """
    layout = TextLayout(box, book)
    exact = layout.fit(1.0, 0.0)
    if _fits(exact, box):
        return 1.0, 0.0, exact
    scale, reduction = _search(lambda s, r: _fits(layout.fit(s, r, exact=False), box))
    fit = layout.fit(scale, reduction)
    while not _fits(fit, box) and scale - _SCALE_STEP >= _SMALLEST_SCALE:
        scale = _step(scale - _SCALE_STEP)          # the scaled widths were a hair optimistic
        fit = layout.fit(scale, reduction)
    return scale, reduction, fit


def _search(fits: Callable[[float, float], bool]) -> tuple[float, float]:
    """The (scale, reduction) PowerPoint would pick, given ``fits(scale, reduction)``: the first
    line-spacing reduction that fits at full size, else the largest font scale (in steps of
    ``_SCALE_STEP``) that fits with spacing reduced 20 %, found by bisection (smaller text needs
    less room), or the smallest scale when none fits."""
    for reduction in _LINE_REDUCTIONS[1:]:
        if fits(1.0, reduction):
            return 1.0, reduction
    reduction = _LINE_REDUCTIONS[-1]
    low, high = round(_SMALLEST_SCALE / _SCALE_STEP), round(1.0 / _SCALE_STEP)   # in steps
    if not fits(low * _SCALE_STEP, reduction):
        return _SMALLEST_SCALE, reduction
    while high - low > 1:             # low fits, high (full size, checked above) does not
        middle = (low + high) // 2
        if fits(_step(middle * _SCALE_STEP), reduction):
            low = middle
        else:
            high = middle
    return _step(low * _SCALE_STEP), reduction


def _step(scale: float) -> float:
    return round(round(scale / _SCALE_STEP) * _SCALE_STEP, 3)


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
