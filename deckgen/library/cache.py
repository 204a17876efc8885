"""The library's on-disk index cache: what was read from a file, kept while the file is unchanged.

Building one deck needs the index of the whole library (keys, tags, slide ids of every module)
and a content hash of each slide it uses. Reading them means opening every module and hashing
every picture, which makes a one-deck build cost follow the library, not the deck. The cache keeps
each result under the stamps of the files it was read from (size, mtime, inode and ctime: the
ctime moves on every write and cannot be set back, so a file restored with ``touch -r`` is seen
as changed) and gives it back only while every stamp still matches.

The file is JSON holding data only: plain values, paths, dates and the few registered dataclasses
(``register``). Unlike a pickle, a file planted in the cache folder cannot run code; at worst it
gives wrong index entries for files whose stamps it predicted, which a planted sidecar could too.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from deckgen import __version__
from deckgen.errors import DeckgenError
from deckgen.fsutil import atomic_output, default_cache_dir
from deckgen.yamlio import read_bytes_capped

log = logging.getLogger(__name__)

# Bump when the meaning of a stored value changes; a file of another format is ignored.
CACHE_FORMAT = 5
MAX_CACHE_BYTES = 512 * 1024 * 1024
# A file changed within this many seconds of being read may change again within the same mtime
# tick without its stamp moving ("racy git"); results read from such files are not kept.
SETTLE_SECONDS = 2.0

Stamp = tuple[str, int, int, int, int] | tuple[str, None, None, None, None]

# dataclasses a cached value may hold, by name: the only types the loader builds
_DATA_TYPES: dict[str, type] = {}


def register(cls: type) -> type:
    """Allow instances of dataclass ``cls`` in cached values (usable as a class decorator)."""
    _DATA_TYPES[cls.__name__] = cls
    return cls


def stamp(path: Path) -> Stamp:
    """(path, size, mtime, inode, ctime in ns) of a file, or (path, None, ...) when it does not exist."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return (str(path), None, None, None, None)
    return (str(path), info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


class IndexCache:
    """Values computed from files, stored in one JSON file per library folder under the user's cache.

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
        return cls((root or default_cache_dir()) / "index" / f"{name}.json")

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
        try:
            entries = [[_encode(key), [list(item) for item in stamps], _encode(value)]
                       for key, (stamps, value) in self._entries.items()]
        except TypeError as exc:
            log.info("index cache not saved to %s: %s", self.path, exc)
            return
        data = json.dumps({"format": CACHE_FORMAT, "deckgen": __version__, "entries": entries},
                          separators=(",", ":")).encode("utf-8")
        try:
            with atomic_output(self.path) as handle:
                handle.write(data)
        except OSError as exc:
            log.info("index cache not saved to %s: %s", self.path, exc.strerror or exc)
            return
        self._dirty = False


def _settled(stamps: Sequence[Stamp]) -> bool:
    newest = max((max(item[2], item[4]) for item in stamps if item[2] is not None), default=0)
    return newest < (time.time() - SETTLE_SECONDS) * 1e9


def _encode(value: Any) -> Any:
    """``value`` as JSON data; tuples, mappings with any keys, paths, dates and registered
    dataclasses are written as one-key objects whose key starts with '$'."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {"$tuple": [_encode(item) for item in value]}
    if isinstance(value, dict):
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, Path):
        return {"$path": str(value)}
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return {"$date": value.isoformat()}
    name = type(value).__name__
    if dataclasses.is_dataclass(value) and _DATA_TYPES.get(name) is type(value):
        return {"$" + name: {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    raise TypeError(f"the index cache cannot store a {name}")


def _decode(data: Any) -> Any:
    if isinstance(data, list):
        return [_decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    ((tag, body),) = data.items()
    if tag == "$tuple":
        return tuple(_decode(item) for item in body)
    if tag == "$dict":
        return {_decode(k): _decode(v) for k, v in body}
    if tag == "$path":
        return Path(body)
    if tag == "$date":
        return datetime.date.fromisoformat(body)
    cls = _DATA_TYPES[tag[1:]] if tag.startswith("$") else None   # KeyError: not ours
    if cls is None:
        raise ValueError(f"unknown cached type {tag!r}")
    return cls(**{name: _decode(value) for name, value in body.items()})


def _load(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        data = json.loads(read_bytes_capped(path, str(path), MAX_CACHE_BYTES))
        if data["format"] != CACHE_FORMAT or data["deckgen"] != __version__:
            return {}
        entries = {}
        for key, stamps, value in data["entries"]:
            entries[_decode(key)] = (tuple(tuple(item) for item in stamps), _decode(value))
        return entries
    except (DeckgenError, ValueError, TypeError, KeyError, RecursionError, AttributeError) as exc:
        # a damaged or foreign cache is an empty cache, never an error
        log.info("index cache %s ignored: %s", path, exc)
        return {}
