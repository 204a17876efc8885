"""Check rules of the message map: the hint when none is declared, prospects held to it, and
section limits that cut between slides only module file names order."""
from __future__ import annotations

import json
from typing import Iterator

from deckgen.errors import DeckgenError
from deckgen.fsutil import display_path
from deckgen.prospect import Prospect
from deckgen.problems import NOTE, WARNING
from deckgen.recipes import resolve
from deckgen.marketing.situations import situation_prospects


class MessageMapRules:
    """Mixed into the check run (``config``, ``library``, ``recipes``, ``today``, ``add``)."""

    def map_note(self) -> None:
        if self.config.message_map is None:
            self.add(NOTE, "message-map", display_path(self.config.file) if self.config.file else "",
                     "no message map is declared, so tag names and values are checked only against each other",
                     "`deckgen map init` writes message_map.yaml from the library's tags; then add "
                     "'message_map: message_map.yaml' to deckgen.yaml")

    def canonical(self, item: Prospect | DeckgenError) -> Prospect | DeckgenError:
        """Return a folder prospect mapped through the message map (or the error that says why not)."""
        if isinstance(item, Prospect) and self.config.message_map is not None:
            try:
                return self.config.message_map.canonical_prospect(item)
            except DeckgenError as exc:
                return exc
        return item

    def check_ordering(self, prospects: list[Prospect]) -> None:
        """Warn where a section's `limit` cuts between slides that only module file names order,
        for every recipe and the example prospects (and, with a map, one prospect per declared
        segment and industry, facing every declared competitor and objection)."""
        situations = list(_distinct(list(prospects) + situation_prospects(self.config.message_map)))
        for recipe in self.recipes:
            for prospect in situations:
                try:
                    plan = resolve(recipe, self.library, prospect, today=self.today, allow_drafts=True,
                                   message_map=self.config.message_map)
                except DeckgenError:
                    continue          # reported by the recipe and prospect checks
                for tie in plan.ties:
                    self.add(WARNING, "ordering", tie.location, tie.message, tie.hint)


def _distinct(prospects: list[Prospect]) -> Iterator[Prospect]:
    """Yield one prospect per distinct selling situation: a CRM export of a thousand rows holds a
    few dozen, and two prospects alike in everything a plan reads plan alike."""
    seen: set[str] = set()
    for prospect in prospects:
        context = prospect.as_context()
        context.pop("company")
        context.pop("contact")
        key = json.dumps(context, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            yield prospect
