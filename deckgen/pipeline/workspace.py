"""The workspace: a project's config, library index, recipes and opened source decks, shared by builds."""
from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
from functools import cached_property
from pathlib import Path

from deckgen.config import ProjectConfig, project_config
from deckgen.errors import ConfigError, PackageError
from deckgen.library.metadata import LOOKS
from deckgen.fsutil import display_path, sha256_file
from deckgen.library import Library, load_library
from deckgen.library.index import module_files
from deckgen.library.cache import IndexCache
from deckgen.problems import raise_problems
from deckgen.ooxml import SourceDeck
from deckgen.ooxml.package import DeckSet
from deckgen.prospect import Prospect
from deckgen.recipes import DeckPlan, Recipe, load_recipe, resolve

log = logging.getLogger(__name__)


def sha256_bytes(data: bytes) -> str:
    """Return the hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def prospect_hash(prospect: Prospect) -> str:
    """Return a hash of everything a deck takes from the prospect: its data and its logo's bytes."""
    data = prospect.as_context()
    data["logo"] = sha256_file(prospect.logo) if prospect.logo else None
    return sha256_bytes(json.dumps(data, sort_keys=True, default=str).encode())


class Workspace:
    """A project's library, recipes and source decks, loaded once and reused by many builds.

    Batch and rebuild build hundreds of decks from one workspace, so each module file is opened
    once (its zip directory and the parts already read are kept by ``SourceDeck``).
    """

    def __init__(self, config: ProjectConfig, *, today: datetime.date | None = None, log_problems: bool = True):
        self.config = config
        self.log_problems = log_problems
        self.today = today or datetime.date.today()
        self._recipes: dict[str, Recipe] = {}
        self._sources = DeckSet()
        self._module_stamps: dict[str, tuple[int, ...] | None] = {}
        self._checked_sources: set[str] = set()
        self._file_hashes: dict[tuple[Path, int, int], str] = {}
        self.index_cache = IndexCache.for_library(config.library)
        self._resolved_paths: dict[str | os.PathLike, Path] = {}

    @classmethod
    def discover(cls, *, library: str | os.PathLike | None = None, recipes: str | os.PathLike | None = None,
                 start: str | os.PathLike | None = None) -> Workspace:
        """Return the workspace of the project found from ``start`` (deckgen.yaml), with folder overrides."""
        return cls(project_config(start, library=library, recipes=recipes))

    @cached_property
    def library(self) -> Library:
        """The library index; problems that do not stop a build are logged as warnings (unless the
        caller reports them itself)."""
        # stamps taken before the index is read: a module replaced after this point is caught
        # when assembly opens it (see ``source``), never copied in place of the one planned from
        self._module_stamps = {os.path.abspath(module): _file_stamp(module)
                               for module in module_files(self.config.library)} \
            if self.config.library.is_dir() else {}
        index = load_library(self.config.library, today=self.today, cache=self.index_cache,
                             message_map=self.config.message_map)
        self.index_cache.save()
        if self.log_problems:
            # an error (a damaged module, a duplicate key) would otherwise leave the build with
            # another module's slide or none, and only a warning to say so
            raise_problems(list(index.problems), "the slide library has errors (see `deckgen check`)")
            for problem in index.problems:
                log.warning("%s", problem)
        return index

    def recipe(self, ref: str | os.PathLike) -> Recipe:
        """Return the validated recipe named ``ref`` (a name in the recipes folder, or a path)."""
        key = str(ref)
        if key not in self._recipes:
            self._recipes[key] = load_recipe(ref, self.config.recipes)
        return self._recipes[key]

    def source(self, path: Path) -> SourceDeck:
        """Return the opened module deck at ``path`` (opened once per workspace); PackageError when
        the module was replaced since the library index was read (the plan would not match it)."""
        deck = self._sources.get(path)
        key = os.path.abspath(path)
        if key not in self._checked_sources:
            planned = self._module_stamps.get(key)
            if planned is not None and _file_stamp(Path(key)) != planned:
                raise PackageError("changed while deckgen was using it (replaced after the deck was "
                                   "planned)", where=display_path(path), hint="run the command again")
            self._checked_sources.add(key)
        return deck

    def template_for(self, look: str | None) -> SourceDeck | None:
        """The brand template deck a build with ``look`` assembles onto, or None for source
        formatting: "template" needs brand.template; None means "template" when it is set."""
        if look not in (None, *LOOKS):
            raise ConfigError(f"look must be one of {', '.join(LOOKS)}, not '{look}'")
        template = self.config.brand.template
        if look == "template" and template is None:
            where = display_path(self.config.file) if self.config.file else "deckgen.yaml"
            raise ConfigError("the template look needs a corporate template", where=where,
                              hint="set brand.template: PATH.potx in deckgen.yaml", code="template-look")
        if look == "source" or template is None:
            return None
        return self.source(template)

    def file_hash(self, path: str | os.PathLike) -> str:
        """Return the sha256 of a file, read again only when its size or modification time changed."""
        target = self._resolved(path)
        stat = target.stat()
        key = (target, stat.st_size, stat.st_mtime_ns)
        digest = self._file_hashes.get(key)
        if digest is None:
            digest = self._file_hashes[key] = sha256_file(target)
        return digest

    def closure_hash(self, path: Path, slide_id: int) -> str:
        """Return a module slide's part-closure hash, computed once per module version and slide.

        Every build records it; hundreds of decks share a slide, and hashing a slide's pictures
        cost more than building the deck (bench deck-1x), so it is kept in the index cache.
        """
        target = self._resolved(path)
        return self.index_cache.get_or_compute(("closure", str(target), slide_id), [target],
                                               lambda: self.source(path).closure_hash(slide_id))

    def _resolved(self, path: str | os.PathLike) -> Path:
        # resolving costs a system call per path component; a batch asks for the same few
        # module paths tens of thousands of times
        resolved = self._resolved_paths.get(path)
        if resolved is None:
            resolved = self._resolved_paths[path] = Path(path).resolve()
        return resolved

    def canonical(self, prospect: Prospect) -> Prospect:
        """Return ``prospect`` with its values mapped through the message map's aliases (unchanged
        without a map); ConfigError naming the field's file:line (or row and column) for a value
        the map does not declare."""
        message_map = self.config.message_map
        return prospect if message_map is None else message_map.canonical_prospect(prospect)

    def plan(self, recipe: str | os.PathLike, prospect: Prospect, *, allow_drafts: bool = False) -> DeckPlan:
        """Return the deck plan of ``recipe`` for ``prospect`` (pure: same inputs, same plan)."""
        return resolve(self.recipe(recipe), self.library, prospect, today=self.today, allow_drafts=allow_drafts,
                       message_map=self.config.message_map)


def _file_stamp(path: Path) -> tuple[int, ...] | None:
    """(size, mtime, inode, ctime) of a file, None when it is gone."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
