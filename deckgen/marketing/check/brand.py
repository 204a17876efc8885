"""Check rules on the brand: fonts and colours a slide uses that deckgen.yaml's brand does not allow, and
with brand.template, slides that cannot go on the template or stay off-brand there."""
from __future__ import annotations

from deckgen.errors import DeckgenError
from deckgen.fsutil import display_path
from deckgen.marketing.check.onto_template import template_findings
from deckgen.ooxml import SourceDeck
from deckgen.ooxml.inspect import (SlideInspection)
from deckgen.problems import ERROR, WARNING, Location
from deckgen.marketing.check.report import plural_s


class BrandRules:
    """Rules on the brand: fonts and colours outside ``brand:`` in deckgen.yaml."""

    def check_brand(self, inspection: SlideInspection, where: Location) -> None:
        brand = self.config.brand
        source = display_path(self.config.file) if self.config.file else "deckgen.yaml"
        if brand.fonts:
            allowed = {font.casefold() for font in brand.fonts}
            off = sorted(font for font in inspection.fonts if font.casefold() not in allowed)
            if off:
                self.add(WARNING, "brand-font", where,
                         "uses font" + plural_s(len(off)) + " outside the brand fonts: " + ", ".join(f"'{f}'" for f in off),
                         f"use {', '.join(brand.fonts)} (brand.fonts in {source})")
        if brand.colors:
            off = sorted(color for color in inspection.colors if color not in set(brand.colors))
            if off:
                self.add(WARNING, "brand-color", where,
                         "uses colour" + plural_s(len(off)) + " outside the brand palette: "
                         + ", ".join(f"#{c}" for c in off),
                         f"pick a colour of brand.colors in {source}")

    def check_template(self, deck: SourceDeck, slide_id: int, where: Location) -> None:
        """With brand.template: slides that cannot be put on the template, and what stays off-brand there
        (the template deck is opened once, in the run's shared ``decks``)."""
        template = self.config.brand.template
        if template is None or getattr(self, "_template_failed", False):
            return
        try:
            template_deck = self.decks.get(template)
        except DeckgenError as exc:
            self._template_failed = True
            self.add(ERROR, "template", display_path(template), exc.message, exc.hint)
            return
        try:
            findings = template_findings(template_deck, deck, slide_id, self.config.brand)
        except DeckgenError as exc:
            self.add(ERROR, "template", where, exc.message, exc.hint)
            return
        for finding in findings:
            self.add(WARNING, finding.rule, where, finding.message, finding.hint)
