"""The catalog's message-map page: for each selling situation, the slides that apply, with
thumbnails, and the gaps; every list is a selection made by the matcher recipes use."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from deckgen.config import ProjectConfig
from deckgen.library import Library
from deckgen.messagemap import KIND_TAG
from deckgen.recipes.selection import select

MAP_PAGE = "map.html"
_SITUATION_FIELDS = ("competitors", "objections")   # dimensions answered whatever the segment


@dataclass(frozen=True)
class _Axis:
    tag: str
    label: str
    values: list[tuple[str, str, str]]     # (value, label, description)


def map_page_data(config: ProjectConfig, library: Library, thumbs: dict[str, str],
                  today: datetime.date) -> dict[str, Any]:
    """Return the data of the message-map page: per segment, each content kind's slides (or a gap);
    per competitor and objection, the slides that answer it (or a gap)."""
    message_map = config.message_map
    kinds = _axis(config, library, KIND_TAG)
    segments = _axis(config, library, "segment")
    by_key = {slide.key: slide for slide in library}

    def cards(wanted: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
        chosen = select(library, wanted, today=today).slides
        return [{"key": slide.key, "title": slide.title, "thumb": thumbs.get(slide.key),
                 "file": f"{slide.module}.pptx #{slide.number}"} for slide in chosen if slide.key in by_key]

    # kinds whose slides never name a segment are not a segment's to cover (titles, agendas)
    with_segment = {value for slide in library for value in slide.tags.get(KIND_TAG, ()) if slide.tags.get("segment")}
    used = {value for slide in library for value in slide.tags.get(KIND_TAG, ())}
    segment_kinds = [kind for kind in kinds.values if kind[0] in with_segment or kind[0] not in used]
    situations = [{
        "value": value, "label": label, "description": description,
        "rows": [{"kind": kind, "label": kind_label, "slides": cards({KIND_TAG: (kind,), "segment": (value,)})}
                 for kind, kind_label, _ in segment_kinds],
    } for value, label, description in segments.values]
    answers = []
    for field in _SITUATION_FIELDS:
        dimension = message_map.dimension_for_field(field) if message_map else None
        tag = dimension.name if dimension else field.rstrip("s")
        axis = _axis(config, library, tag)
        answers.append({"tag": tag, "label": axis.label,
                        "rows": [{"value": value, "label": label, "slides": cards({tag: (value,)})}
                                 for value, label, _ in axis.values]})
    gaps = sum(not row["slides"] for situation in situations for row in situation["rows"]) + \
        sum(not row["slides"] for group in answers for row in group["rows"])
    return {"generated": today.isoformat(), "declared": message_map is not None,
            "map": message_map.label if message_map else None,
            "situations": situations, "answers": answers, "gaps": gaps}


def _axis(config: ProjectConfig, library: Library, tag: str) -> _Axis:
    """The values of a tag: declared in the message map (with labels), else those the library uses."""
    message_map = config.message_map
    dimension = message_map.tag(tag) if message_map else None
    if dimension is not None:
        return _Axis(tag, dimension.label, [(v.name, v.label, v.description) for v in dimension.values.values()])
    values = sorted(library.tag_values(tag), key=str.casefold)
    return _Axis(tag, tag.capitalize(), [(value, value, "") for value in values])
