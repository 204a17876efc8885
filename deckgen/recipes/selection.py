"""The one matcher of tag selectors: which slides a selector picks, in which order, and which are left
out. Recipe resolution and `deckgen coverage` both call it, so a coverage cell and a deck never disagree."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Iterable, Mapping

from deckgen.library import Library, LibrarySlide
from deckgen.recipes.rules import Verdict, slide_verdict

ORDER_PRIORITY = "priority"     # sidecar `priority` (1 first; none = after all), then library order
ORDER_LIBRARY = "library"       # module file name, then position in the module
ORDER_KEY = "key"               # slide key, alphabetically
ORDERS = (ORDER_PRIORITY, ORDER_LIBRARY, ORDER_KEY)
_NO_PRIORITY = float("inf")


@dataclass(frozen=True)
class Selection:
    """What one selector picks: the usable slides in order, and those matched but left out (and why)."""

    slides: tuple[LibrarySlide, ...]
    left_out: tuple[tuple[LibrarySlide, Verdict], ...]   # with the rule that left each out


def order_key(order: str):
    """Return the sort key of an ordering rule (stable over library order, which breaks ties)."""
    if order == ORDER_LIBRARY:
        return None
    if order == ORDER_KEY:
        return lambda slide: slide.key
    return lambda slide: slide.priority if slide.priority is not None else _NO_PRIORITY


def select(library: Library, wanted: Mapping[str, Iterable[str]], *, today: datetime.date,
           allow_drafts: bool = False, order: str = ORDER_PRIORITY) -> Selection:
    """Return the slides matching ``wanted`` (see ``LibrarySlide.matches``) that a deck may use,
    ordered by ``order``: expired slides and, unless ``allow_drafts``, drafts are left out."""
    usable: list[LibrarySlide] = []
    left_out: list[tuple[LibrarySlide, Verdict]] = []
    for slide in library.matching(wanted):
        verdict = slide_verdict(slide, today, named=False, allow_drafts=allow_drafts)
        if verdict is not None:
            left_out.append((slide, verdict))
        else:
            usable.append(slide)
    key = order_key(order)
    if key is not None:
        usable.sort(key=key)
    return Selection(tuple(usable), tuple(left_out))


def decided_by_file_names(kept: LibrarySlide, cut: LibrarySlide, order: str) -> bool:
    """True when ``kept`` comes before ``cut`` only because its module file name sorts first."""
    # an explicit `order: library` or `order: key` is the author's choice, not an accident
    return order == ORDER_PRIORITY and kept.module != cut.module and kept.priority == cut.priority
