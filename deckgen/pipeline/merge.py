"""`deckgen merge`: copy slides chosen as ``deck.pptx#1,3-5`` from several decks into one deck."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from deckgen.config import input_folders_around
from deckgen.errors import DeckgenError, SlideSelectionError
from deckgen.ooxml import AssembledDeck, SlidePick, assemble
from deckgen.ooxml.package import DeckSet
from deckgen.safepaths import check_output

# at most 9 digits: a slide number past a billion is a typo, and int() of thousands of digits is slow
_RANGE = re.compile(r"^\s*(\d{1,9})\s*(?:-\s*(\d{1,9})\s*)?$")
_SPEC_HINT = "use e.g. deck.pptx#1,3-5 (1-based slide numbers and ranges)"


@dataclass(frozen=True)
class SlideSpec:
    """One SOURCE[#RANGES] argument: the deck's path and its 1-based slide numbers (None = all)."""

    text: str
    path: Path
    ranges: tuple[tuple[int, int], ...] | None     # (first, last) as written

    @property
    def numbers(self) -> tuple[int, ...] | None:
        """The slide numbers in order (None = all); use ``numbers_in`` to check them against a deck."""
        if self.ranges is None:
            return None
        return tuple(number for first, last in self.ranges for number in range(first, last + 1))

    def numbers_in(self, count: int) -> list[int]:
        """The slide numbers of a deck of ``count`` slides (all when no ranges were given).

        Each range is checked against ``count`` before it is expanded, so ``#1-999999999`` is an
        error about slide 999999999, not a billion-item list.
        """
        if self.ranges is None:
            return list(range(1, count + 1))
        for first, last in self.ranges:
            if last > count:
                raise SlideSelectionError(f"slide {last} does not exist (the deck has {count} slide"
                                          f"{'' if count == 1 else 's'})", where=self.text)
        return list(self.numbers or ())


def parse_spec(text: str) -> SlideSpec:
    """Parse ``deck.pptx``, ``deck.pptx#3`` or ``deck.pptx#1,3-5`` (a path that exists as
    given, '#' included, is taken whole)."""
    path_text, hash_sign, ranges = text.rpartition("#")
    if not hash_sign or _exists(text):
        return SlideSpec(text, Path(text), None)
    numbers: list[tuple[int, int]] = []
    for item in ranges.split(","):
        match = _RANGE.match(item)
        if not match:
            shown = item.strip() if len(item) < 40 else item.strip()[:37] + "..."
            raise SlideSelectionError(f"'{shown}' is not a slide number or range",
                                      where=text if len(text) <= 200 else path_text + "#...", hint=_SPEC_HINT)
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first < 1 or last < first:
            raise SlideSelectionError(f"'{item.strip()}' is not a valid range", where=text,
                                      hint="numbers start at 1 and ranges go upwards, e.g. 3-5")
        numbers.append((first, last))
    return SlideSpec(text, Path(path_text), tuple(numbers))


def _exists(text: str) -> bool:
    try:
        return Path(text).exists()
    except (OSError, ValueError):     # a name too long for the file system, a NUL
        return False


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
    check_output(target, inputs=[spec.path for spec in parsed] + ([Path(base)] if base else []),
                 protected=input_folders_around())
    decks = DeckSet()
    try:
        picks = []
        for spec in parsed:
            deck = decks.get(spec.path)
            numbers = spec.numbers_in(len(deck.slide_ids))
            if spec.ranges is None and not deck.slide_ids:
                raise SlideSelectionError("has no slides", where=spec.text)
            picks.extend(SlidePick(deck, deck.slide_id_at(number, where=spec.text))
                         for number in numbers)
        assembled = assemble(picks, base=base, base_slides=base_slides, strict=strict,
                             template=template)
        assembled.save(target)
        return assembled
    finally:
        decks.close_opened()
