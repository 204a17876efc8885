"""Incremental builds: which decks of a manifest are out of date and why, and building just those.

A deck is out of date when its file is missing or differs from its last build, or when any
input hash in its build record differs from what the inputs hash to now: a recipe file, the
prospect (data and logo), a chosen slide's part closure, the set or order of chosen slides, or
deckgen's version. Shared by ``deckgen batch`` (skip decks already up to date), ``deckgen
rebuild`` and ``deckgen watch``.
"""
from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from deckgen import __version__
from deckgen.pipeline.deck import build_record
from deckgen.pipeline.properties import OutputPolicy
from deckgen.pipeline.workspace import Workspace
from deckgen.fsutil import sha256_file
from deckgen.ops.executors import DeckJob, Executor, WorkspaceSpec, error_line, failure_problems
from deckgen.problems import NOWHERE, Problem
from deckgen.progress import Progress
from deckgen.ops.lock import output_lock
from deckgen.ops.manifest import DeckEntry, FileStamp, Manifest, now_utc
from deckgen.errors import DeckgenError
from deckgen.prospect import Prospect, prospect_from_data
from deckgen.scoreboard.log import DeckLog

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class Failure:
    """A deck that could not be built (or planned), named by its file and its prospect's row."""

    name: str | None            # deck name, None when the row never got one
    label: str                  # the prospect's source: "prospects/accounts.csv:7"
    problems: tuple[Problem, ...]
    detail: str | None = None   # traceback of an unexpected error

    def __str__(self) -> str:
        # a problem located at the row itself needs no second mention of it
        problems = [replace(p, location=NOWHERE) if p.where == self.label else p for p in self.problems]
        deck = f"{self.name} ({self.label})" if self.name else self.label
        return f"{deck}: {error_line(problems)}"


@dataclass(frozen=True)
class Stale:
    """A deck that must be built, the prospect to build it for, and why."""

    entry: DeckEntry
    prospect: Prospect
    reasons: tuple[str, ...]


@dataclass
class RunReport:
    """What a batch, rebuild or watch cycle found and did."""

    folder: Path
    stale: list[Stale] = field(default_factory=list)        # decks to build, with their reasons
    built: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)        # "deck: slide 'k' was removed ..." notices
    warnings: dict[str, list[str]] = field(default_factory=dict)   # deck -> warnings of its build
    notices: list[str] = field(default_factory=list)        # the run's own, e.g. the deck log could not be written
    vanished: list[str] = field(default_factory=list)       # decks whose prospect row left its file
    pruned: list[str] = field(default_factory=list)         # of those, the decks deleted (--prune)
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        """0 when every deck is built or up to date, 1 when any failed."""
        return 1 if self.failed else 0

    def to_dict(self) -> dict:
        """The report as JSON data: what was (or would be) built and why, and every failure's problems."""
        return {"folder": str(self.folder), "dry_run": self.dry_run, "ok": self.exit_code == 0,
                "stale": [{"deck": item.entry.name, "reasons": list(item.reasons)} for item in self.stale],
                "built": list(self.built), "up_to_date": list(self.up_to_date), "removed": list(self.removed),
                "warnings": {deck: list(lines) for deck, lines in sorted(self.warnings.items())},
                "notices": list(self.notices),
                "vanished": list(self.vanished), "pruned": list(self.pruned),
                "failed": [{"deck": failure.name, "prospect": failure.label, "message": str(failure),
                            "problems": [problem.to_dict() for problem in failure.problems]}
                           for failure in self.failed]}


