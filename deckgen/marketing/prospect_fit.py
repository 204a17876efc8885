"""Text that one prospect's own values make overflow: the planned slides' text boxes measured with
this prospect filled in, by the rule and in the words `deckgen check` uses for the example prospects."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from deckgen.errors import DeckgenError
from deckgen.marketing.check.text import OVERFLOW_TOLERANCE_PT, Samples, _is_tag_paragraph, _overflow_hint
from deckgen.marketing.textfit import FontBook, FontconfigMissing, fit_text
from deckgen.ooxml.inspect import TextBox, inspect_slide
from deckgen.pipeline.workspace import Workspace
from deckgen.prospect import Prospect
from deckgen.recipes import DeckPlan

_PROSPECT_FIELD = re.compile(r"\bprospect\.(\w+)")
_NAME = re.compile(r"\{\{[^}]*?\b([A-Za-z_]\w*)\b")


@dataclass(frozen=True)
class Overflow:
    """A text box this prospect's value overflows, and the prospect field that fills it."""

    field: str
    message: str
    hint: str

    def __str__(self) -> str:
        return f"prospect.{self.field}: {self.message} ({self.hint})"


def prospect_overflows(workspace: Workspace, plan: DeckPlan, prospect: Prospect, context: Mapping[str, Any],
                       fonts: FontBook, inspections: dict[tuple[Any, int], Any] | None = None) -> list[Overflow]:
    """Return the text boxes of ``plan``'s slides that overflow once ``context`` (the render
    context of the build) fills their tags, for boxes that show a prospect field or value.

    Boxes that overflow without this prospect are `deckgen check`'s business, not the prospect's.
    ``inspections`` keeps each slide's inspection for the next call (a server plans many times).
    """
    inspections = {} if inspections is None else inspections
    if not fonts.available:
        return []
    samples = Samples([dict(context)])
    values = set(prospect.values)
    found: list[Overflow] = []
    for position, item in enumerate(plan.items, start=1):
        inspection = inspections.get((item.path, item.slide_id))
        if inspection is None:
            try:
                inspection = inspections[(item.path, item.slide_id)] = inspect_slide(workspace.source(item.path),
                                                                                     item.slide_id)
            except DeckgenError:
                continue        # the build reports an unreadable slide in its own words
        where = f"slide {position} '{item.key}' ({item.module} #{item.number})"
        for box in inspection.text_boxes:
            field = _field_of(box, values)
            if field is None or box.kind != "shape" or box.autofit == "resize":
                continue
            try:
                fit = fit_text(samples.with_sample_values(box), fonts, skip=_is_tag_paragraph)
            except FontconfigMissing:
                return found
            measured = ", ".join(sorted({match.family for match in fit.fonts}))
            if fit.overflow_height_pt > OVERFLOW_TOLERANCE_PT:
                found.append(Overflow(field, f"{where}: text overflows shape '{box.shape_name}': it needs "
                                             f"{fit.needed_height_pt:.1f} pt of height, the box has "
                                             f"{fit.available_height_pt:.1f} pt (measured with {measured})",
                                      _hint(field, box)))
            elif not box.wrap and fit.overflow_width_pt > OVERFLOW_TOLERANCE_PT:
                found.append(Overflow(field, f"{where}: text overflows shape '{box.shape_name}': its longest "
                                             f"line is {fit.widest_line_pt:.1f} pt wide, the box has "
                                             f"{fit.available_width_pt:.1f} pt (measured with {measured})",
                                      _hint(field, box)))
    return found


def _hint(field: str, box: TextBox) -> str:
    fix = "shorter text" if field == "values" else f"a shorter {field}"
    return f"{fix} fits; or ask the slide's owner to {_overflow_hint(box).split(', ', 1)[-1]}"


def _field_of(box: TextBox, values: set[str]) -> str | None:
    """The prospect field whose value fills ``box`` (the first one its tags name), or None."""
    text = box.text
    if "{" not in text:
        return None
    named = _PROSPECT_FIELD.search(text)
    if named:
        return named.group(1)
    if any(name in values for name in _NAME.findall(text)):
        return "values"
    return None
