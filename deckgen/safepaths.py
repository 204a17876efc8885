"""Where deckgen may write: names from data stay inside their folder, outputs never replace inputs."""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Iterable

from deckgen.errors import OutputError

# longest path (bytes) deckgen accepts from data or the command line; Linux's PATH_MAX is 4096
MAX_PATH_BYTES = 4096


def relative_name_problem(text: object) -> str | None:
    """Return why ``text`` is not a plain relative file name (``a/b.pptx``), or None when it is."""
    if not isinstance(text, str) or not text:
        return "is not a file name"
    if "\x00" in text or any(ord(ch) < 32 for ch in text):
        return "contains control characters"
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid text (a lone surrogate character)"
    if len(encoded) > MAX_PATH_BYTES:
        return f"is longer than {MAX_PATH_BYTES} bytes"
    name = PurePosixPath(text.replace("\\", "/"))
    if name.is_absolute() or any(part in ("", ".", "..") for part in name.parts):
        return "is not a path inside the folder (absolute, or with '..')"
    if any(len(part.encode("utf-8")) > 255 for part in name.parts):
        return "has a part longer than 255 bytes"
    return None


def inside(folder: Path, name: str) -> Path:
    """Return ``folder / name`` when it resolves inside ``folder`` (symlinks followed), else raise
    ValueError: a name that is plain text but leads elsewhere through a planted symlink is refused."""
    problem = relative_name_problem(name)
    if problem:
        raise ValueError(problem)
    base = folder.resolve()
    target = (base / name).resolve()
    if target == base or not target.is_relative_to(base):
        raise ValueError("leads outside the folder (through a symbolic link)")
    return base / name


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output(output: str | os.PathLike, *, inputs: Iterable[str | os.PathLike] = (),
                 protected: Iterable[str | os.PathLike] = (), what: str = "output") -> Path:
    """Return ``output`` when writing it replaces none of ``inputs`` and lies in none of the
    ``protected`` folders (the library, recipes and prospects); raise OutputError otherwise.

    Both checks compare resolved paths, so a name reached through ``..`` or a symlink is caught.
    """
    path = Path(output)
    if "\x00" in str(path):
        raise OutputError(f"the {what} path contains a NUL character", where=repr(str(path)))
    if len(os.fsencode(str(path))) > MAX_PATH_BYTES:
        raise OutputError(f"the {what} path is longer than {MAX_PATH_BYTES} bytes",
                          where=str(path)[:60] + "...", hint="choose a shorter path")
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:     # a symlink loop
        raise OutputError(f"the {what} path cannot be resolved ({exc})", where=str(path)) from exc
    for source in inputs:
        source_path = Path(source)
        if resolved == source_path.resolve() or _same_file(path, source_path):
            raise OutputError(f"the {what} would overwrite an input ({source_path})", where=str(path),
                              hint="write the result to another file")
    for folder in protected:
        base = Path(folder).resolve()
        if resolved == base or resolved.is_relative_to(base):
            raise OutputError(f"the {what} is in the {base.name} folder, which holds inputs",
                              where=str(path), hint="write outputs to another folder, e.g. build/")
    return path
