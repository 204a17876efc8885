"""Cached rendering of whole decks and of single library slides to PDF and page PNGs."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deckgen.errors import InputFileError, RenderError
from deckgen.ooxml import SlidePick, assemble
from deckgen.ooxml.package import DeckSet, SourceDeck
from deckgen.progress import Progress
from deckgen.preview import libreoffice, poppler, tools
from deckgen.fsutil import sha256_file
from deckgen.preview.cache import RenderCache, copy_out

DEFAULT_WIDTH = 640  # pixels: sharp enough for a catalog card, small enough to render fast
_PAGES_PER_STEP = 8  # pages rasterised per progress step
_SLIDES_PER_RUN = 60  # library slides rendered by one LibreOffice run (a run has a time limit)

# progress(done, total, label): called after each step of a long render


@dataclass(frozen=True)
class SlideRef:
    """One slide of a library module: its file and its p:sldId/@id."""

    path: Path
    slide_id: int


def renderer_tag() -> str:
    """Identifies the installed LibreOffice for cache keys (path, size and mtime of the binary)."""
    try:
        soffice = os.path.realpath(tools.find_tool("soffice"))
    except RenderError:
        return "soffice-missing"
    stat = os.stat(soffice)
    return f"{soffice}:{stat.st_size}:{int(stat.st_mtime)}"


def open_cache(root: str | os.PathLike) -> RenderCache:
    """A RenderCache under ``root`` whose keys include the installed LibreOffice."""
    return RenderCache(root, renderer=renderer_tag())


def deck_pdf(pptx: str | os.PathLike, cache: RenderCache, *, include_hidden: bool = True,
             content_hash: str | None = None,
             timeout: float = libreoffice.DEFAULT_TIMEOUT) -> Path:
    """Path of the deck's PDF in ``cache``, converting with LibreOffice only on a cache miss."""
    content_hash = content_hash or _content_hash(pptx)
    cached = cache.deck_pdf(content_hash, include_hidden)
    if cached is not None:
        return cached
    with tempfile.TemporaryDirectory(prefix="deckgen-render-") as work:
        pdf = libreoffice.to_pdf(pptx, Path(work) / "deck.pdf", include_hidden=include_hidden,
                                 timeout=timeout)
        return cache.store_deck_pdf(content_hash, include_hidden, pdf)


def deck_pages(pptx: str | os.PathLike, cache: RenderCache, *, width: int = DEFAULT_WIDTH,
               include_hidden: bool = True, progress: Progress | None = None,
               timeout: float = libreoffice.DEFAULT_TIMEOUT) -> list[Path]:
    """Cached PNG of every page of the deck (hidden slides included by default), in order."""
    content_hash = _content_hash(pptx)
    cached = cache.deck_pages(content_hash, include_hidden, width)
    if cached is not None:
        _report(progress, 1, 1, f"{Path(pptx).name}: cached")
        return cached
    _report(progress, 0, 1, f"{Path(pptx).name}: converting to PDF")
    pdf = deck_pdf(pptx, cache, include_hidden=include_hidden, content_hash=content_hash,
                   timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="deckgen-pages-") as work:
        pngs = _rasterise(pdf, Path(work), width, Path(pptx).name, progress, timeout)
        return cache.store_deck_pages(content_hash, include_hidden, width, pngs)


def slide_thumbnails(slides: Sequence[SlideRef], cache: RenderCache, *,
                     width: int = DEFAULT_WIDTH, progress: Progress | None = None,
                     timeout: float = libreoffice.DEFAULT_TIMEOUT) -> list[Path]:
    """Cached PNG of each library slide, in the order given.

    A slide's cache key is the hash of its relationship closure (slide, layout, master, theme,
    media...), so editing one slide of a module re-renders that slide only. The slides that
    miss, from every module, are copied into as few scratch decks as their slide sizes allow
    (hidden ones included) and each is rendered in one LibreOffice run.
    """
    sources = DeckSet()
    try:
        # a slide's picture depends on its content and on the number its slide-number fields show
        hashes = [f"{sources.get(s.path).closure_hash(s.slide_id)}-{_number_in(sources.get(s.path), s)}"
                  for s in slides]
        results: dict[int, Path] = {}
        missing: dict[Path, list[int]] = {}
        for index, (slide, closure) in enumerate(zip(slides, hashes)):
            cached = cache.slide_png(closure, width)
            if cached is not None:
                results[index] = cached
            elif not any(hashes[i] == closure for i in missing.get(slide.path, [])):
                missing.setdefault(slide.path, []).append(index)

        total = sum(len(indexes) for indexes in missing.values())
        done = 0
        for chunk in _render_batches(missing, sources):
            modules = {slides[i].path for i in chunk}
            label = next(iter(modules)).name if len(modules) == 1 else f"{len(modules)} modules"
            _report(progress, done, total, f"{label}: rendering {len(chunk)} slide(s)")
            with tempfile.TemporaryDirectory(prefix="deckgen-slides-") as work:
                pngs = _render_slides([slides[i] for i in chunk], sources, width, timeout, Path(work))
                for index, png in zip(chunk, pngs):
                    results[index] = cache.store_slide_png(hashes[index], width, png)
            done += len(chunk)
            _report(progress, done, total, f"{label}: rendered")
    finally:
        sources.close_opened()
    # a slide whose closure equals one rendered above (asked for twice) shares its PNG
    return [results.get(i) or cache.slide_png(hashes[i], width) for i in range(len(slides))]


