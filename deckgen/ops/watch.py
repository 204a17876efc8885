"""`deckgen watch`: rebuild an output folder's affected decks whenever the library or recipes change.

A watchdog observer reports file events in the project's library and recipes folders; events
on lock and temporary files (PowerPoint's ``~$deck.pptx``, LibreOffice's ``.~lock.*``, editors'
``*.tmp``/``*~``) are ignored, and a rebuild starts once no event came for the quiet period
(PowerPoint saves through several renames; a copy of 20 files is one change, not 20).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from deckgen.ops.incremental import RunReport
from deckgen.ops.manifest import MANIFEST_NAME, Manifest
from deckgen.ops.rebuild import default_folder, run_rebuild
from deckgen.errors import ConfigError, DeckgenError, LockedError
from deckgen.fsutil import display_path

DEFAULT_DEBOUNCE = 2.0
WATCHED_SUFFIXES = (".pptx", ".yaml", ".yml")
_IGNORED_PREFIXES = ("~$", ".~lock", ".")
_IGNORED_SUFFIXES = ("~", ".tmp", ".part", ".swp", "#")
_IGNORED_EVENTS = ("opened", "closed_no_write")
_POLL = 0.1   # seconds between checks of the quiet period and the stop flag


def is_watched(path: str | os.PathLike) -> bool:
    """True for a library or recipe file (not a lock, temporary or hidden file)."""
    name = Path(path).name
    if name.startswith(_IGNORED_PREFIXES) or name.endswith(_IGNORED_SUFFIXES):
        return False
    return name.lower().endswith(WATCHED_SUFFIXES)


class ChangeCollector(FileSystemEventHandler):
    """Collects the watched files that changed, and when the last change came (thread-safe)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self._last: float | None = None

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in _IGNORED_EVENTS:
            return
        paths = [os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        watched = [path for path in paths if is_watched(path)]
        if watched:
            with self._lock:
                self._paths.update(watched)
                self._last = time.monotonic()

    def add(self, paths: set[str]) -> None:
        """Put changes back (a rebuild could not run); they count as new."""
        with self._lock:
            self._paths.update(paths)
            self._last = time.monotonic()

    def wait_quiet(self, quiet: float, stop: threading.Event) -> set[str] | None:
        """Block until some change was followed by ``quiet`` seconds without one; return the changed
        files. Return None when ``stop`` is set first."""
        while not stop.is_set():
            with self._lock:
                if self._last is not None and time.monotonic() - self._last >= quiet:
                    paths, self._paths, self._last = self._paths, set(), None
                    return paths
            stop.wait(_POLL)
        return None


@dataclass
class WatchCycle:
    """One rebuild of a watch: the files that triggered it and its report, or why it could not run."""

    changed: list[str] = field(default_factory=list)     # display paths; empty for the first pass
    report: RunReport | None = None
    error: str | None = None


def watch(folder: str | os.PathLike | None = None, *, debounce: float = DEFAULT_DEBOUNCE,
          stop: threading.Event | None = None, on_cycle: Callable[[WatchCycle], None] | None = None,
          initial: bool = True, jobs: int | None = None, executor_kind: str = "local",
          scheduler: str | None = None, on_ready: Callable[[], None] | None = None) -> None:
    """Watch the library and recipes of ``folder``'s decks and rebuild affected decks until ``stop``.

    With ``initial`` a rebuild runs first (decks may be stale from changes made while nobody
    watched). Errors of one rebuild (a recipe saved half-edited, the folder locked by another
    run) are passed to ``on_cycle`` and watching goes on. ``on_ready`` is called once the
    observer runs. Returns when ``stop`` is set; a KeyboardInterrupt stops the observer and propagates.
    """
    target = Path(folder).resolve() if folder is not None else default_folder()
    if not (target / MANIFEST_NAME).is_file():
        raise ConfigError(f"no build manifest ({MANIFEST_NAME}) in {display_path(target)}",
                          hint="build decks there first with `deckgen batch`")
    project = Manifest.load(target).project
    if project is None:
        raise ConfigError("the build manifest names no project", where=display_path(target / MANIFEST_NAME),
                          hint="build decks there with `deckgen batch`")
    stop = stop or threading.Event()
    collector = ChangeCollector()
    observer = Observer()
    for watched in sorted({project.library, project.recipes}):
        observer.schedule(collector, str(watched), recursive=True)
    observer.start()
    try:
        if on_ready is not None:
            on_ready()
        pending: set[str] | None = set() if initial else None
        while not stop.is_set():
            if pending is None:
                pending = collector.wait_quiet(debounce, stop)
                if pending is None:
                    break
            cycle = WatchCycle(changed=sorted(display_path(path) for path in pending))
            try:
                cycle.report = run_rebuild(target, jobs=jobs, executor_kind=executor_kind, scheduler=scheduler)
            except DeckgenError as exc:
                cycle.error = str(exc)
                if isinstance(exc, LockedError):    # try again after the next quiet period
                    collector.add(pending or {str(target)})
            pending = None
            if on_cycle is not None:
                on_cycle(cycle)
    finally:
        # watchdog logs an ERROR when an event arrives while its inotify thread is stopping; the
        # watch is ending on purpose, so that race is not the user's business
        watchdog_log = logging.getLogger("watchdog")
        level = watchdog_log.level
        watchdog_log.setLevel(logging.CRITICAL)
        try:
            observer.stop()
            observer.join()
        finally:
            watchdog_log.setLevel(level)
