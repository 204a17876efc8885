"""Previews through LibreOffice headless: PDF, page PNGs, library slide thumbnails, contact sheets."""
from __future__ import annotations

from deckgen.fsutil import default_cache_dir
from deckgen.preview.cache import RenderCache
from deckgen.preview.contact_sheet import contact_sheet
from deckgen.preview.libreoffice import to_pdf
from deckgen.preview.poppler import page_count, pdf_to_pngs
from deckgen.preview.render import (DEFAULT_WIDTH, SlideRef, deck_pages, deck_pdf,
                                    open_cache, selection_pdf, slide_thumbnails)

__all__ = ["DEFAULT_WIDTH", "SlideRef", "RenderCache", "contact_sheet", "deck_pages",
           "deck_pdf", "default_cache_dir", "open_cache", "page_count", "pdf_to_pngs",
           "selection_pdf", "slide_thumbnails", "to_pdf"]
