"""On-disk cache of rendered PDFs and PNGs, keyed by content hash, so nothing renders twice."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from deckgen.errors import RenderError
from deckgen.fsutil import atomic_output

# Bump when what is stored under a key changes meaning (file names, render options).
CACHE_FORMAT = "1"


class RenderCache:
    """Rendered output stored under ``root`` by content hash and render options.

    Entries are written to a scratch name and renamed into place, so a reader sees a whole entry
    or none, and parallel renderers of the same content do not corrupt each other (the first
    rename wins; the loser's copy is dropped). ``renderer`` (e.g. the LibreOffice version) is
    part of every key: a new renderer does not serve old pictures.
    """

    def __init__(self, root: str | os.PathLike, renderer: str = ""):
        self.root = Path(root)
        self.renderer = renderer

    def _key(self, *parts: object) -> str:
        text = "\0".join(str(p) for p in (CACHE_FORMAT, self.renderer, *parts))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _entry(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / key

    # -- whole decks ---------------------------------------------------------------------------

    def deck_pdf(self, content_hash: str, include_hidden: bool) -> Path | None:
        """Cached PDF of the deck with this content hash, or None."""
        path = self._entry("pdf", self._key("pdf", content_hash, include_hidden)) / "deck.pdf"
        return path if path.is_file() else None

    def store_deck_pdf(self, content_hash: str, include_hidden: bool, pdf: Path) -> Path:
        """Copy ``pdf`` into the cache and return the cached path."""
        entry = self._entry("pdf", self._key("pdf", content_hash, include_hidden))
        self._store_files(entry, [(pdf, "deck.pdf")])
        return entry / "deck.pdf"

    def deck_pages(self, content_hash: str, include_hidden: bool, width: int) -> list[Path] | None:
        """Cached page PNGs (in page order) of the deck at this width, or None."""
        entry = self._entry("pages", self._key("pages", content_hash, include_hidden, width))
        if not entry.is_dir():
            return None
        return sorted(entry.glob("page-*.png"))

    def store_deck_pages(self, content_hash: str, include_hidden: bool, width: int,
                         pngs: list[Path]) -> list[Path]:
        """Copy the page PNGs (in page order) into the cache; return the cached paths."""
        entry = self._entry("pages", self._key("pages", content_hash, include_hidden, width))
        digits = max(3, len(str(len(pngs))))
        names = [f"page-{n:0{digits}d}.png" for n in range(1, len(pngs) + 1)]
        self._store_files(entry, list(zip(pngs, names)))
        return [entry / name for name in names]

    # -- single library slides -----------------------------------------------------------------

    def slide_png(self, closure_hash: str, width: int) -> Path | None:
        """Cached PNG of one slide whose relationship closure has this hash, or None."""
        path = self._entry("slides", self._key("slide", closure_hash, width)) / "slide.png"
        return path if path.is_file() else None

    def store_slide_png(self, closure_hash: str, width: int, png: Path) -> Path:
        """Copy one slide's PNG into the cache and return the cached path."""
        entry = self._entry("slides", self._key("slide", closure_hash, width))
        self._store_files(entry, [(png, "slide.png")])
        return entry / "slide.png"

    # -- storage -------------------------------------------------------------------------------

    def _store_files(self, entry: Path, files: list[tuple[Path, str]]) -> None:
        if entry.is_dir():
            return
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            scratch = Path(tempfile.mkdtemp(prefix=".incoming-", dir=entry.parent))
        except OSError as exc:
            raise RenderError(f"cannot write the render cache ({exc.strerror or exc})",
                              where=str(self.root), hint="choose another cache folder or turn the cache off", code="cache-folder") from exc
        try:
            for source, name in files:
                shutil.copyfile(source, scratch / name)
            try:
                os.rename(scratch, entry)
            except OSError:
                if not entry.is_dir():  # not a lost race with another renderer: a real failure
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def copy_out(cached: Path, target: Path) -> Path:
    """Copy a cached file to ``target`` atomically (the cache itself is never handed out)."""
    with atomic_output(target) as handle, cached.open("rb") as source:
        shutil.copyfileobj(source, handle)
    return target
