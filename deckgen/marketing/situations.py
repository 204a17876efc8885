"""Selling situations of the message map as stand-in prospects, to try recipes on every declared value."""
from __future__ import annotations

from deckgen.messagemap import MessageMap
from deckgen.prospect import Prospect


def situation_prospects(message_map: MessageMap | None) -> list[Prospect]:
    """Return one prospect per declared segment, and one per declared industry (in the first
    segment), each facing every declared competitor and objection; empty without a map or
    without a dimension fed by the prospect's segment."""
    if message_map is None:
        return []
    segments = message_map.dimension_for_field("segment")
    if segments is None or not segments.values:
        return []
    competitors = message_map.dimension_for_field("competitors")
    objections = message_map.dimension_for_field("objections")
    industries = message_map.dimension_for_field("industry")
    common = dict(competitors=tuple(competitors.values) if competitors else (),
                  objections=tuple(objections.values) if objections else (),
                  source=f"{message_map.label} (every declared situation)")
    found = [Prospect(company=f"any {segment} prospect", segment=segment, **common) for segment in segments.values]
    first = next(iter(segments.values))
    found += [Prospect(company=f"any {industry} prospect", segment=first, industry=industry, **common)
              for industry in (industries.values if industries else ())]
    return found
