"""PowerPoint package -> PDF through LibreOffice headless, one private profile per process and thread."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

from deckgen.errors import InputFileError, RenderError
from deckgen.fsutil import atomic_output
from deckgen.preview import tools

DEFAULT_TIMEOUT = 300.0  # seconds; a 100-slide deck converts in well under a minute

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
        if not produced.is_file() or produced.stat().st_size == 0:
            said = tools.tail(result.stderr) or tools.tail(result.stdout) or "no output"
            raise RenderError(f"LibreOffice could not convert the deck to PDF (exit code "
                              f"{result.returncode}: {said})", where=str(source),
                              hint="open and re-save it in PowerPoint, or check that it is a "
                                   "presentation")
        target = Path(out_pdf)
        with atomic_output(target) as handle, produced.open("rb") as pdf:
            shutil.copyfileobj(pdf, handle)
    return target


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


__all__ = ["DEFAULT_TIMEOUT", "installed_version", "to_pdf"]
