"""Check rules on text fit, measured with real font metrics and sample values for template tags."""
from __future__ import annotations

import datetime
import re
from dataclasses import replace
from typing import Any, Iterable

from deckgen.ooxml.inspect import (EMU_PER_PT, SlideInspection, TableLayout, TextBox, TextParagraph)
from deckgen.problems import NOTE, WARNING, Location
from deckgen.prospect import Prospect
from deckgen.recipes import Recipe
from deckgen.render import make_environment
from deckgen.sandbox import call_bounded
from deckgen.marketing.textfit import Fit, FontconfigMissing, fit_text


OVERFLOW_TOLERANCE_PT = 0.5          # rounding slack before text counts as overflowing
_TEMPLATE_TAG = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_PARAGRAPH_TAG = re.compile(r"^\s*\{%-?\s*(p|tr)\s.*%\}\s*$")


class TextFitRules:
    """Rules on text fit: text that overflows its box, tables that grow past the slide, fonts measured."""

    def check_overflow(self, inspection: SlideInspection, where: Location) -> None:
        if self.fonts_missing is not None:
            return
        for box in inspection.text_boxes:
            if box.kind != "shape" or box.autofit == "resize" or not box.text.strip():
                continue
            fit = self.fit(box, where)
            if fit is None:
                return
            measured = _measured_with(fit)
            if fit.overflow_height_pt > OVERFLOW_TOLERANCE_PT:
                self.add(WARNING, "overflow", where,
                         f"text overflows shape '{box.shape_name}': it needs {fit.needed_height_pt:.1f} pt of "
                         f"height, the box has {fit.available_height_pt:.1f} pt (measured with {measured})",
                         _overflow_hint(box))
            if not box.wrap and fit.overflow_width_pt > OVERFLOW_TOLERANCE_PT:
                self.add(WARNING, "overflow", where,
                         f"text overflows shape '{box.shape_name}': its longest line is "
                         f"{fit.widest_line_pt:.1f} pt wide, the box has {fit.available_width_pt:.1f} pt "
                         f"(measured with {measured})", _overflow_hint(box))
        if inspection.slide_height_emu:
            for table in inspection.tables:
                if not self.check_table(table, inspection.slide_height_emu, where):
                    return

    def check_table(self, table: TableLayout, slide_height_emu: int, where: Location) -> bool:
        """Warn when the table, its rows grown to fit their text as PowerPoint grows them, runs
        past the bottom of the slide; return False when fonts cannot be measured."""
        rows = [height / EMU_PER_PT for height in table.row_heights_emu]
        fonts: set[str] = set()
        for row, box in table.cells:
            if not box.text.strip() or row >= len(rows):
                continue
            fit = self.fit(box, where)
            if fit is None:
                return False
            fonts.update(match.family for match in fit.fonts)
            insets = (box.insets_emu[1] + box.insets_emu[3]) / EMU_PER_PT
            rows[row] = max(rows[row], fit.needed_height_pt + insets)
        bottom = table.top_emu / EMU_PER_PT + sum(rows)
        past = bottom - slide_height_emu / EMU_PER_PT
        if past > OVERFLOW_TOLERANCE_PT:
            measured = ", ".join(sorted(fonts))
            self.add(WARNING, "overflow", where,
                     f"table '{table.shape_name}' runs {past:.1f} pt past the bottom of the slide once its rows "
                     f"grow to fit their text ({sum(rows):.1f} pt tall; measured with {measured})",
                     "shorten the cell text, make the font smaller, or move the table up")
        return True

    def fit(self, box: TextBox, where: Location) -> Fit | None:
        """Measure ``box`` (template tags filled with sample values); None when fontconfig is
        missing, which is reported once."""
        box = self.samples.with_sample_values(box)
        try:
            fit = fit_text(box, self.fonts, skip=_is_tag_paragraph)
        except FontconfigMissing as exc:
            self.fonts_missing = str(exc)
            self.add(NOTE, "overflow", where, f"text overflow was not checked: {exc}",
                     "install fontconfig (apt-get install fontconfig) and the brand fonts")
            return None
        for match in fit.fonts:
            if not match.exact:
                self.substitutes.setdefault(match.requested.casefold(), (match, where))
        return fit

    def font_notes(self) -> None:
        for match, where in self.substitutes.values():
            self.add(NOTE, "font-missing", where,
                     f"font '{match.requested}' is not installed here, so text overflow was measured with "
                     f"'{match.family}', the font fontconfig substitutes for it",
                     f"install {match.requested} for exact measurements (`fc-list` lists installed fonts)")


class Samples:
    """Stands in for template tags when measuring text: the longest value a tag takes for the
    example prospects (with recipe defaults), or the expression as written when none evaluates.
    ``{% %}`` and ``{# #}`` tags take no room."""

    def __init__(self, contexts: list[dict[str, Any]]):
        self.contexts = contexts
        self.env = make_environment()
        self._cache: dict[str, str] = {}

    def value(self, expression: str) -> str:
        if expression not in self._cache:
            rendered = []
            for context in self.contexts:
                try:
                    rendered.append(str(call_bounded(self.env.expression(expression), **context)))
                except Exception:   # undefined names, loop variables, filter errors: try the next
                    continue
            self._cache[expression] = max(rendered, key=len) if rendered else expression
        return self._cache[expression]

    def with_sample_values(self, box: TextBox) -> TextBox:
        """Return ``box`` with its template tags replaced by sample values, run by run."""
        if "{" not in box.text:
            return box
        return replace(box, paragraphs=tuple(self._paragraph(p) for p in box.paragraphs))

    def _paragraph(self, paragraph: TextParagraph) -> TextParagraph:
        text = paragraph.text
        if "{" not in text or _is_tag_paragraph(paragraph):
            return paragraph
        owners = [index for index, run in enumerate(paragraph.runs) for _ in run.text]
        pieces: list[list[str]] = [[] for _ in paragraph.runs]
        position = 0
        for match in _TEMPLATE_TAG.finditer(text):
            for at in range(position, match.start()):
                pieces[owners[at]].append(text[at])
            if match.group(1) is not None:
                pieces[owners[match.start()]].append(self.value(match.group(1).strip()))
            position = match.end()
        for at in range(position, len(text)):
            pieces[owners[at]].append(text[at])
        runs = tuple(replace(run, text="".join(piece)) for run, piece in zip(paragraph.runs, pieces))
        return replace(paragraph, runs=runs)


def sample_contexts(recipes: Iterable[Recipe], prospects: list[Prospect],
                     today: datetime.date) -> list[dict[str, Any]]:
    """Return a render context per example prospect (recipe defaults, then its values)."""
    variables: dict[str, Any] = {}
    for recipe in recipes:
        for name, value in recipe.variables.items():
            variables.setdefault(name, value)
    if not prospects:
        return [{**variables, "today": today, "recipe": "check"}]
    return [{**variables, **prospect.as_context()["values"], "prospect": prospect.as_context(),
             "today": today, "recipe": "check"} for prospect in prospects]


def _measured_with(fit: Fit) -> str:
    return ", ".join(sorted({m.family for m in fit.fonts}))


def _overflow_hint(box: TextBox) -> str:
    return "shorten the text, make the box bigger or the font smaller" + (
        "" if box.autofit == "shrink" else ", or set the box to shrink text on overflow")


def _is_tag_paragraph(paragraph: TextParagraph) -> bool:
    """A paragraph that holds only a `{%p %}`/`{%tr %}` tag is removed when the deck is rendered."""
    return bool(_PARAGRAPH_TAG.match(paragraph.text))
