"""Running the external renderers (LibreOffice, poppler): lookup on PATH, timeouts, clear failures."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass

from deckgen.errors import RenderError

# Debian package that provides each tool, for the "install it" hint
_PACKAGES = {"soffice": "libreoffice-impress", "pdftoppm": "poppler-utils",
             "pdfinfo": "poppler-utils"}
# environment variable that may name each tool's executable explicitly
_OVERRIDES = {"soffice": "DECKGEN_SOFFICE"}


@dataclass(frozen=True)
class ToolResult:
    """What a finished tool run printed (decoded leniently: it is only shown in messages)."""

    returncode: int
    stdout: str
    stderr: str


def find_tool(name: str) -> str:
    """Return the executable for ``name`` (honouring DECKGEN_SOFFICE); RenderError when absent."""
    override = _OVERRIDES.get(name)
    candidate = os.environ.get(override) if override else None
    found = shutil.which(candidate or name)
    if found is None and name == "soffice" and not candidate:
        found = shutil.which("libreoffice")
    if found is None:
        wanted = f"{candidate} (from ${override})" if candidate else f"'{name}' on PATH"
        raise RenderError(f"cannot render: {wanted} was not found",
                          hint=f"install {_PACKAGES.get(name, name)}"
                               + (f" or set ${override} to its path" if override else ""))
    return found


def run(argv: list[str], *, timeout: float, env: dict[str, str] | None = None) -> ToolResult:
    """Run ``argv`` in its own process group; on timeout kill the whole group and raise.

    LibreOffice's ``soffice`` is a launcher that starts ``soffice.bin``; killing only the
    launcher would leave the renderer running, hence the process group.
    """
    try:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    except OSError as exc:
        raise RenderError(f"cannot start {argv[0]}: {exc.strerror or exc}") from exc
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(process)
        raise RenderError(f"{os.path.basename(argv[0])} did not finish within {timeout:g} s",
                          hint="the file may be very large or hang the renderer; "
                               "retry with a longer timeout", code="render-timeout") from exc
    except BaseException:
        _kill_group(process)
        raise
    return ToolResult(process.returncode, stdout.decode("utf-8", "replace"),
                      stderr.decode("utf-8", "replace"))


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def tail(text: str, lines: int = 3) -> str:
    """The last non-empty lines of a tool's output, joined for a one-line message."""
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:])