class InputCheck:
    """Compares the inputs of decks with their build records, within one workspace (one run).

    Plans are cheap (no file reads); closure and file hashes are cached by the workspace, so
    checking hundreds of decks hashes each module slide once.
    """

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def prospect(self, entry: DeckEntry) -> Prospect:
        """Return the entry's prospect, validated again (its logo must still be there)."""
        source = entry.prospect
        return self.workspace.canonical(prospect_from_data(source.data, base_dir=source.base_dir,
                                                           label=source.label,
                                                           logos=self.workspace.config.logos))

    def reasons(self, manifest: Manifest, entry: DeckEntry, prospect: Prospect) -> list[str]:
        """Return why the deck must be built again (empty when it is up to date).

        Raises DeckgenError when the deck cannot be planned any more (e.g. its recipe names a
        slide that was removed from the library).
        """
        found = self.disk_reasons(manifest, entry)
        old = entry.record
        plan = self.workspace.plan(entry.recipe_file, prospect, allow_drafts=entry.allow_drafts)
        policy = OutputPolicy.of(self.workspace.config, notes=entry.notes, hidden=entry.hidden)
        new = build_record(self.workspace, plan, prospect, "", policy=policy)
        if old.get("deckgen") != __version__:
            found.append(f"deckgen version changed ({old.get('deckgen')} -> {__version__})")
        old_files, new_files = old.get("recipe_files", {}), new["recipe_files"]
        for path in sorted(set(old_files) | set(new_files)):
            if path not in old_files:
                found.append(f"recipe file {path} is now used")
            elif path not in new_files:
                found.append(f"recipe file {path} is no longer used")
            elif old_files[path] != new_files[path]:
                found.append(f"recipe file {path} changed")
        if old.get("prospect") != new["prospect"]:
            found.append("prospect data changed")
        # decks recorded before there were policies kept notes and hidden slides
        old_policy = old.get("policy") or {"notes": "keep", "hidden": "keep"}
        for what in ("notes", "hidden"):
            if old_policy.get(what) != new["policy"][what]:
                found.append(f"{what} policy changed ({old_policy.get(what)} -> {new['policy'][what]})")
        if "properties" in old and old["properties"] != new["properties"] and not found:
            # titles follow the recipe's name and the prospect: only name the config when nothing
            # else changed
            found.append("document properties changed (output.* in deckgen.yaml)")
        if old.get("template") != new["template"]:
            found.append("brand template changed" if old.get("template") and new["template"]
                         else "brand template set" if new["template"] else "brand template removed")
        found.extend(self._slide_reasons(old.get("slides", []), new["slides"]))
        return found

    def disk_reasons(self, manifest: Manifest, entry: DeckEntry) -> list[str]:
        """Return what is wrong with the deck's files on disk (missing, or not what was built)."""
        path = manifest.deck_path(entry.name)
        found = []
        if not path.is_file():
            found.append("deck file is missing")
        else:
            stamp = FileStamp.of(path)
            if stamp != entry.stamp:
                if sha256_file(path) != entry.record.get("output"):
                    found.append("deck file differs from its last build")
                else:
                    manifest.put(replace(entry, stamp=stamp))   # touched only: skip hashing next time
        if entry.pdf and not path.with_suffix(".pdf").is_file():
            found.append("PDF is missing")
        return found

    def _slide_reasons(self, old: list[dict], new: list[dict]) -> list[str]:
        library = self.workspace.library
        old_by_key = {slide["key"]: slide for slide in old}
        new_by_key = {slide["key"]: slide for slide in new}
        found = []
        for slide in old:
            key = slide["key"]
            module = f"{slide.get('module')}.pptx"
            if key in new_by_key:
                current = new_by_key[key]
                if current.get("look") != slide.get("look"):
                    found.append(f"slide '{key}' look changed ({module})")
                elif current["closure"] != slide.get("closure"):
                    moved = current["module"] != slide.get("module")
                    found.append(f"slide '{key}' moved to {current['module']}.pptx" if moved
                                 else f"slide '{key}' changed ({module})")
            elif library.get(key) is None:
                broken = library.broken.get(key)
                found.append(f"slide '{key}' can no longer be used ({broken.message})" if broken
                             else f"slide '{key}' was removed from the library (was in {module})")
            else:
                found.append(f"slide '{key}' is no longer chosen ({module})")
        for slide in new:
            if slide["key"] not in old_by_key:
                found.append(f"slide '{slide['key']}' added ({slide['module']}.pptx)")
        kept_old = [slide["key"] for slide in old if slide["key"] in new_by_key]
        kept_new = [slide["key"] for slide in new if slide["key"] in old_by_key]
        if kept_old != kept_new:
            found.append("slide order changed")
        return found


