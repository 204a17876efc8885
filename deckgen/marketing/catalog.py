"""`deckgen catalog`: a static HTML catalog of the library that filters and searches in the browser.

The page is one index.html with the catalog data embedded as JSON (so it works from file://
without a server) and a thumbs/ folder of slide PNGs rendered through deckgen.preview's cache.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from deckgen.config import ProjectConfig
from deckgen.errors import InputFileError
from deckgen.fsutil import write_bytes_atomic
from deckgen.safepaths import check_output
from deckgen.marketing.search import LibraryCatalog, open_catalog
from deckgen.marketing.usage import NAMED
from deckgen.preview import SlideRef, default_cache_dir, open_cache, slide_thumbnails
from deckgen.preview.cache import copy_out
from deckgen.fsutil import display_path

INDEX_NAME = "index.html"
THUMBS_DIR = "thumbs"
THUMB_WIDTH = 480
_TEMPLATES = jinja2.Environment(loader=jinja2.PackageLoader("deckgen", "templates"),
                                autoescape=jinja2.select_autoescape(["html"]),
                                undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


@dataclass
class CatalogResult:
    """What `deckgen catalog` wrote."""

    index: Path
    slides: int
    thumbnails: list[Path] = field(default_factory=list)


def build_catalog(config: ProjectConfig, out_dir: str | os.PathLike, *, thumbnails: bool = True,
                  cache_dir: str | os.PathLike | None = None, use_cache: bool = True,
                  width: int = THUMB_WIDTH, progress=None, today: datetime.date | None = None) -> CatalogResult:
    """Write ``out_dir``/index.html (and thumbs/KEY.png with ``thumbnails``) for the project's library."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputFileError("is a file; the catalog needs a folder", where=display_path(out),
                             hint="pass -o with a folder name")
    check_output(out, protected=config.input_folders, what="catalog folder")
    catalog = open_catalog(config)
    today = today or datetime.date.today()
    result = CatalogResult(index=out / INDEX_NAME, slides=len(catalog.library))
    thumbs: dict[str, str] = {}
    if thumbnails and len(catalog.library):
        result.thumbnails = _write_thumbnails(catalog, out / THUMBS_DIR, cache_dir, use_cache, width, progress)
        thumbs = {slide.key: f"{THUMBS_DIR}/{png.name}" for slide, png in zip(catalog.library, result.thumbnails)}
    data = catalog_data(catalog, thumbs, today)
    html = _TEMPLATES.get_template("catalog.html").render(
        title=f"Slide catalog: {display_path(config.library)}", data_json=_script_json(data), data=data)
    write_bytes_atomic(result.index, html.encode("utf-8"))
    return result


def _write_thumbnails(catalog: LibraryCatalog, folder: Path, cache_dir, use_cache: bool, width: int,
                      progress) -> list[Path]:
    slides = list(catalog.library)
    with contextlib.ExitStack() as stack:
        root = cache_dir or default_cache_dir()
        if not use_cache:
            root = stack.enter_context(tempfile.TemporaryDirectory(prefix="deckgen-catalog-"))
        cached = slide_thumbnails([SlideRef(slide.path, slide.slide_id) for slide in slides], open_cache(root),
                                  width=width, progress=progress)
        written = [copy_out(png, folder / f"{slide.key}.png") for slide, png in zip(slides, cached)]
    keep = {path.name for path in written}
    for old in folder.glob("*.png"):
        if old.name not in keep:   # slides removed from the library since the last catalog
            old.unlink()
    return written


def catalog_data(catalog: LibraryCatalog, thumbs: dict[str, str], today: datetime.date) -> dict[str, Any]:
    """Return the JSON-ready data the catalog page shows and filters."""
    slides = []
    for slide in catalog.library:
        document = catalog.documents.get(slide.key)
        uses = catalog.usage.get(slide.key, [])
        review_due = slide.review_by is not None and today > slide.review_by
        slides.append({
            "key": slide.key, "title": catalog.show_title(slide.title), "module": slide.module, "number": slide.number,
            "file": display_path(slide.path), "tags": {name: list(values) for name, values in slide.tags.items()},
            "owner": slide.owner, "review_by": slide.review_by.isoformat() if slide.review_by else None,
            "review_due": review_due, "expires": slide.expires.isoformat() if slide.expires else None,
            "expired": slide.is_expired(today), "status": slide.status,
            "recipes": sorted({use.recipe for use in uses}),
            "usage": [{"recipe": use.recipe, "section": use.section,
                       "how": "names it" if use.how == NAMED else "can select it"} for use in uses],
            "text": document.text if document else "", "notes": document.notes if document else "",
            "thumb": thumbs.get(slide.key),
        })
    tags = {name: sorted(catalog.library.tag_values(name), key=str.casefold)
            for name in sorted(catalog.library.tag_names())}
    return {"generated": today.isoformat(), "library": display_path(catalog.library.folder),
            "recipes": list(catalog.recipe_names), "tags": tags, "slides": slides}


def _script_json(data: Any) -> str:
    """JSON safe inside <script>: no '</' or '<!--' can end the element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


__all__ = ["CatalogResult", "build_catalog", "catalog_data"]
