"""`deckgen merge`: copy slides chosen as ``deck.pptx#1,3-5`` from several decks into one deck."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from deckgen.errors import DeckgenError, SlideSelectionError
from deckgen.ooxml import AssembledDeck, SlidePick, assemble
from deckgen.ooxml.package import DeckSet

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")
_SPEC_HINT = "use e.g. deck.pptx#1,3-5 (1-based slide numbers and ranges)"


@dataclass(frozen=True)
class SlideSpec:
    """One SOURCE[#RANGES] argument: the deck's path and its 1-based slide numbers (None = all)."""

    text: str
    path: Path
    numbers: tuple[int, ...] | None


def parse_spec(text: str) -> SlideSpec:
    """Parse ``deck.pptx``, ``deck.pptx#3`` or ``deck.pptx#1,3-5`` (a path that exists as
    given, '#' included, is taken whole)."""
    path_text, hash_sign, ranges = text.rpartition("#")
    if not hash_sign or Path(text).exists():
        return SlideSpec(text, Path(text), None)
    numbers: list[int] = []
    for item in ranges.split(","):
        match = _RANGE.match(item)
        if not match:
            raise SlideSelectionError(f"'{item.strip()}' is not a slide number or range",
                                      where=text, hint=_SPEC_HINT)
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first < 1 or last < first:
            raise SlideSelectionError(f"'{item.strip()}' is not a valid range", where=text,
                                      hint="numbers start at 1 and ranges go upwards, e.g. 3-5")
        numbers.extend(range(first, last + 1))
    return SlideSpec(text, Path(path_text), tuple(numbers))


def merge(specs: Sequence[str], output: str | os.PathLike,
          base: str | os.PathLike | None = None, base_slides: str = "none",
          strict: bool = False, template: str | os.PathLike | None = None) -> AssembledDeck:
    """Copy the slides named by ``specs`` (in argument order) into ``output`` and return the
    assembled deck; ``base`` sets slide size and presentation properties, slides of another
    size are scaled to it; ``strict`` refuses sources with relationships to missing parts
    instead of repairing them, and slides of another size instead of scaling them; with
    ``template`` every slide is put on the template's layouts (see ``assemble``).

    Every source and range is checked before anything is written; the output appears whole or
    not at all.
    """
    target = Path(output)
    if target.suffix.lower() != ".pptx":
        raise DeckgenError("the output must be a .pptx file", where=str(output),
                           hint="macros, templates and shows are not written by merge")
    if not specs:
        raise SlideSelectionError("no source decks given", hint=_SPEC_HINT)
    parsed = [parse_spec(text) for text in specs]
    decks = DeckSet()
    try:
        picks = []
        for spec in parsed:
            deck = decks.get(spec.path)
            numbers = spec.numbers or range(1, len(deck.slide_ids) + 1)
            if spec.numbers is None and not deck.slide_ids:
                raise SlideSelectionError("has no slides", where=spec.text)
            picks.extend(SlidePick(deck, deck.slide_id_at(number, where=spec.text))
                         for number in numbers)
        assembled = assemble(picks, base=base, base_slides=base_slides, strict=strict,
                             template=template)
        assembled.save(target)
        return assembled
    finally:
        decks.close_opened()
