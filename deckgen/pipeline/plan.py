"""`deckgen plan`: find the project's folders, load library, recipe and prospect, and explain the plan."""
from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from deckgen.config import project_config
from deckgen.pipeline.workspace import Workspace
from deckgen.render.titles import slide_context, title_filler
from deckgen.errors import ConfigError
from deckgen.library import Library
from deckgen.ooxml import TemplateFit, template_fit
from deckgen.prospect import Prospect, load_prospect
from deckgen.recipes import DeckPlan, Recipe
from deckgen.fsutil import display_path
from deckgen.problems import Problem, raise_problems

Hint = Callable[[str], "str | None"]    # the code of a rule -> how to fix what it found, or None


@dataclass(frozen=True)
class PlanOutcome:
    """A deck plan with everything it was made from (for printing, building or scripting)."""

    plan: DeckPlan
    recipe: Recipe
    prospect: Prospect
    library: Library
    today: datetime.date
    template: Path | None = None      # the brand template in template mode
    layouts: tuple[TemplateFit | None, ...] = field(default_factory=tuple)  # per item; None: own look


def plan_deck(recipe: str | os.PathLike, *, prospect: str | os.PathLike | None = None, sets: Sequence[str] = (),
              library: str | os.PathLike | None = None, recipes: str | os.PathLike | None = None,
              allow_drafts: bool = False, strict: bool = False, start: str | os.PathLike | None = None,
              today: datetime.date | None = None, look: str | None = None) -> PlanOutcome:
    """Return the plan of ``recipe`` for a prospect file and/or ``--set`` overrides.

    Folders come from the arguments, else deckgen.yaml (found from ``start``), else ./slide_library
    and ./recipes. With ``strict``, library problems and plan warnings are errors too. In template
    mode (``look``, see ``build_deck``) the outcome says which template layout each slide goes to.
    """
    if prospect is None and not sets:
        raise ConfigError("no prospect given", code="no-prospect")
    workspace = Workspace(project_config(start, library=library, recipes=recipes), today=today, log_problems=False)
    config = workspace.config
    if not config.recipes.is_dir() and not Path(str(recipe)).is_file():
        raise ConfigError(f"recipes folder '{display_path(config.recipes)}' not found",
                          hint="set 'recipes:' in deckgen.yaml", code="no-recipes-folder")
    index = workspace.library
    loaded_recipe = workspace.recipe(recipe)
    loaded_prospect = workspace.canonical(load_prospect(prospect, sets, config.logos))
    plan = workspace.plan(recipe, loaded_prospect, allow_drafts=allow_drafts)
    if strict:
        strict_problems = [p.with_severity("error") for p in index.problems]
        strict_problems += [Problem("error", "", warning) for warning in plan.warnings]
        raise_problems(strict_problems, "the library or plan has problems a strict plan refuses", code="strict")
    template = workspace.template_for(look)
    layouts: tuple[TemplateFit | None, ...] = ()
    if template is not None:
        layouts = tuple(None if item.keep_look else
                        template_fit(template, workspace.source(item.path), item.slide_id)
                        for item in plan.items)
    return PlanOutcome(plan=plan, recipe=loaded_recipe, prospect=loaded_prospect, library=index,
                       today=workspace.today, template=template.path if template is not None else None,
                       layouts=layouts)


def shown_titles(outcome: PlanOutcome, raw: bool = False) -> list[str]:
    """The titles of the plan's slides as the deck will show them (tags filled for its prospect),
    or as written in the library with ``raw``."""
    if raw:
        return [item.title for item in outcome.plan.items]
    plan = outcome.plan
    show = title_filler(slide_context(plan.variables, outcome.prospect, outcome.today, plan.recipe))
    return [show(item.title) for item in plan.items]


def plan_text(outcome: PlanOutcome, raw_titles: bool = False, hint: Hint | None = None) -> str:
    """Return the plan as text: each slide in order with the rule that chose it, then what was
    skipped (with ``hint(code)`` for the rule that left it out, e.g. the CLI's flag to let it in)."""
    plan = outcome.plan
    titles = shown_titles(outcome, raw_titles)
    count = f"{len(plan.items)} slide{'s' if len(plan.items) != 1 else ''}"
    lines = [f"Plan '{plan.title}' ({display_path(outcome.recipe.path)}) for {plan.prospect}: {count}"]
    if outcome.template is not None:
        lines.append(f"On template {display_path(outcome.template)}")
    key_width = max((len(item.key) for item in plan.items), default=0)
    place_width = max((len(f"{item.module} #{item.number}") for item in plan.items), default=0)
    for position, (item, title) in enumerate(zip(plan.items, titles), start=1):
        place = f"{item.module} #{item.number}"
        lines.append(f"{position:>3}. {item.key:<{key_width}}  {place:<{place_width}}  {title}".rstrip())
        lines.append(f"       {item.rule}")
        if outcome.template is not None:
            lines.append(f"       {_layout_text(outcome.layouts[position - 1])}")
    if plan.skipped:
        lines.append("Skipped:")
        for skipped in plan.skipped:
            what = f"{skipped.key} " if skipped.key else ""
            told = hint(skipped.code) if hint else None
            lines.append(f"  - {what}(section '{skipped.section}'): {skipped.reason}" + (f" ({told})" if told else ""))
    return "\n".join(lines)


def _layout_text(layout: TemplateFit | None) -> str:
    if layout is None:
        return "keeps its own look (look: source)"
    text = f"-> layout '{layout.layout}': {layout.reason}"
    if layout.unmatched:
        text += f"; no place for its {', '.join(layout.unmatched)}"
    return text


def plan_json(outcome: PlanOutcome, hint: Hint | None = None) -> str:
    """Return the plan as JSON for scripts, with the library's problems (titles as shown, and raw);
    a skipped slide has the ``hint(code)`` of the rule that left it out, when there is one."""
    data = outcome.plan.to_dict()
    for skipped in data["skipped"]:
        told = hint(skipped["code"] or "") if hint else None
        if told:
            skipped["hint"] = told
    for slide, title in zip(data["slides"], shown_titles(outcome)):
        slide["path"] = display_path(slide["path"])
        slide["raw_title"], slide["title"] = slide["title"], title
    data["recipe_file"] = display_path(outcome.recipe.path)
    if outcome.template is not None:
        data["template"] = display_path(outcome.template)
        for slide, layout in zip(data["slides"], outcome.layouts):
            slide["layout"] = None if layout is None else {
                "name": layout.layout, "reason": layout.reason, "mapped": layout.mapped,
                "unmatched_placeholders": list(layout.unmatched)}
    data["library_problems"] = [
        {"severity": p.severity, "where": p.where, "message": p.message, "hint": p.hint}
        for p in outcome.library.problems
    ]
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def plan_notices(outcome: PlanOutcome) -> list[str]:
    """Return the lines worth telling a user besides the plan: library problems and plan warnings."""
    notices = [f"{problem.severity}: {problem}" for problem in outcome.library.problems]
    notices += [f"warning: {warning}" for warning in outcome.plan.warnings]
    return notices