def is_removal(reason: str) -> bool:
    """True for a reason saying a slide left the library (reported on its own, never silently)."""
    return " was removed from the library " in reason or " can no longer be used " in reason


def check_entries(check: InputCheck, manifest: Manifest, entries: list[tuple[DeckEntry, Prospect | None]],
                  report: RunReport, *, force: bool = False) -> None:
    """Sort ``entries`` into ``report``: stale (with reasons), up to date, or failed to plan.

    An entry whose prospect is None is validated from its recorded data first. An entry with
    no previous build (not in the manifest) is stale without planning here: its worker plans it.
    """
    for entry, prospect in entries:
        label = entry.prospect.label
        previous = manifest.decks.get(entry.name)
        try:
            if prospect is None:
                prospect = check.prospect(entry)
            if previous is None or not previous.record:
                stale = Stale(entry, prospect, ("new deck",))
            else:
                entry = replace(entry, stamp=previous.stamp, built_at=previous.built_at,
                                created_at=previous.created_at, record=previous.record)
                reasons = check.reasons(manifest, entry, prospect)
                if not reasons and not force:
                    report.up_to_date.append(entry.name)
                    if entry.prospect != previous.prospect:     # same data, the row moved in the file
                        manifest.put(replace(manifest.decks[entry.name], prospect=entry.prospect))
                    continue
                stale = Stale(entry, prospect, tuple(reasons or ["forced"]))
        except DeckgenError as exc:
            report.failed.append(Failure(entry.name, label, failure_problems(exc)))
            continue
        report.stale.append(stale)
        report.removed.extend(f"{entry.name}: {reason}" for reason in stale.reasons if is_removal(reason))


def build_stale(workspace: Workspace, manifest: Manifest, report: RunReport, executor: Executor,
                progress: Progress | None = None, *, kind: str = "batch", strict: bool = False) -> None:
    """Build every stale deck of ``report`` with ``executor``, recording each in the manifest and
    in the deck log (as a ``kind`` event, written here, by the coordinating process).

    A deck enters the manifest only after its worker has put its file in place; the manifest is
    saved at least once a second and at the end, also when interrupted. Each deck's log event is
    one transaction, so an interrupted run leaves the events of the decks it finished. With
    ``strict``, a deck whose text overflows a box fails (its old file, if any, stays).
    """
    if not report.stale:
        return
    spec = WorkspaceSpec.of(workspace)
    stale = {item.entry.name: item for item in report.stale}
    jobs = [DeckJob(name=item.entry.name, output=str(manifest.deck_path(item.entry.name)),
                    recipe=str(item.entry.recipe_file), prospect=item.prospect,
                    label=item.entry.prospect.label, pdf=item.entry.pdf,
                    allow_drafts=item.entry.allow_drafts, notes=item.entry.notes,
                    hidden=item.entry.hidden, strict=strict)
            for item in report.stale]
    deck_log = DeckLog(workspace.config, kind)
    try:
        for done, outcome in enumerate(executor.run(spec, jobs), start=1):
            item = stale[outcome.name]
            if outcome.ok:
                path = manifest.deck_path(outcome.name)
                manifest.put(item.entry.built(outcome.record, FileStamp.of(path), now_utc()))
                manifest.save_soon()
                deck_log.record(item.entry.recipe, item.prospect, path, outcome.record)
                report.built.append(outcome.name)
                if outcome.warnings:
                    report.warnings[outcome.name] = list(outcome.warnings)
            else:
                report.failed.append(Failure(outcome.name, item.entry.prospect.label, outcome.problems,
                                             outcome.detail))
            if progress is not None:
                progress(done, len(jobs), outcome.name)
    finally:
        manifest.save()
        deck_log.close()
        report.notices.extend(deck_log.warnings)


@contextlib.contextmanager
def locked_folder(folder: Path) -> Iterator[None]:
    """Hold the folder's lock and clear temporary files a killed run left behind."""
    with output_lock(folder):
        for leftover in folder.rglob(".*.part"):
            # atomic_output's temporary files: only a run that died mid-write leaves them, and
            # nobody else writes here while we hold the lock.
            with contextlib.suppress(OSError):
                leftover.unlink()
        yield
