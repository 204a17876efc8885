"""The build manifest of an output folder: what every deck there was built from, kept on disk.

``DIR/deckgen-manifest.json`` (see docs/rebuilds.md) maps each deck (its path relative to DIR) to
its recipe, its prospect (source file and row, and the data itself so a rebuild needs no CRM
export), the build record of content hashes, and when it was built. A deck is added only after
its file is in place, and the manifest is replaced atomically, so it never names a deck that is
not on disk; a deck rewritten after the last save is caught by its output hash.
"""
from __future__ import annotations

import datetime
import functools
import json
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from deckgen import __version__
from deckgen.config import ProjectConfig, load_config
from deckgen.errors import ConfigError
from deckgen.fsutil import write_bytes_atomic
from deckgen.fsutil import display_path
from deckgen.safepaths import inside
from deckgen.yamlio import read_bytes_capped

MANIFEST_NAME = "deckgen-manifest.json"
FORMAT = 1
MAX_MANIFEST_BYTES = 1024 * 1024 * 1024   # about half a million decks
SAVE_INTERVAL = 1.0   # seconds between saves during a run: rewriting a big manifest per deck is O(n^2)


def now_utc() -> str:
    """Return the current UTC time as ISO 8601 text, to the second (manifest timestamps)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


@functools.lru_cache(maxsize=4096)
def _rel(path: str | os.PathLike, folder: Path) -> str:
    """Return ``path`` relative to ``folder`` when both lie in one tree below the file-system root
    (so a project moved as a whole still works), else absolute (an output folder elsewhere)."""
    target, base = Path(path).resolve(), folder.resolve()
    if os.path.commonpath([target, base]) == target.anchor:
        return target.as_posix()
    return Path(os.path.relpath(target, base)).as_posix()


@functools.lru_cache(maxsize=4096)
def _abs(text: str, folder: Path) -> Path:
    # memoised: a manifest of thousands of decks names the same recipe and logo files again and
    # again, and resolving costs a system call per path component
    return (folder / text).resolve()


@dataclass(frozen=True)
class ProjectRef:
    """Where the decks of a folder come from: project config, library and recipes (absolute)."""

    config: Path | None
    root: Path
    library: Path
    recipes: Path

    @classmethod
    def of(cls, config: ProjectConfig) -> ProjectRef:
        """Return the reference to a loaded project config."""
        return cls(config=config.file, root=config.root, library=config.library.resolve(),
                   recipes=config.recipes.resolve())

    def load(self) -> ProjectConfig:
        """Return the project config again (re-validated), with the recorded library and recipes."""
        if self.config is not None:
            if not self.config.is_file():
                raise ConfigError("the project config these decks were built with is gone",
                                  where=display_path(self.config),
                                  hint="restore it, or build the decks again with `deckgen batch`")
            base = load_config(self.config)
        else:
            base = ProjectConfig.defaults(self.root)
        return base.with_folders(library=self.library, recipes=self.recipes)

    def to_json(self, folder: Path) -> dict[str, Any]:
        return {"config": _rel(self.config, folder) if self.config else None,
                "root": _rel(self.root, folder), "library": _rel(self.library, folder),
                "recipes": _rel(self.recipes, folder)}

    @classmethod
    def from_json(cls, data: dict[str, Any], folder: Path) -> ProjectRef:
        return cls(config=_abs(data["config"], folder) if data.get("config") else None,
                   root=_abs(data["root"], folder), library=_abs(data["library"], folder),
                   recipes=_abs(data["recipes"], folder))


@dataclass(frozen=True)
class ProspectSource:
    """Where a deck's prospect came from, and its data as read (after CRM column mapping)."""

    label: str                  # "prospects/accounts.csv:7": how messages name it
    file: Path | None           # the prospect file (absolute), None for data given in code
    line: int | None            # line of the row/item in that file, when known
    index: int | None           # 1-based position among the file's prospects
    data: dict[str, Any]        # plain prospect data: what a rebuild validates again
    base_dir: Path              # folder a relative logo path is read from

    def to_json(self, folder: Path) -> dict[str, Any]:
        return {"label": self.label, "file": _rel(self.file, folder) if self.file else None,
                "line": self.line, "index": self.index, "data": self.data,
                "base_dir": _rel(self.base_dir, folder)}

    @classmethod
    def from_json(cls, data: dict[str, Any], folder: Path) -> ProspectSource:
        if not isinstance(data["data"], dict):
            raise TypeError("prospect.data: a mapping of the prospect's fields")
        return cls(label=data["label"], file=_abs(data["file"], folder) if data.get("file") else None,
                   line=data.get("line"), index=data.get("index"), data=data["data"],
                   base_dir=_abs(data["base_dir"], folder))


