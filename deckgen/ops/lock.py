"""The output-folder lock: one deckgen run (batch, rebuild, watch cycle) writes a folder at a time."""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from pathlib import Path
from typing import Iterator

from deckgen.errors import LockedError, OutputError
from deckgen.fsutil import output_error
from deckgen.fsutil import display_path

LOCK_NAME = ".deckgen.lock"


@contextlib.contextmanager
def output_lock(folder: str | os.PathLike) -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (created if needed) for the block; yield the lock file.

    Uses ``flock`` on ``FOLDER/.deckgen.lock`` without waiting: the kernel drops the lock when
    its holder exits, even when killed, so a crashed run never leaves the folder locked. The
    file keeps the holder's pid so the refused run can say who holds it; it is never deleted
    (removing a flock-ed file lets a third run lock a new inode while the first still runs).
    Raises LockedError (exit code 3) when another run holds the lock.
    """
    target = Path(folder)
    path = target / LOCK_NAME
    try:
        target.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a symlink planted as the lock must not make us truncate its target
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError("the lock file is a symbolic link; deckgen does not follow it",
                              where=display_path(path),
                              hint="remove the link (deckgen creates the lock itself)") from exc
        raise output_error(Path(display_path(target)), exc) from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OutputError("the lock path is not a regular file", where=display_path(path),
                              hint="remove it (deckgen creates the lock itself)")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise LockedError(f"another deckgen run (pid {holder}) holds {display_path(path)}",
                              hint="wait for it to finish, or stop it, then run again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
