"""The only package that knows OOXML parts, rIds and XML: reading decks and copying slides."""
from __future__ import annotations

from deckgen.ooxml.copy import BASE_SLIDES, SlidePick, assemble
from deckgen.ooxml.outpackage import AssembledDeck
from deckgen.ooxml.package import SlideInfo, SourceDeck, list_slides
from deckgen.ooxml.presentation import DocumentProperties
from deckgen.ooxml.retarget import TemplateFit, template_fit, theme_palette

__all__ = ["BASE_SLIDES", "AssembledDeck", "DocumentProperties", "SlideInfo", "SlidePick", "SourceDeck", "TemplateFit",
           "assemble", "list_slides", "template_fit", "theme_palette"]
