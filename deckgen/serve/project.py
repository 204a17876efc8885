"""The served project kept warm: workspace, recipe names, field choices, search text and
thumbnails, replaced as a whole when the library or recipes change on disk."""
from __future__ import annotations

import datetime
import logging
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from watchdog.observers import Observer

from deckgen.config import ProjectConfig
from deckgen.errors import DeckgenError
from deckgen.library import LibrarySlide
from deckgen.marketing.textfit import FontBook
from deckgen.marketing.search import SlideDocument, read_documents
from deckgen.ops.executors import WorkspaceSpec
from deckgen.ops.watch import ChangeCollector
from deckgen.pipeline.workspace import Workspace
from deckgen.prospect_files import PROSPECT_SUFFIXES, read_prospects
from deckgen.recipes.loader import recipe_names
from deckgen.yamlio import plain

log = logging.getLogger(__name__)
RELOAD_QUIET = 0.5      # seconds without a file event before reloading (PowerPoint saves in steps)
CHOICE_TAGS = {"segment": "segment", "competitors": "competitor", "objections": "objection"}


@dataclass
class Snapshot:
    """One loaded state of the project; requests take the current one and keep it to the end."""

    config: ProjectConfig
    generation: int
    workspace: Workspace = field(init=False)
    spec: WorkspaceSpec = field(init=False)
    lock: threading.Lock = field(default_factory=threading.Lock)   # Workspace caches are not thread-safe

    def __post_init__(self) -> None:
        self.workspace = Workspace(self.config, log_problems=False)
        self.spec = WorkspaceSpec.of(self.workspace)
        with self.lock:
            self.workspace.library.slides    # warm: the index is read now, not by the first request

    @cached_property
    def recipes(self) -> list[str]:
        """Names of the recipes in the recipes folder (the only recipes a request may name)."""
        return list(recipe_names(self.config.recipes)) if self.config.recipes.is_dir() else []

    def choices(self) -> dict[str, list[str]]:
        """Values the page offers per prospect field: the library's tag values (segment, competitor,
        objection), which are what recipes select on."""
        library = self.workspace.library
        return {name: sorted(library.tag_values(tag)) for name, tag in CHOICE_TAGS.items()}

    @cached_property
    def documents(self) -> dict[str, SlideDocument]:
        """Each slide's text and notes, for search (read on first search of this snapshot)."""
        with self.lock:
            return read_documents(self.workspace.library)

    @cached_property
    def fonts(self) -> FontBook:
        """Font files for measuring text (fontconfig), kept for the snapshot's life."""
        return FontBook()

    @cached_property
    def inspections(self) -> dict:
        """Each planned slide's inspection (text boxes, room), read once per snapshot."""
        return {}

    def slide(self, key: str) -> LibrarySlide | None:
        return self.workspace.library.get(key)

    def prospect_rows(self) -> list[dict[str, Any]]:
        """The prospects of the prospects folder (CRM exports and YAML/JSON files), as plain data
        whose logo paths are relative to the prospects folder."""
        folder = self.config.prospects
        rows: list[dict[str, Any]] = []
        if not folder.is_dir():
            return rows
        for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in PROSPECT_SUFFIXES and p.is_file()):
            try:
                found = read_prospects(path, self.config.batch.columns)
            except DeckgenError as exc:
                log.warning("%s", exc)
                continue
            for row in found:
                if row.problem:
                    continue
                data = plain(row.data)
                logo = data.get("logo")
                if isinstance(logo, str) and logo.strip():
                    target = (path.parent / logo.strip()).resolve()
                    try:
                        data["logo"] = target.relative_to(folder.resolve()).as_posix()
                    except ValueError:
                        data.pop("logo")       # a logo outside the prospects folder is not offered
                relative = path.relative_to(folder).as_posix()
                rows.append({"id": f"{relative}#{row.index}", "label": row.label,
                             "company": str(data.get("company") or f"row {row.index}"), "prospect": data})
        return rows


class ProjectState:
    """The current Snapshot, reloaded by a watchdog observer when the library or recipes change."""

    def __init__(self, config: ProjectConfig, *, reload: bool = True,
                 on_reload: Callable[[Snapshot], None] | None = None):
        self.config = config
        self._generation = 0
        self.current = Snapshot(config, 0)
        self._on_reload = on_reload
        self._stop = threading.Event()
        self._observer: Any = None
        self._thread: threading.Thread | None = None
        if reload:
            self._start_watching()

    def snapshot(self) -> Snapshot:
        """Return the current snapshot, after a new day made the old one's "today" stale."""
        if self.current.workspace.today != datetime.date.today():
            self.reload()
        return self.current

    def reload(self) -> None:
        """Load the project again and make it current (requests under way keep the old one)."""
        self._generation += 1
        try:
            fresh = Snapshot(self.config, self._generation)
        except DeckgenError as exc:     # a half-saved file: keep serving the last good state
            log.warning("reload failed, still serving the previous library: %s", exc)
            return
        self.current = fresh
        log.info("reloaded the library and recipes (generation %d)", fresh.generation)
        if self._on_reload is not None:
            self._on_reload(fresh)

    def _start_watching(self) -> None:
        collector = ChangeCollector()
        self._observer = Observer()
        for folder in sorted({self.config.library, self.config.recipes}):
            if Path(folder).is_dir():
                self._observer.schedule(collector, str(folder), recursive=True)
        self._observer.start()

        def loop() -> None:
            while collector.wait_quiet(RELOAD_QUIET, self._stop) is not None:
                self.reload()

        self._thread = threading.Thread(target=loop, name="deckgen-reload", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._observer is not None:
            watchdog_log = logging.getLogger("watchdog")
            level = watchdog_log.level
            watchdog_log.setLevel(logging.CRITICAL)
            try:
                self._observer.stop()
                self._observer.join()
            finally:
                watchdog_log.setLevel(level)
        if self._thread is not None:
            self._thread.join()
