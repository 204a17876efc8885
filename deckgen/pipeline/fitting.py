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
        for index, (slide, slide_id) in enumerate(zip(presentation.slides, package.slide_ids)):
            ids = filled[index] if index < len(filled) else set()
            if not ids:
                continue
            label = labels[index] if index < len(labels) else SlideLabel()
            where = label.describe(index + 1)
            for box in live_text_boxes(package, slide_id, ids):
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
    scale, reduction = _search(lambda s, r: layout.fit(s, r, exact=False), box)
    fit = layout.fit(scale, reduction)
    while not _fits(fit, box) and scale - _SCALE_STEP >= _SMALLEST_SCALE:
        scale = _step(scale - _SCALE_STEP)          # the scaled widths were a hair optimistic
        fit = layout.fit(scale, reduction)
    return scale, reduction, fit


def _search(fit: Callable[[float, float], Fit], box: TextBox) -> tuple[float, float]:
    """The (scale, reduction) PowerPoint would pick, given ``fit(scale, reduction)``: the first
    line-spacing reduction that fits at full size, else the largest font scale (in steps of
    ``_SCALE_STEP``) that fits with spacing reduced 20 %, or the smallest scale when none fits.

    Smaller text needs less room, so the answer is bracketed from a first guess (the height
    needed falls about with the square of the scale) and then bisected.
    """
    reduction = _LINE_REDUCTIONS[-1]
    at_full_size = fit(1.0, reduction)
    if _fits(at_full_size, box):        # the least reduction that fits (less spacing never needs more room)
        return 1.0, next(less for less in _LINE_REDUCTIONS[1:-1] + (reduction,)
                         if less == reduction or _fits(fit(1.0, less), box))
    smallest, full = round(_SMALLEST_SCALE / _SCALE_STEP), round(1.0 / _SCALE_STEP)     # in steps
    low: int | None = None       # the largest step known to fit
    high = full                  # the smallest step known not to (full size was measured above)

    def probe(steps: int) -> Fit:
        nonlocal low, high
        measured = fit(_step(steps * _SCALE_STEP), reduction)
        if _fits(measured, box):
            low = steps if low is None else max(low, steps)
        else:
            high = min(high, steps)
        return measured

    def guess_from(measured: Fit, steps: int) -> int:
        ratio = measured.available_height_pt / measured.needed_height_pt if measured.needed_height_pt else 1.0
        if not box.wrap and measured.widest_line_pt:
            ratio = min(ratio, (measured.available_width_pt / measured.widest_line_pt) ** 2)
        return min(full - 1, max(smallest, int(steps * ratio ** 0.5)))

    # a guess, and one refinement at the scale first guessed, bracket the answer closely
    first = guess_from(at_full_size, full)
    refined = guess_from(probe(first), first)
    if (low is None or refined > low) and refined < high:
        probe(refined)
    jump = 1
    while low is None:           # nothing fits yet: walk down in growing steps
        steps = max(smallest, high - jump)
        probe(steps)
        if low is None and steps == smallest:
            return _SMALLEST_SCALE, reduction
        jump *= 2
    while high - low > 1:
        middle = (low + high) // 2
        probe(middle)
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
