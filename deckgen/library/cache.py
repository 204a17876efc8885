"""The library's on-disk index cache: what was read from a file, kept while the file is unchanged.

Building one deck needs the index of the whole library (keys, tags, slide ids of every module)
and a content hash of each slide it uses. Reading them means opening every module and hashing
every picture, which makes a one-deck build cost follow the library, not the deck. The cache keeps
each result under the (size, mtime) stamps of the files it was read from, the way make and git
decide a file is unchanged, and gives it back only while every stamp still matches.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from deckgen import __version__
from deckgen.fsutil import atomic_output, default_cache_dir

log = logging.getLogger(__name__)

# Bump when the meaning of a stored value changes; a file of another format is ignored.
CACHE_FORMAT = 4
# A file changed within this many seconds of being read may change again within the same mtime
# tick without its stamp moving ("racy git"); results read from such files are not kept.
SETTLE_SECONDS = 2.0

Stamp = tuple[str, int, int] | tuple[str, None, None]


def stamp(path: Path) -> Stamp:
    """(path, size, mtime in ns) of a file, or (path, None, None) when it does not exist."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return (str(path), None, None)
    return (str(path), info.st_size, info.st_mtime_ns)


class IndexCache:
    """Values computed from files, stored in one pickle per library folder under the user's cache.

    The file is private to the user (like the preview cache beside it) and is only read back by
    deckgen of the same version; anything unreadable in it is treated as an empty cache.
    """

    def __init__(self, path: Path | None):
        self.path = path
        self._entries: dict[Any, tuple[tuple[Stamp, ...], Any]] = {}
        self._unsettled: dict[Any, tuple[tuple[Stamp, ...], Any]] = {}   # this process only
        self._dirty = False
        if path is not None:
            self._entries = _load(path)

    @classmethod
    def for_library(cls, folder: Path, root: Path | None = None) -> IndexCache:
        """The cache of library ``folder`` (``root``: $DECKGEN_CACHE_DIR, else the user cache);
        a disabled cache when DECKGEN_NO_INDEX_CACHE is set."""
        if os.environ.get("DECKGEN_NO_INDEX_CACHE"):
            return cls(None)
        name = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:24]
        return cls((root or default_cache_dir()) / "index" / f"{name}.pickle")

    def get_or_compute(self, key: Any, files: Sequence[Path], compute: Callable[[], Any]) -> Any:
        """Return the value stored under ``key`` while ``files`` are unchanged, else ``compute()``'s."""
        stamps = tuple(stamp(path) for path in files)
        found = self._entries.get(key) or self._unsettled.get(key)
        if found is not None and found[0] == stamps:
            return found[1]
        value = compute()
        if stamps == tuple(stamp(path) for path in files):
            if _settled(stamps):
                self._entries[key] = (stamps, value)
                self._dirty = True
            else:
                # just edited: good for the rest of this run (a batch asks again for every deck),
                # not stored, since a further edit within the same mtime tick would go unseen
                self._unsettled[key] = (stamps, value)
        return value

    def save(self) -> None:
        """Write the cache back if anything was added; a cache that cannot be written is skipped."""
        if self.path is None or not self._dirty:
            return
        data = pickle.dumps({"format": CACHE_FORMAT, "deckgen": __version__, "entries": self._entries},
                            protocol=pickle.HIGHEST_PROTOCOL)
        try:
            with atomic_output(self.path) as handle:
                handle.write(data)
        except OSError as exc:
            log.info("index cache not saved to %s: %s", self.path, exc.strerror or exc)
            return
        self._dirty = False


def _settled(stamps: Sequence[Stamp]) -> bool:
    newest = max((mtime for _, _, mtime in stamps if mtime is not None), default=0)
    return newest < (time.time() - SETTLE_SECONDS) * 1e9


def _load(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except Exception as exc:  # noqa: BLE001 - a damaged cache is an empty cache, never an error
        log.info("index cache %s ignored: %s", path, exc)
        return {}
    with contextlib.suppress(Exception):
        if data["format"] == CACHE_FORMAT and data["deckgen"] == __version__:
            return data["entries"]
    return {}
