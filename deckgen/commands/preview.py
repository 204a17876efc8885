"""`deckgen preview`: a deck's slides as PNG files, optionally its PDF and a contact sheet."""
from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from deckgen.errors import InputFileError
from deckgen.preview import (DEFAULT_WIDTH, RenderCache, contact_sheet, deck_pages, deck_pdf,
                             default_cache_dir, open_cache)
from deckgen.preview.cache import copy_out
from deckgen.preview.libreoffice import DEFAULT_TIMEOUT
from deckgen.preview.render import Progress

CONTACT_SHEET_NAME = "contact-sheet.png"
_SLIDE_PNG = re.compile(r"slide-\d+\.png")


@dataclass
class PreviewResult:
    """What a preview wrote: one PNG per slide in order, and the optional PDF and contact sheet."""

    slides: list[Path] = field(default_factory=list)
    pdf: Path | None = None
    contact_sheet: Path | None = None


def preview_deck(deck: str | Path, out_dir: str | Path, *, width: int = DEFAULT_WIDTH,
                 pdf: bool = False, with_contact_sheet: bool = False,
                 cache_dir: str | Path | None = None, use_cache: bool = True,
                 progress: Progress | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> PreviewResult:
    """Render ``deck`` into ``out_dir``: ``slide-NN.png`` per slide (hidden slides included, so
    NN is the slide's position), ``DECK.pdf`` with ``pdf``, ``contact-sheet.png`` on request.

    Renders go through the content-hash cache (``cache_dir``, default $XDG_CACHE_HOME/deckgen),
    so previewing an unchanged deck again does not start LibreOffice.
    """
    deck = Path(deck)
    if not deck.is_file():
        raise InputFileError("file not found", where=str(deck), hint="check the path")
    out_dir = Path(out_dir)
    result = PreviewResult()
    with _cache(cache_dir, use_cache) as cache:
        pages = deck_pages(deck, cache, width=width, progress=progress, timeout=timeout)
        digits = max(2, len(str(len(pages))))
        for number, page in enumerate(pages, start=1):
            result.slides.append(copy_out(page, out_dir / f"slide-{number:0{digits}d}.png"))
        _remove_stale_slide_pngs(out_dir, keep=set(result.slides))
        if pdf:
            result.pdf = copy_out(deck_pdf(deck, cache, timeout=timeout),
                                  out_dir / f"{deck.stem}.pdf")
        if with_contact_sheet:
            captions = [f"Slide {n}" for n in range(1, len(pages) + 1)]
            result.contact_sheet = contact_sheet(pages, out_dir / CONTACT_SHEET_NAME,
                                                 captions=captions, title=deck.name)
    return result


@contextlib.contextmanager
def _cache(cache_dir: str | Path | None, use_cache: bool) -> Iterator[RenderCache]:
    if use_cache:
        yield open_cache(cache_dir or default_cache_dir())
        return
    with tempfile.TemporaryDirectory(prefix="deckgen-nocache-") as scratch:
        yield open_cache(scratch)


def _remove_stale_slide_pngs(out_dir: Path, keep: set[Path]) -> None:
    """Drop slide PNGs of an earlier, longer preview so the folder shows this deck only."""
    for png in out_dir.glob("slide-*.png"):
        if _SLIDE_PNG.fullmatch(png.name) and png not in keep:
            png.unlink()
