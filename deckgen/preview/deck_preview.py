"""`deckgen preview`: a deck's (or chosen slides') PNG files, optionally a PDF and a contact sheet."""
from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from deckgen.pipeline.merge import SlideSpec, parse_spec
from deckgen.config import input_folders_around
from deckgen.errors import InputFileError
from deckgen.safepaths import check_output
from deckgen.ooxml import SourceDeck
from deckgen.preview import (DEFAULT_WIDTH, SlideRef, RenderCache, contact_sheet, deck_pages,
                             deck_pdf, default_cache_dir, open_cache, selection_pdf,
                             slide_thumbnails)
from deckgen.preview.cache import copy_out
from deckgen.preview.libreoffice import DEFAULT_TIMEOUT
from deckgen.progress import Progress

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
    """Render ``deck`` (``deck.pptx`` or ``deck.pptx#1,3-5``) into ``out_dir``.

    Writes ``slide-NN.png`` per slide, NN being the slide's number in the deck (hidden slides
    are rendered too), ``DECK.pdf`` with ``pdf`` and ``contact-sheet.png`` on request.
    Renders go through the content-hash cache (``cache_dir``, default $XDG_CACHE_HOME/deckgen):
    a whole deck is keyed by its bytes, chosen slides by their closure hash, so previewing
    unchanged slides again does not start LibreOffice.
    """
    spec = parse_spec(str(deck))
    if not spec.path.is_file():
        raise InputFileError("file not found", where=str(spec.path), hint="check the path")
    out_dir = Path(out_dir)
    check_output(out_dir, inputs=[spec.path], protected=input_folders_around(), what="preview folder")
    result = PreviewResult()
    with _cache(cache_dir, use_cache) as cache:
        chosen: list[SlideRef] = []
        if spec.ranges is None:
            pages = deck_pages(spec.path, cache, width=width, progress=progress, timeout=timeout)
            numbers = list(range(1, len(pages) + 1))
            deck_count = len(pages)
        else:
            chosen, deck_count, numbers = _chosen_slides(spec)
            pages = slide_thumbnails(chosen, cache, width=width, progress=progress,
                                     timeout=timeout)
        digits = max(2, len(str(deck_count)))
        for number, page in zip(numbers, pages):
            result.slides.append(copy_out(page, out_dir / f"slide-{number:0{digits}d}.png"))
        _remove_stale_slide_pngs(out_dir, keep=set(result.slides))
        if pdf:
            target = out_dir / f"{spec.path.stem}.pdf"
            if spec.ranges is None:
                result.pdf = copy_out(deck_pdf(spec.path, cache, timeout=timeout), target)
            else:
                result.pdf = selection_pdf(chosen, target, timeout=timeout)
        if with_contact_sheet and pages:
            result.contact_sheet = contact_sheet(
                pages, out_dir / CONTACT_SHEET_NAME, captions=[f"Slide {n}" for n in numbers],
                title=spec.text)
    return result


def _chosen_slides(spec: SlideSpec) -> tuple[list[SlideRef], int, list[int]]:
    """(the slides ``spec`` names, the deck's slide count, their numbers); SlideSelectionError if
    out of range (checked before any list of them is made)."""
    with SourceDeck.open(spec.path) as source:
        numbers = spec.numbers_in(len(source.slide_ids))
        ids = [source.slide_id_at(number, where=spec.text) for number in numbers]
        return [SlideRef(spec.path, slide_id) for slide_id in ids], len(source.slide_ids), numbers


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
