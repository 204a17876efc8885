"""`deckgen rebuild`: bring the decks of an output folder up to date with the library and recipes.

Reads the folder's build manifest, compares each deck's recorded input hashes with what its
inputs hash to now, and builds only the decks that differ. Decks whose slides left the library
are rebuilt without them (the recipe's rules decide what replaces them) and reported; a deck
whose recipe names a removed slide cannot be planned: it fails, and its old file stays.

Prospects files (CRM exports, prospect lists) are read again: a changed row rebuilds its deck, a
new row builds a new one, and a deck whose row is gone is reported, and deleted only with
``prune``. A deck whose prospects file is gone is rebuilt from the data recorded for it.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from deckgen.pipeline.workspace import Workspace
from deckgen.ops.executors import Executor, make_executor
from deckgen.progress import Progress
from deckgen.ops.incremental import (InputCheck, RunReport, build_stale, check_entries,
                                          locked_folder)
from deckgen.ops.batch import prospect_entries
from deckgen.ops.manifest import MANIFEST_NAME, DeckEntry, Manifest
from deckgen.prospect import Prospect
from deckgen.config import project_config
from deckgen.errors import ConfigError, DeckgenError
from deckgen.fsutil import display_path

log = logging.getLogger(__name__)


def default_folder() -> Path:
    """Return the output folder of the project around the current directory (``output:``)."""
    return project_config().output


def run_rebuild(folder: str | os.PathLike | None = None, *, dry_run: bool = False, force: bool = False,
                prune: bool = False, executor: Executor | None = None, jobs: int | None = None, executor_kind: str = "local",
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
        check_entries(InputCheck(workspace), manifest, _current_entries(workspace, manifest, report),
                      report, force=force)
        if dry_run:
            return report
        if prune:
            _prune(manifest, report)
        executor = executor or make_executor(executor_kind, jobs=jobs, scheduler=scheduler,
                                             workspace=workspace)
        build_stale(workspace, manifest, report, executor, progress)
        manifest.save_if_changed()      # file stamps of decks touched but identical
    return report


def _current_entries(workspace: Workspace, manifest: Manifest,
                     report: RunReport) -> list[tuple[DeckEntry, Prospect | None]]:
    """The decks the folder should hold now: each prospects file's rows read again (grouped as
    batch built them), and the recorded data of decks whose file is gone or was not a file."""
    groups: dict[tuple, list[DeckEntry]] = {}
    entries: list[tuple[DeckEntry, Prospect | None]] = []
    for entry in manifest.decks.values():
        file = entry.prospect.file
        if file is None or not file.is_file() or not entry.recipe_file.is_file():
            entries.append((entry, None))
        else:
            groups.setdefault((file, entry.recipe_file, entry.pdf, entry.allow_drafts), []).append(entry)
    for (file, recipe_file, pdf, allow_drafts), recorded in groups.items():
        rows = RunReport(folder=report.folder)
        try:
            current = prospect_entries(workspace, recipe_file, file, rows, pdf=pdf, allow_drafts=allow_drafts)
        except DeckgenError as exc:     # the file cannot be read now: say so, rebuild from records
            log.warning("%s; its decks are checked with the data recorded for them", exc)
            entries.extend((entry, None) for entry in recorded)
            continue
        # a broken row fails the deck built from it; one that never had a deck is only mentioned
        recorded_labels = {entry.prospect.label for entry in recorded}
        for failure in rows.failed:
            if failure.label in recorded_labels:
                report.failed.append(failure)
            else:
                log.info("%s (no deck was built from it)", failure)
        names = {entry.name for entry, _ in current}
        broken = {failure.label for failure in rows.failed}
        entries.extend(current)
        report.vanished.extend(entry.name for entry in recorded
                               if entry.name not in names and entry.prospect.label not in broken)
    return sorted(entries, key=lambda item: item[0].name)      # reports list decks in name order


def _prune(manifest: Manifest, report: RunReport) -> None:
    """Delete the decks whose prospect row is gone (and their PDFs), and forget them."""
    for name in report.vanished:
        for path in (manifest.deck_path(name), manifest.deck_path(name).with_suffix(".pdf")):
            path.unlink(missing_ok=True)
        manifest.forget(name)
        report.pruned.append(name)
    manifest.save_if_changed()
