"""PDF -> PNG pages and PDF page counts through poppler's pdftoppm and pdfinfo."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from deckgen.errors import InputFileError, RenderError
from deckgen.preview import tools

DEFAULT_TIMEOUT = 300.0


def page_count(pdf: str | os.PathLike) -> int:
    """Number of pages of ``pdf`` (pdfinfo)."""
    path = _existing(pdf)
    result = tools.run([tools.find_tool("pdfinfo"), str(path)], timeout=60)
    match = re.search(r"^Pages:\s+(\d+)\s*$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or match is None:
        raise RenderError(f"cannot read the PDF ({tools.tail(result.stderr) or 'no page count'})",
                          where=str(path))
    return int(match.group(1))


def pdf_to_pngs(pdf: str | os.PathLike, out_dir: str | os.PathLike, *, dpi: float | None = None,
                width: int | None = None, prefix: str = "slide", first: int | None = None,
                last: int | None = None, timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    """Render pages of ``pdf`` to ``out_dir/{prefix}-NN.png`` and return the paths in page order.

    Give ``width`` (pixels, height follows the page's aspect) or ``dpi`` (default 96).
    Page numbers in the names are zero-padded to the page count's width and are the PDF's
    page numbers even when only ``first``..``last`` are rendered. Each file appears whole:
    pdftoppm writes into a scratch folder beside ``out_dir`` and finished files are renamed.
    """
    if width is not None and dpi is not None:
        raise ValueError("give width or dpi, not both")
    path = _existing(pdf)
    total = page_count(path)
    first = first or 1
    last = min(last or total, total)
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    scale = (["-scale-to-x", str(int(width)), "-scale-to-y", "-1"] if width
             else ["-r", f"{dpi or 96:g}"])
    digits = max(2, len(str(total)))
    with tempfile.TemporaryDirectory(prefix=".pdftoppm-", dir=target) as work:
        argv = [tools.find_tool("pdftoppm"), "-png", *scale, "-f", str(first), "-l", str(last),
                str(path), str(Path(work) / "page")]
        result = tools.run(argv, timeout=timeout)
        produced = sorted(Path(work).glob("page-*.png"), key=_page_number)
        expected = max(0, last - first + 1)
        if result.returncode != 0 or len(produced) != expected:
            raise RenderError(f"pdftoppm rendered {len(produced)} of {expected} pages "
                              f"({tools.tail(result.stderr) or f'exit code {result.returncode}'})",
                              where=str(path))
        pages = []
        for page in produced:
            final = target / f"{prefix}-{_page_number(page):0{digits}d}.png"
            os.replace(page, final)
            pages.append(final)
    return pages


def _page_number(png: Path) -> int:
    return int(png.stem.rsplit("-", 1)[1])


def _existing(pdf: str | os.PathLike) -> Path:
    path = Path(pdf)
    if not path.is_file():
        raise InputFileError("PDF not found", where=str(path))
    return path


__all__ = ["page_count", "pdf_to_pngs"]
