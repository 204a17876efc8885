"""Check rules on a slide's jinja templates: syntax, and every name it reads must be provided."""
from __future__ import annotations

from typing import Any

from deckgen.fsutil import display_path
from deckgen.problems import ERROR, Location, did_you_mean
from deckgen.prospect import FIELDS as PROSPECT_FIELDS
from deckgen.prospect import unknown_field_hint
from deckgen.render import find_variables, template_syntax_errors
from deckgen.render.analysis import prospect_paths


BUILTIN_NAMES = frozenset({"prospect", "today", "recipe"})   # docs/formats.md "Slide templates"


class TemplateRules:
    """Rules on slide templates: jinja syntax, variables nothing provides, prospect fields that do not exist."""

    def check_templates(self, slide: Any, where: Location, provided: set[str]) -> None:
        for error in template_syntax_errors(slide):
            self.add(ERROR, "template-syntax", where, error.message,
                     error.hint or "fix the {{ }} / {% %} tags in PowerPoint")
        names = find_variables(slide).get(0, set())
        for name in sorted(names - provided):
            self.add(ERROR, "template-variable", where,
                     f"uses variable '{name}', which no recipe variable or prospect value provides",
                     did_you_mean(name, provided - BUILTIN_NAMES) or
                     f"give it a default under 'variables:' in a recipe, or add it to the 'values:' of the "
                     f"prospects in {display_path(self.config.prospects)}/")
        for path in sorted(prospect_paths(slide)):
            parts = path.split(".")
            if parts[1] not in PROSPECT_FIELDS:
                self.add(ERROR, "template-variable", where, f"uses '{path}', which is not a prospect field",
                         unknown_field_hint(parts[1]))
            elif parts[1] == "values" and len(parts) > 2 and parts[2] not in self.values:
                self.add(ERROR, "template-variable", where,
                         f"uses '{path}', which no prospect in {display_path(self.config.prospects)}/ provides",
                         did_you_mean(parts[2], self.values) or
                         f"add '{parts[2]}' to the 'values:' of the prospects, or read a recipe variable instead")