def _render_batches(missing: dict[Path, list[int]], sources: DeckSet) -> list[list[int]]:
    """The slides to render (indexes, by module) in as few LibreOffice runs as sizes allow: each
    run starts LibreOffice, which costs more than the pages of a module, but a scratch deck has
    one slide size (slides of another would be scaled), and a run holds at most _SLIDES_PER_RUN."""
    by_size: dict[tuple[int, int] | None, list[int]] = {}
    for path, indexes in missing.items():
        by_size.setdefault(sources.get(path).slide_size, []).extend(indexes)
    return [indexes[start:start + _SLIDES_PER_RUN] for indexes in by_size.values()
            for start in range(0, len(indexes), _SLIDES_PER_RUN)]


def _render_slides(chosen: list[SlideRef], sources: DeckSet, width: int, timeout: float,
                   work: Path) -> list[Path]:
    """PNGs of ``chosen`` in order, rendered together in ``work``. When a run of several modules
    fails, each module is rendered alone, so the error names the module at fault."""
    modules = list(dict.fromkeys(slide.path for slide in chosen))
    try:
        pdf = _selection_pdf(chosen, sources, work, timeout)
        pngs = poppler.pdf_to_pngs(pdf, work / "png", width=width, timeout=timeout)
    except RenderError:
        if len(modules) == 1:
            raise
        return [png for number, module in enumerate(modules)
                for png in _render_slides([s for s in chosen if s.path == module], sources, width, timeout,
                                          _fresh(work / f"module-{number}"))]
    if len(pngs) != len(chosen):
        raise RenderError(f"LibreOffice rendered {len(pngs)} pages for {len(chosen)} slides",
                          where=", ".join(str(module) for module in modules))
    return pngs


def _fresh(folder: Path) -> Path:
    folder.mkdir()
    return folder


def selection_pdf(slides: Sequence[SlideRef], out_pdf: str | os.PathLike, *,
                  timeout: float = libreoffice.DEFAULT_TIMEOUT) -> Path:
    """PDF of just these slides (hidden ones included), copied into one deck in this order."""
    sources = DeckSet()
    try:
        with tempfile.TemporaryDirectory(prefix="deckgen-selection-") as work:
            pdf = _selection_pdf(slides, sources, Path(work), timeout)
            return copy_out(pdf, Path(out_pdf))
    finally:
        sources.close_opened()


def _selection_pdf(slides: Sequence[SlideRef], sources: DeckSet, work: Path,
                   timeout: float) -> Path:
    """Copy the slides into a scratch deck in ``work`` with the slide-copy engine; render it."""
    scratch = work / "slides.pptx"
    assemble([SlidePick(sources.get(s.path), s.slide_id, shown_number=_number_in(sources.get(s.path), s))
              for s in slides]).save(scratch)
    return libreoffice.to_pdf(scratch, work / "slides.pdf", include_hidden=True,
                              timeout=timeout)


def _number_in(deck: SourceDeck, slide: SlideRef) -> int:
    """The slide's 1-based number in its own deck (what its slide-number fields show there)."""
    return deck.slide_ids.index(slide.slide_id) + 1


def _rasterise(pdf: Path, work: Path, width: int, name: str, progress: Progress | None,
               timeout: float) -> list[Path]:
    total = poppler.page_count(pdf)
    pngs: list[Path] = []
    for first in range(1, total + 1, _PAGES_PER_STEP):
        last = min(total, first + _PAGES_PER_STEP - 1)
        pngs += poppler.pdf_to_pngs(pdf, work, width=width, first=first, last=last,
                                    prefix="page", timeout=timeout)
        _report(progress, last, total, f"{name}: page {last} of {total}")
    return pngs


def _content_hash(pptx: str | os.PathLike) -> str:
    path = Path(pptx)
    if not path.is_file():
        raise InputFileError("file not found", where=str(path), hint="check the path")
    return sha256_file(path)


def _report(progress: Progress | None, done: int, total: int, label: str) -> None:
    if progress is not None:
        progress(done, total, label)


__all__ = ["DEFAULT_WIDTH", "SlideRef", "Progress", "deck_pages", "deck_pdf", "open_cache",
           "renderer_tag", "selection_pdf", "slide_thumbnails"]
