"""Check rules on the brand: fonts and colours a slide uses that deckgen.yaml's brand does not allow."""
from __future__ import annotations

from deckgen.fsutil import display_path
from deckgen.ooxml.inspect import (SlideInspection)
from deckgen.problems import WARNING, Location
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
