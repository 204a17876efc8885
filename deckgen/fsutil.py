"""Safe file output: every file deckgen writes appears whole or not at all."""
from __future__ import annotations

import contextlib
import errno
import hashlib
import mmap
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from deckgen.errors import OutputError


def display_path(path: str | os.PathLike) -> str:
    """Return ``path`` relative to the current directory when it lies inside it, else as given."""
    target = Path(path)
    if target.is_absolute():
        try:
            return target.relative_to(Path.cwd()).as_posix()
        except ValueError:
            pass
    return target.as_posix()


# errors only writing can cause, wherever in the block they surface (a permission error there may
# be about a file the block reads, so it is only the output's when it names the output)
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


_HASH_WINDOW = 8 << 20     # bytes mapped at a time (a multiple of mmap.ALLOCATIONGRANULARITY)


class OutputDigest:
    """The sha256 of what an ``atomic_output`` block wrote, set when the block ends.

    A writer that knows the first bytes of its file are final (flushed, never rewritten) can hash
    them early with ``hash_prefix``; only the rest is then read when the block ends.
    """

    def __init__(self) -> None:
        self.hexdigest: str | None = None
        self._prefix: tuple[Any, int] | None = None     # (sha256 of the first n bytes, n)

    def hash_prefix(self, fileno: int, length: int) -> None:
        """Hash the first ``length`` bytes of the open file ``fileno``, which will not change.

        Over memory maps of a few MiB at a time: each hashed in one call that runs outside the
        interpreter lock (so this can run in a thread beside busy Python code), and the pages
        are unmapped after (so the process does not hold the whole file resident)."""
        digest = hashlib.sha256()
        for offset in range(0, length, _HASH_WINDOW):
            with mmap.mmap(fileno, min(_HASH_WINDOW, length - offset), offset=offset,
                           access=mmap.ACCESS_READ) as window:
                digest.update(window)
        self._prefix = (digest, length)

    def compute_during(self, wait: Callable[[], None], path: str) -> None:
        """Hash ``path`` in a thread while ``wait`` (the fsync) runs: both spend their time
        outside the interpreter lock, so the hash costs almost nothing on top of the flush."""
        failure: list[BaseException] = []

        def hash_file() -> None:
            try:
                self.hexdigest = sha256_file(path, self._prefix)
            except BaseException as exc:    # re-raised in the caller's thread
                failure.append(exc)

        worker = threading.Thread(target=hash_file, name="deckgen-hash", daemon=True)
        worker.start()
        try:
            wait()
        finally:
            worker.join()
        if failure:
            raise failure[0]


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, *, digest: OutputDigest | None = None) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` only when the block ends without an exception.

    The temporary file lives in the destination folder so the final ``os.replace`` is atomic;
    on any error it is removed and an existing file at ``path`` is left untouched. A folder that
    cannot be made, no permission or a full disk raise OutputError naming ``path``. Given a
    ``digest``, the sha256 of the written bytes is computed while they are flushed to disk.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise output_error(target, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if digest is None:
                os.fsync(handle.fileno())
            else:
                digest.compute_during(lambda: os.fsync(handle.fileno()), tmp_name)
        # mkstemp creates 0600 files; give the output the mode a plain open() would have
        os.chmod(tmp_name, _existing_mode(target))
        os.replace(tmp_name, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError) and (exc.errno in _WRITE_ERRNOS or exc.filename in (tmp_name, str(target))):
            raise output_error(target, exc) from exc
        raise


def output_error(target: Path, exc: OSError) -> OutputError:
    """The one-line error for an OSError met while writing ``target``."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "free some disk space, or write elsewhere"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "choose a folder you can write to"
    else:
        hint = "check the output path"
    return OutputError(f"cannot write the output ({reason})", where=str(target), hint=hint)


def _existing_mode(target: Path) -> int:
    """Return the permission bits ``target`` has now, or those the umask gives a new file."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    with atomic_output(path) as handle:
        handle.write(data)


def sha256_file(path: str | os.PathLike, prefix: tuple[Any, int] | None = None) -> str:
    """Return the hex sha256 of a file's bytes, read in blocks; ``prefix`` (the sha256 of the
    file's first n bytes, n) saves reading those again."""
    digest = prefix[0].copy() if prefix else hashlib.sha256()
    with open(path, "rb") as handle:
        handle.seek(prefix[1] if prefix else 0)
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_cache_dir() -> Path:
    """$DECKGEN_CACHE_DIR, else $XDG_CACHE_HOME/deckgen, else ~/.cache/deckgen."""
    explicit = os.environ.get("DECKGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "deckgen"
