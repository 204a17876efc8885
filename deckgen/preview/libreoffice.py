"""PowerPoint package -> PDF through LibreOffice headless, one private profile per process and thread."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

from deckgen.errors import DeckgenError, InputFileError, RenderError
from deckgen.fsutil import atomic_output
from deckgen.preview import tools

def _timeout_from_environment(default: float = 300.0) -> float:
    """$DECKGEN_RENDER_TIMEOUT in seconds when it is a positive number, else ``default``."""
    try:
        value = float(os.environ.get("DECKGEN_RENDER_TIMEOUT", default))
    except ValueError:
        return default
    return value if 0 < value < float("inf") else default


# seconds; a 100-slide deck converts in well under a minute (--timeout or $DECKGEN_RENDER_TIMEOUT)
DEFAULT_TIMEOUT = _timeout_from_environment()

_profiles: dict[tuple[int, int], Path] = {}
_profiles_lock = threading.Lock()


def to_pdf(pptx_path: str | os.PathLike, out_pdf: str | os.PathLike, *,
           include_hidden: bool = False, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Convert ``pptx_path`` to ``out_pdf`` (written atomically) and return the PDF's path.

    Hidden slides are left out, as PowerPoint's own PDF export does, unless ``include_hidden``.
    Raises RenderError when LibreOffice is missing, fails, times out or writes no PDF.
    """
    source = Path(pptx_path)
    if not source.is_file():
        raise InputFileError("file not found", where=str(source), hint="check the path")
    soffice = tools.find_tool("soffice")
    with tempfile.TemporaryDirectory(prefix="deckgen-pdf-") as work:
        argv = [soffice, f"-env:UserInstallation={_profile_dir().as_uri()}", "--headless",
                "--norestore", "--nolockcheck", "--convert-to", _pdf_filter(include_hidden),
                "--outdir", work, str(source.resolve())]
        result = tools.run(argv, timeout=timeout, env=_environment())
        produced = Path(work) / f"{source.stem}.pdf"
        if result.returncode < 0:
            # killed by a signal: LibreOffice crashed (or was killed), which says nothing of the deck
            raise RenderError(f"LibreOffice crashed (signal {-result.returncode}) while converting the deck",
                              where=str(source), hint="run the command again; if it crashes every "
                                                      "time, report the deck to deckgen's maintainers")
        if not produced.is_file() or produced.stat().st_size == 0:
            said = tools.tail(result.stderr) or tools.tail(result.stdout) or "no output"
            raise RenderError(f"LibreOffice could not convert the deck to PDF (exit code "
                              f"{result.returncode}: {said})", where=str(source),
                              hint="open and re-save it in PowerPoint, or check that it is a "
                                   "presentation")
        problem = pdf_problem(produced, expected_pages(source, include_hidden))
        if problem:
            raise RenderError(f"LibreOffice wrote an unusable PDF ({problem}); it was not kept",
                              where=str(source), hint="run the command again")
        target = Path(out_pdf)
        with atomic_output(target) as handle:
            _write_as_deckgens(produced, handle, source)
    return target


def _write_as_deckgens(pdf: Path, handle, source: Path) -> None:
    """Write ``pdf`` to ``handle`` with deckgen, not LibreOffice, as its creator and producer (the
    title, author, subject and keywords are the deck's own, from its document properties). An
    incremental update: the pages LibreOffice wrote are kept byte for byte."""
    from pypdf import PdfWriter
    from pypdf.errors import PyPdfError

    from deckgen import __version__

    try:
        writer = PdfWriter(pdf, incremental=True)
        writer.add_metadata({"/Creator": "deckgen", "/Producer": f"deckgen {__version__}"})
        writer.write(handle)
    except (PyPdfError, ValueError, KeyError) as exc:
        raise RenderError(f"LibreOffice wrote a PDF that cannot be read back ({exc}); it was not kept",
                          where=str(source), hint="run the command again") from exc


def expected_pages(deck: Path, include_hidden: bool) -> int | None:
    """The pages a PDF of ``deck`` has: its slides (hidden ones only with ``include_hidden``);
    None when the deck cannot be read here (LibreOffice may still convert it)."""
    from deckgen.ooxml import list_slides   # the engine is only needed when a PDF was made

    try:
        return sum(1 for slide in list_slides(deck) if include_hidden or not slide.hidden)
    except DeckgenError:
        return None


def pdf_problem(pdf: Path, pages: int | None) -> str | None:
    """Why ``pdf`` is not a whole PDF of ``pages`` pages (header, end marker, pdfinfo's page
    count when poppler is installed), or None."""
    with pdf.open("rb") as handle:
        head = handle.read(5)
        handle.seek(max(0, pdf.stat().st_size - 1024))
        tail = handle.read()
    if head != b"%PDF-" or b"%%EOF" not in tail:
        return "it is not a complete PDF file"
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None or pages is None:
        return None
    info = tools.run([pdfinfo, str(pdf)], timeout=60)
    counted = next((line.split(":", 1)[1].strip() for line in info.stdout.splitlines()
                    if line.startswith("Pages:")), None)
    if info.returncode != 0 or counted is None or not counted.isdigit():
        return "pdfinfo cannot read it"
    if pages and int(counted) != pages:
        return f"{counted} pages for {pages} slides"
    return None


def _pdf_filter(include_hidden: bool) -> str:
    """The --convert-to argument; LibreOffice >= 7.4 accepts PDF export options as JSON."""
    if not include_hidden:
        return "pdf:impress_pdf_Export"
    options = {"ExportHiddenSlides": {"type": "boolean", "value": "true"}}
    return "pdf:impress_pdf_Export:" + json.dumps(options, separators=(",", ":"))


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # soffice refuses to start when HOME is unwritable (CI sandboxes); the profile is elsewhere
    env.setdefault("HOME", tempfile.gettempdir())
    return env


def _profile_dir() -> Path:
    """This process's and thread's own LibreOffice profile: instances sharing one would clash."""
    key = (os.getpid(), threading.get_ident())
    with _profiles_lock:
        profile = _profiles.get(key)
        if profile is None:
            if not _profiles:
                atexit.register(_remove_profiles, os.getpid())
            profile = Path(tempfile.mkdtemp(prefix=f"deckgen-lo-{key[0]}-"))
            _profiles[key] = profile
    return profile


def _remove_profiles(pid: int) -> None:
    if os.getpid() != pid:  # a forked child must not delete its parent's profiles
        return
    for profile in _profiles.values():
        shutil.rmtree(profile, ignore_errors=True)


def installed_version() -> str:
    """``soffice --version`` output, e.g. 'LibreOffice 7.4.7.2 40(Build:2)'."""
    result = tools.run([tools.find_tool("soffice"), "--version"], timeout=60)
    if result.returncode != 0:
        raise RenderError(f"soffice --version failed: {tools.tail(result.stderr)}")
    return result.stdout.strip()


__all__ = ["DEFAULT_TIMEOUT", "expected_pages", "installed_version", "pdf_problem", "to_pdf"]