@dataclass(frozen=True)
class FileStamp:
    """Size and modification time of a deck when recorded: a cheap "unchanged on disk" check."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileStamp:
        stat = path.stat()
        return cls(size=stat.st_size, mtime_ns=stat.st_mtime_ns)


@dataclass(frozen=True)
class DeckEntry:
    """One deck of the folder: what to build it from, and the record of its last build."""

    name: str                   # path of the deck relative to the folder (POSIX), the manifest key
    recipe: str                 # recipe name
    recipe_file: Path           # the recipe file (absolute)
    prospect: ProspectSource
    pdf: bool = False
    allow_drafts: bool = False
    notes: str | None = None           # --notes given for this deck (None: the project's output.notes)
    hidden: str | None = None          # --hidden given for this deck (None: the project's output.hidden)
    record: dict[str, Any] = field(default_factory=dict)   # build record (deckgen.pipeline.deck)
    stamp: FileStamp | None = None
    built_at: str | None = None        # last build (UTC)
    created_at: str | None = None      # first build (UTC)
    built_by: str | None = None        # who asked for the deck (`deckgen serve`: the user or token name)

    def built(self, record: dict[str, Any], stamp: FileStamp, when: str) -> DeckEntry:
        """Return this entry after a successful build with ``record``."""
        return replace(self, record=record, stamp=stamp, built_at=when,
                       created_at=self.created_at or when)

    def to_json(self, folder: Path) -> dict[str, Any]:
        return {"recipe": self.recipe, "recipe_file": _rel(self.recipe_file, folder),
                "prospect": self.prospect.to_json(folder), "pdf": self.pdf,
                "allow_drafts": self.allow_drafts, "notes": self.notes, "hidden": self.hidden,
                "built_at": self.built_at,
                "created_at": self.created_at,
                **({"built_by": self.built_by} if self.built_by else {}),
                "file": asdict(self.stamp) if self.stamp else None, "record": self.record}

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any], folder: Path) -> DeckEntry:
        stamp = data.get("file")
        return cls(name=name, recipe=data["recipe"], recipe_file=_abs(data["recipe_file"], folder),
                   prospect=ProspectSource.from_json(data["prospect"], folder),
                   pdf=bool(data.get("pdf")), allow_drafts=bool(data.get("allow_drafts")),
                   notes=_policy(data.get("notes"), ("keep", "strip")),
                   hidden=_policy(data.get("hidden"), ("keep", "drop")),
                   record=data.get("record") or {}, stamp=FileStamp(**stamp) if stamp else None,
                   built_at=data.get("built_at"), created_at=data.get("created_at"),
                   built_by=data.get("built_by"))


class Manifest:
    """The manifest of one output folder, loaded into memory and saved atomically."""

    def __init__(self, folder: Path, project: ProjectRef | None = None,
                 decks: dict[str, DeckEntry] | None = None):
        self.folder = Path(folder)
        self.path = self.folder / MANIFEST_NAME
        self.project = project
        self.decks: dict[str, DeckEntry] = dict(decks or {})
        self._unsaved = 0
        self._saved_at = 0.0
        self._entry_json: dict[str, tuple[DeckEntry, str]] = {}   # name -> (entry, its JSON text)

    @classmethod
    def load(cls, folder: str | os.PathLike) -> Manifest:
        """Return the manifest of ``folder`` (empty when it has none); ConfigError if unreadable."""
        folder = Path(folder)
        path = folder / MANIFEST_NAME
        label = display_path(path)
        if not os.path.lexists(path):
            return cls(folder)
        try:
            data = json.loads(read_bytes_capped(path, label, MAX_MANIFEST_BYTES).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise ConfigError(f"the build manifest cannot be read ({exc})", where=label,
                              hint="delete it and build the decks again with `deckgen batch`") from exc
        if not isinstance(data, dict) or not isinstance(data.get("decks"), dict):
            raise ConfigError("is not a deckgen build manifest", where=label,
                              hint="delete it and build the decks again with `deckgen batch`")
        if data.get("format") != FORMAT:
            raise ConfigError(f"manifest format {data.get('format')} is not the format this deckgen "
                              f"reads ({FORMAT})", where=label,
                              hint="run the deckgen version that wrote it, or rebuild every deck of the "
                                   "folder (a batch with force=True)", code="manifest-format")
        for name in data["decks"]:
            # a manifest is data: a deck name that leads out of the folder would make a rebuild
            # write over a library module or anywhere else (the rule batch.filename follows)
            try:
                inside(folder, name)
            except (ValueError, OSError, RuntimeError) as exc:
                raise ConfigError(f"deck name {name[:200]!r} {exc}", where=f"{label}: decks",
                                  hint="a manifest names decks inside its own folder; delete the "
                                       "entry or the manifest and build again with `deckgen batch`"
                                  ) from None
        try:
            project = ProjectRef.from_json(data["project"], folder) if data.get("project") else None
            decks = {name: DeckEntry.from_json(name, entry, folder) for name, entry in data["decks"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"the build manifest is damaged (bad or missing {exc})", where=label,
                              hint="delete it and build the decks again with `deckgen batch`") from exc
        return cls(folder, project, decks)

    def deck_path(self, name: str) -> Path:
        """Return the absolute path of the deck named ``name`` in this folder."""
        return self.folder / name

    def put(self, entry: DeckEntry) -> None:
        """Record (or replace) a deck that is now on disk; saved by the next ``save_soon``/``save``."""
        self.decks[entry.name] = entry
        self._unsaved += 1

    def forget(self, name: str) -> None:
        """Drop a deck from the record (its file is the caller's to delete)."""
        if self.decks.pop(name, None) is not None:
            self._entry_json.pop(name, None)
            self._unsaved += 1

    def set_project(self, project: ProjectRef) -> None:
        """Record the project the folder's decks are built from."""
        if project != self.project:
            self.project = project
            self._unsaved += 1

    def save_if_changed(self) -> None:
        """Save when anything changed since the last save."""
        if self._unsaved:
            self.save()

    def save_soon(self) -> None:
        """Save when at least SAVE_INTERVAL seconds passed since the last save (batching writes)."""
        if self._unsaved and time.monotonic() - self._saved_at >= SAVE_INTERVAL:
            self.save()

    def save(self) -> None:
        """Write the manifest atomically (a reader sees the old or the new file, never a mix).

        One deck per line: readable and diff-friendly, and each deck's line is kept from the
        last save while its entry is unchanged, so saving during a run of a few decks in a folder
        of thousands does not serialise them all again.
        """
        head = json.dumps({"format": FORMAT, "deckgen": __version__,
                           "project": self.project.to_json(self.folder) if self.project else None},
                          default=str, ensure_ascii=False)
        lines = [f"{json.dumps(name, ensure_ascii=False)}: {self._json_of(name)}" for name in sorted(self.decks)]
        text = head[:-1] + ',\n"decks": {\n' + ",\n".join(lines) + "\n}}\n"
        write_bytes_atomic(self.path, text.encode("utf-8"))
        self._unsaved = 0
        self._saved_at = time.monotonic()

    def _json_of(self, name: str) -> str:
        entry = self.decks[name]
        known = self._entry_json.get(name)
        if known is None or known[0] is not entry:
            known = self._entry_json[name] = (entry, json.dumps(entry.to_json(self.folder), default=str,
                                                                ensure_ascii=False))
        return known[1]


def _policy(value: Any, choices: tuple[str, ...]) -> str | None:
    """A recorded --notes/--hidden choice; anything else (an older manifest) means the project's."""
    return value if value in choices else None
