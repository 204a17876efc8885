"""`deckgen batch`: one deck per prospect of a CRM export (CSV) or a YAML/JSON list, built in parallel.

Rows are read by ``deckgen.prospect_files``; a bad row fails its own deck only. Decks are named from the
config's ``batch.filename`` pattern, recorded in the folder's build manifest, and skipped when
already up to date (so rerunning a batch after a crash finishes the job).
"""
from __future__ import annotations

import os
from pathlib import Path


from deckgen.pipeline.workspace import Workspace
from deckgen.pipeline.naming import DeckNamer
from deckgen.ops.executors import Executor, failure_problems, make_executor
from deckgen.progress import Progress
from deckgen.ops.incremental import (Failure, InputCheck, RunReport, build_stale,
                                          check_entries, locked_folder)
from deckgen.ops.manifest import DeckEntry, Manifest, ProjectRef, ProspectSource
from deckgen.config import check_policy
from deckgen.errors import ConfigError, DeckgenError
from deckgen.prospect import Prospect
from deckgen.prospect_files import ProspectRow, read_prospects, row_prospect
from deckgen.recipes import find_recipe
from deckgen.safepaths import check_output
from deckgen.fsutil import display_path
from deckgen.yamlio import plain



def run_batch(recipe: str | os.PathLike, prospects: str | os.PathLike, output: str | os.PathLike,
              *, workspace: Workspace | None = None, executor: Executor | None = None,
              jobs: int | None = None, executor_kind: str = "local", scheduler: str | None = None,
              pdf: bool = False, allow_drafts: bool = False, force: bool = False,
              notes: str | None = None, hidden: str | None = None, strict: bool = False,
              progress: Progress | None = None) -> RunReport:
    """Build the deck of ``recipe`` for every prospect in ``prospects`` into folder ``output``.

    ``notes``/``hidden`` override the project's output policies for these decks (and are
    recorded, so a rebuild keeps them); with ``strict``, a deck whose text overflows a box fails.

    Decks already up to date with their manifest record are skipped unless ``force``. Raises
    DeckgenError for problems that stop the whole run (bad recipe, unreadable file, folder
    locked); problems of single rows are in ``report.failed``.
    """
    workspace = workspace or Workspace.discover()
    notes, hidden = check_policy("notes", notes), check_policy("hidden", hidden)
    check_output(output, inputs=[prospects], protected=workspace.config.input_folders,
                 what="output folder")
    folder = Path(output).resolve()
    recipe_file = find_recipe(recipe, workspace.config.recipes).resolve()
    workspace.recipe(recipe_file)                # a broken recipe stops the run before any row
    if not workspace.library.slides:             # a missing library folder raises here too
        raise ConfigError("the slide library has no usable slides",
                          where=display_path(workspace.config.library),
                          hint="run `deckgen library check` to see why")
    report = RunReport(folder=folder)
    entries = prospect_entries(workspace, recipe_file, prospects, report, pdf=pdf, allow_drafts=allow_drafts,
                               notes=notes, hidden=hidden)
    executor = executor or make_executor(executor_kind, jobs=jobs, scheduler=scheduler, workspace=workspace)
    with locked_folder(folder):
        manifest = Manifest.load(folder)
        project = ProjectRef.of(workspace.config)
        _check_same_project(manifest, project)
        manifest.set_project(project)
        check_entries(InputCheck(workspace), manifest, entries, report, force=force)
        build_stale(workspace, manifest, report, executor, progress, strict=strict)
        if manifest.decks:
            manifest.save_if_changed()
    return report


def prospect_entries(workspace: Workspace, recipe_file: Path, prospects: str | os.PathLike, report: RunReport,
                     *, pdf: bool = False, allow_drafts: bool = False, notes: str | None = None,
                     hidden: str | None = None) -> list[tuple[DeckEntry, Prospect]]:
    """Return the deck entry of every usable row of a prospects file (named by batch.filename,
    made unique), each with its validated prospect; a row that cannot be used fails in ``report``."""
    recipe = workspace.recipe(recipe_file)
    rows = read_prospects(prospects, workspace.config.batch.columns)
    namer = DeckNamer(workspace.config.batch.filename, recipe.name)
    valid: list[tuple[ProspectRow, Prospect, str]] = []
    for row in rows:
        try:
            prospect = workspace.canonical(row_prospect(row, workspace.config.logos))   # an undeclared value fails this row only
            valid.append((row, prospect, namer.render(prospect, row.line or row.index, row.index)))
        except DeckgenError as exc:
            report.failed.append(Failure(None, row.label, failure_problems(exc)))
    names = namer.unique([name for _, _, name in valid])
    return [(DeckEntry(name=name, recipe=recipe.name, recipe_file=recipe_file,
                       prospect=ProspectSource(label=row.label, file=row.file.resolve(), line=row.line,
                                               index=row.index, data=plain(row.data),
                                               base_dir=row.file.resolve().parent),
                       pdf=pdf, allow_drafts=allow_drafts, notes=notes, hidden=hidden), prospect)
            for (row, prospect, _), name in zip(valid, names)]


def _check_same_project(manifest: Manifest, project: ProjectRef) -> None:
    """Refuse to mix decks of two libraries in one folder: a rebuild could not serve both."""
    old = manifest.project
    if old is None or not manifest.decks:
        return
    for what in ("library", "recipes"):
        before, now = getattr(old, what), getattr(project, what)
        if before != now:
            raise ConfigError(f"the decks in this folder were built from the {what} folder {before}, "
                              f"not {now}", where=display_path(manifest.path),
                              hint="use another output folder (-o) for this project")
