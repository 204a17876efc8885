"""Building one deck: recipe + prospect -> plan -> assembled slides -> personalised .pptx (and PDF)."""
from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO, Sequence

from pptx import Presentation

from deckgen import __version__
from deckgen.config import ProjectConfig, project_config
from deckgen.errors import OutputError
from deckgen.fsutil import atomic_output, sha256_file
from deckgen.library import Library, load_library
from deckgen.library.cache import IndexCache
from deckgen.ooxml import SlidePick, SourceDeck, assemble
from deckgen.ooxml.save import write_presentation
from deckgen.prospect import Prospect, load_prospect
from deckgen.recipes import Recipe, DeckPlan, load_recipe, resolve
from deckgen.render import SlideLabel, render_presentation

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

    def __init__(self, config: ProjectConfig, *, today: datetime.date | None = None):
        self.config = config
        self.today = today or datetime.date.today()
        self._recipes: dict[str, Recipe] = {}
        self._sources: dict[Path, SourceDeck] = {}
        self._file_hashes: dict[tuple[Path, int, int], str] = {}
        self.index_cache = IndexCache.for_library(config.library)
        self._resolved_paths: dict[str | os.PathLike, Path] = {}

    @classmethod
    def discover(cls, *, library: str | os.PathLike | None = None, recipes: str | os.PathLike | None = None,
                 start: str | os.PathLike | None = None) -> Workspace:
        """Return the workspace of the project found from ``start`` (deckgen.yaml), with folder overrides."""
        config = project_config(start)
        if library is not None or recipes is not None:
            config = config.with_folders(library=library, recipes=recipes)
        return cls(config)

    @cached_property
    def library(self) -> Library:
        """The library index; problems that do not stop a build are logged as warnings."""
        index = load_library(self.config.library, today=self.today, cache=self.index_cache)
        self.index_cache.save()
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
        """Return the opened module deck at ``path`` (opened once per workspace)."""
        deck = self._sources.get(path)
        if deck is None:
            deck = self._sources[path] = SourceDeck.open(path)
        return deck

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

    def plan(self, recipe: str | os.PathLike, prospect: Prospect, *, allow_drafts: bool = False) -> DeckPlan:
        """Return the deck plan of ``recipe`` for ``prospect`` (pure: same inputs, same plan)."""
        return resolve(self.recipe(recipe), self.library, prospect, today=self.today, allow_drafts=allow_drafts)


@dataclass
class BuildResult:
    """What one build produced, and the record of exactly what it was built from."""

    output: Path
    plan: DeckPlan
    record: dict[str, Any]
    pdf: Path | None = None
    warnings: list[str] = field(default_factory=list)


def build_deck(workspace: Workspace, recipe: str | os.PathLike, prospect: Prospect,
               output: str | os.PathLike, *, pdf: bool = False, allow_drafts: bool = False) -> BuildResult:
    """Build the deck of ``recipe`` for ``prospect`` into ``output`` (atomically) and return what was done."""
    output = Path(output)
    if output.suffix.lower() != ".pptx":
        raise OutputError("the output must be a .pptx file", where=str(output),
                          hint=f"name it {output.with_suffix('.pptx').name}")
    plan = workspace.plan(recipe, prospect, allow_drafts=allow_drafts)
    with atomic_output(output) as handle:
        render_plan(workspace, plan, prospect, handle)
    output_hash = sha256_file(output)
    pdf_path = None
    if pdf:
        from deckgen.preview import to_pdf  # LibreOffice is only needed when a PDF is asked for

        pdf_path = to_pdf(output, output.with_suffix(".pdf"))
    record = build_record(workspace, plan, prospect, output_hash)
    workspace.index_cache.save()
    return BuildResult(output=output, plan=plan, record=record, pdf=pdf_path, warnings=list(plan.warnings))


def render_plan(workspace: Workspace, plan: DeckPlan, prospect: Prospect, handle: BinaryIO) -> None:
    """Write the finished .pptx of ``plan`` to ``handle``: slides assembled, then personalised.

    python-pptx opens a working copy whose pictures and other media are empty (personalisation
    edits XML only), and the writer copies those parts from the library files as stored: a deck's
    media is never decompressed or held in memory.
    """
    picks = [SlidePick(workspace.source(item.path), item.slide_id) for item in plan.items]
    assembled = assemble(picks)
    presentation = Presentation(io.BytesIO(assembled.to_bytes(binaries=False)))
    labels = [SlideLabel(key=item.key, module=item.path.name, number=item.number) for item in plan.items]
    context = dict(plan.variables)
    context.update(prospect=prospect.as_context(), today=workspace.today, recipe=plan.recipe)
    render_presentation(presentation, labels, context)
    write_presentation(presentation, handle, assembled.stored_binaries)


def build_record(workspace: Workspace, plan: DeckPlan, prospect: Prospect, output_hash: str) -> dict[str, Any]:
    """Return the manifest record of one build: content hashes of every input, and ``output_hash``
    (the sha256 of the deck written)."""
    recipe = workspace.recipe(plan.recipe)
    return {
        "deckgen": __version__,
        "recipe": plan.recipe,
        "recipe_files": {_relative(workspace._resolved(path), workspace.config.root): workspace.file_hash(path)
                         for path in recipe.files},
        "prospect": prospect_hash(prospect),
        "slides": [
            {"key": item.key, "module": item.module, "slide_id": item.slide_id,
             "closure": workspace.closure_hash(item.path, item.slide_id)}
            for item in plan.items
        ],
        "output": output_hash,
    }


def _relative(resolved: Path, root: Path) -> str:
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return resolved.as_posix()


def build(recipe: str | os.PathLike, output: str | os.PathLike, *, prospect: str | os.PathLike | None = None,
          sets: Sequence[str] = (), library: str | os.PathLike | None = None,
          recipes: str | os.PathLike | None = None, pdf: bool = False, allow_drafts: bool = False) -> BuildResult:
    """Build one deck from files: the Python API behind ``deckgen build``."""
    workspace = Workspace.discover(library=library, recipes=recipes)
    return build_deck(workspace, recipe, load_prospect(prospect, sets), output, pdf=pdf, allow_drafts=allow_drafts)
