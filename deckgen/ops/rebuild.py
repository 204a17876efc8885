"""`deckgen rebuild`: bring the decks of an output folder up to date with the library and recipes.

Reads the folder's build manifest, compares each deck's recorded input hashes with what its
inputs hash to now, and builds only the decks that differ. Decks whose slides left the library
are rebuilt without them (the recipe's rules decide what replaces them) and reported; a deck
whose recipe names a removed slide cannot be planned: it fails, and its old file stays.
"""
from __future__ import annotations

import os
from pathlib import Path

from deckgen.pipeline.workspace import Workspace
from deckgen.ops.executors import Executor, make_executor
from deckgen.progress import Progress
from deckgen.ops.incremental import (InputCheck, RunReport, build_stale, check_entries,
                                          locked_folder)
from deckgen.ops.manifest import MANIFEST_NAME, Manifest
from deckgen.config import project_config
from deckgen.errors import ConfigError
from deckgen.fsutil import display_path


def default_folder() -> Path:
    """Return the output folder of the project around the current directory (``output:``)."""
    return project_config().output


def run_rebuild(folder: str | os.PathLike | None = None, *, dry_run: bool = False, force: bool = False,
                executor: Executor | None = None, jobs: int | None = None, executor_kind: str = "local",
                scheduler: str | None = None, progress: Progress | None = None) -> RunReport:
    """Rebuild the decks of ``folder`` whose inputs changed; with ``dry_run``, only say which and why.

    ``folder`` defaults to the project's output folder. The project (config, library, recipes)
    is the one recorded in the manifest, so this runs the same from any directory (cron, CI).
    Raises DeckgenError when the folder has no manifest or is locked by another run.
    """
    target = Path(folder).resolve() if folder is not None else default_folder()
    if not (target / MANIFEST_NAME).is_file():
        raise ConfigError(f"no build manifest ({MANIFEST_NAME}) in {display_path(target)}",
                          hint="build decks there first with `deckgen batch` (or pass the output folder)")
    report = RunReport(folder=target, dry_run=dry_run)
    with locked_folder(target):
        manifest = Manifest.load(target)
        if manifest.project is None or not manifest.decks:
            return report
        workspace = Workspace(manifest.project.load())
        check_entries(InputCheck(workspace), manifest, [(entry, None) for entry in manifest.decks.values()],
                      report, force=force)
        if dry_run:
            return report
        executor = executor or make_executor(executor_kind, jobs=jobs, scheduler=scheduler,
                                             workspace=workspace)
        build_stale(workspace, manifest, report, executor, progress)
        manifest.save_if_changed()      # file stamps of decks touched but identical
    return report
