"""`deckgen diff`: what a library, recipe or message-map edit does to decks before it lands.

Two comparisons, each slide by slide with the rule that explains it:

- every deck of a build manifest: the plan now against the slides of its last build (added,
  removed, content changed, order changed);
- every recipe for every prospect of the prospects folder: the plan now against the plan the
  project gave at a git revision (default HEAD): the library sidecars, recipes, message map and
  config are read as committed there; module files unchanged since are used in place.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from deckgen.config import ProjectConfig, load_config
from deckgen.errors import ConfigError, DeckgenError
from deckgen.library.cache import IndexCache
from deckgen.ops.manifest import MANIFEST_NAME, Manifest
from deckgen.pipeline.workspace import Workspace
from deckgen.prospect import Prospect, prospect_from_data
from deckgen.prospect_files import folder_prospects
from deckgen.recipes import DeckPlan, recipe_names
from deckgen.fsutil import display_path

ADDED, REMOVED, CHANGED, MOVED = "added", "removed", "changed", "moved"
_GIT_TIMEOUT = 120


@dataclass(frozen=True)
class SlideChange:
    """One slide a deck gains, loses or gets changed, and why."""

    change: str                 # added | removed | changed | moved
    key: str
    position: int | None        # in the new deck (added, changed, moved) or the old one (removed)
    section: str | None
    reason: str

    def line(self) -> str:
        mark = {ADDED: "+", REMOVED: "-", CHANGED: "~", MOVED: ">"}[self.change]
        where = f" at {self.position}" if self.position else ""
        return f"  {mark} {self.key}{where}: {self.reason}"


@dataclass(frozen=True)
class DeckImpact:
    """The effect of the edit on one deck (a manifest deck, or a recipe for a folder prospect)."""

    deck: str                   # deck file name, or "RECIPE for COMPANY"
    prospect: str               # where the prospect comes from ("prospects/crm-export.csv:3")
    recipe: str
    compared_with: str          # "last build (2026-11-29T...)" or "git HEAD"
    changes: tuple[SlideChange, ...] = ()
    error: str | None = None    # why the deck cannot be planned now (or then)

    @property
    def status(self) -> str:
        return "error" if self.error else ("changed" if self.changes else "unchanged")


@dataclass
class ImpactReport:
    """Every deck looked at, and notes on what could not be compared."""

    decks: list[DeckImpact] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for deck in self.decks if deck.status == status)

    def to_text(self) -> str:
        lines: list[str] = []
        for deck in self.decks:
            if deck.status == "unchanged":
                continue
            lines.append(f"{deck.deck} ({deck.prospect}; vs {deck.compared_with}):"
                         + (f" error: {deck.error}" if deck.error else ""))
            lines.extend(change.line() for change in deck.changes)
        lines.extend(f"note: {note}" for note in self.notes)
        lines.append(f"{self.count('changed')} of {len(self.decks)} decks change"
                     + (f", {self.count('error')} cannot be planned" if self.count("error") else ""))
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        data = {"summary": {"decks": len(self.decks), "changed": self.count("changed"),
                            "unchanged": self.count("unchanged"), "errors": self.count("error")},
                "decks": [{**{k: v for k, v in asdict(deck).items() if k != "changes"}, "status": deck.status,
                           "changes": [asdict(change) for change in deck.changes]} for deck in self.decks],
                "notes": self.notes}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @property
    def exit_code(self) -> int:
        return 1 if self.count("error") else 0


def impact(config: ProjectConfig, *, folders: list[Path] | None = None, against: str | None = "HEAD",
           recipes: list[str] | None = None, today: datetime.date | None = None) -> ImpactReport:
    """Return how the project as it is now changes the decks of ``folders`` (default: the output
    folder, when it has a manifest) since their last build, and, with ``against`` (a git
    revision), the deck of every recipe (or ``recipes``) for every prospect of the prospects folder."""
    today = today or datetime.date.today()
    report = ImpactReport()
    now = _workspace(config, today)
    for folder in folders if folders is not None else [config.output]:
        if not (folder / MANIFEST_NAME).is_file():
            if folders is not None:
                raise ConfigError(f"no build manifest ({MANIFEST_NAME}) in {display_path(folder)}",
                                  hint="pass a folder `deckgen batch` built decks into")
            continue
        report.decks.extend(_manifest_impacts(now, Manifest.load(folder)))
    if against is not None:
        with _project_at(config, against) as (then_config, changed, note):
            if then_config is None:
                report.notes.append(note)
            else:
                then = _workspace(then_config, today, cached=False)
                report.decks.extend(_prospect_impacts(config, now, then, changed, against, recipes))
    return report


def _workspace(config: ProjectConfig, today: datetime.date, cached: bool = True) -> Workspace:
    workspace = Workspace(config, today=today, log_problems=False)
    if not cached:
        workspace.index_cache = IndexCache(None)   # a temporary copy: nothing worth keeping
    return workspace


# -- decks of a manifest ------------------------------------------------------------------------

def _manifest_impacts(workspace: Workspace, manifest: Manifest) -> Iterator[DeckImpact]:
    for entry in manifest.decks.values():
        name = display_path(manifest.deck_path(entry.name))
        compared = f"last build {entry.built_at or ''}".strip()
        try:
            prospect = workspace.canonical(prospect_from_data(entry.prospect.data, base_dir=entry.prospect.base_dir,
                                                              label=entry.prospect.label,
                                                              logos=workspace.config.logos))
            plan = workspace.plan(entry.recipe_file, prospect, allow_drafts=entry.allow_drafts)
        except DeckgenError as exc:
            yield DeckImpact(name, entry.prospect.label, entry.recipe, compared, error=_one_line(exc))
            continue
        old = [(slide["key"], slide.get("closure")) for slide in entry.record.get("slides", [])]
        closures = {item.key: workspace.closure_hash(item.path, item.slide_id) for item in plan.items
                    if item.key in dict(old)}
        yield DeckImpact(name, entry.prospect.label, entry.recipe, compared,
                         tuple(_changes(workspace, old, plan, closures,
                                        "its content changed ({module}.pptx) since the last build")))


# -- folder prospects against a git revision ------------------------------------------------------

def _prospect_impacts(config: ProjectConfig, now: Workspace, then: Workspace, changed_modules: set[str],
                      revision: str, only: list[str] | None) -> Iterator[DeckImpact]:
    names = only or sorted(set(recipe_names(config.recipes)) | set(recipe_names(then.config.recipes)))
    prospects = folder_prospects(config.prospects, config.batch.columns, config.logos)
    # a CRM export of a thousand rows holds a few dozen selling situations: plan each once, unless a
    # condition reads the company or contact, the only fields the situation leaves out
    exact = any(_reads_identity(condition) for workspace in (now, then) for condition in _conditions(workspace))
    plans: dict[tuple[str, str, str], tuple[DeckPlan | None, str | None]] = {}

    def plan(workspace: Workspace, recipe: str, prospect: Prospect, when: str):
        key = (when, recipe, _situation(prospect, exact))
        if key in plans:
            return plans[key]
        planned = _plan(workspace, recipe, prospect, when)
        if planned[1] is None:      # an error names its own prospect's file and line: not shared
            plans[key] = planned
        return planned
    for recipe in names:
        for prospect in prospects:
            if not isinstance(prospect, Prospect):
                continue      # `deckgen check` reports unusable prospect files
            deck = f"{recipe} for {prospect.company}"
            old, error = plan(then, recipe, prospect, "at " + revision)
            new, new_error = plan(now, recipe, prospect, "now")
            if new_error:
                if not error:      # a recipe that never fitted this prospect is no change
                    yield DeckImpact(deck, prospect.source, recipe, f"git {revision}", error=new_error)
                continue
            compared = f"git {revision}" + (f", where it could not be planned: {error}" if error else "")
            old_slides = [(item.key, item.module) for item in old.items] if old else []
            modules = {item.key: item.module if item.module not in changed_modules else None for item in new.items}
            yield DeckImpact(deck, prospect.source, recipe, compared,
                             tuple(_changes(now, old_slides, new, modules, "its module file {module}.pptx changed "
                                            f"since {revision}", then_plan=old)))


def _conditions(workspace: Workspace) -> Iterator[str]:
    for slide in workspace.library:
        if isinstance(slide.when, str):
            yield slide.when
    for name in recipe_names(workspace.config.recipes):
        try:
            recipe = workspace.recipe(name)
        except DeckgenError:
            continue
        yield from (section.when for section in recipe.sections if isinstance(section.when, str))


def _reads_identity(condition: str) -> bool:
    return "company" in condition or "contact" in condition


def _situation(prospect: Prospect, exact: bool) -> str:
    """What a plan reads of a prospect (all of it when ``exact``), as a key."""
    context = prospect.as_context()
    if not exact:
        context.pop("company")
        context.pop("contact")
    return json.dumps(context, sort_keys=True, default=str)


def _plan(workspace: Workspace, recipe: str, prospect: Prospect, when: str) -> tuple[DeckPlan | None, str | None]:
    try:
        if recipe not in recipe_names(workspace.config.recipes):
            return None, f"no recipe '{recipe}' {when}"
        return workspace.plan(recipe, workspace.canonical(prospect)), None
    except DeckgenError as exc:
        return None, f"{when}: {_one_line(exc)}"


# -- the comparison --------------------------------------------------------------------------------

def _changes(workspace: Workspace, old: list[tuple[str, str | None]], plan: DeckPlan,
             fingerprints: dict[str, str | None], changed: str,
             then_plan: DeckPlan | None = None) -> Iterator[SlideChange]:
    """Compare the old slides (key, content fingerprint) with a new plan; say why each differs."""
    old_keys = [key for key, _ in old]
    old_fingerprint = dict(old)
    new_keys = plan.keys()
    skipped = {}
    for entry in plan.skipped:
        if entry.key is not None:
            skipped.setdefault(entry.key, entry)
    old_rules = {item.key: item for item in then_plan.items} if then_plan else {}
    for position, item in enumerate(plan.items, start=1):
        if item.key not in old_fingerprint:
            yield SlideChange(ADDED, item.key, position, item.section, item.rule)
        elif fingerprints.get(item.key) != old_fingerprint[item.key]:
            yield SlideChange(CHANGED, item.key, position, item.section, changed.format(module=item.module))
    for position, key in enumerate(old_keys, start=1):
        if key in new_keys:
            continue
        entry = skipped.get(key)
        before = old_rules.get(key)
        section = entry.section if entry else (before.section if before else None)
        if entry is not None:
            reason = f"section '{entry.section}': {entry.reason}"
        elif workspace.library.get(key) is None:
            broken = workspace.library.broken.get(key)
            reason = f"cannot be used any more: {broken}" if broken else "was removed from the library"
        else:
            reason = "no longer chosen" + (f" (was: {before.rule})" if before else "")
        yield SlideChange(REMOVED, key, position, section, reason)
    kept_old = [key for key in old_keys if key in new_keys]
    kept_new = [key for key in new_keys if key in old_fingerprint]
    if kept_old != kept_new:
        for position, key in enumerate(kept_new):
            if kept_old[position] != key:
                new_position = new_keys.index(key) + 1
                yield SlideChange(MOVED, key, new_position, plan.items[new_position - 1].section,
                                  f"order changed: now before '{kept_new[position + 1]}'"
                                  if position + 1 < len(kept_new) else "order changed")
                break


def _one_line(exc: DeckgenError) -> str:
    return "; ".join(str(problem) for problem in exc.all_problems())


# -- the project as committed at a revision ------------------------------------------------------

def _git(root: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=_GIT_TIMEOUT, check=False,
                          text=not binary)


@contextlib.contextmanager
def _project_at(config: ProjectConfig, revision: str) -> Iterator[tuple[ProjectConfig | None, set[str], str]]:
    """Yield the project's config as committed at ``revision``, materialised in a temporary folder
    (sidecars, recipes, map and config from git; module files unchanged since linked in place) with
    the stems of module files changed since, or (None, {}, why not) when the project is not in a
    git repository."""
    if shutil.which("git") is None:
        yield None, set(), "git is not installed, so folder prospects were not compared with a revision"
        return
    top = _git(config.root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        yield None, set(), (f"{display_path(config.root)} is not in a git repository, so folder prospects were "
                            f"not compared with a revision (decks of a build manifest still are)")
        return
    toplevel = Path(top.stdout.strip()).resolve()
    if _git(toplevel, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").returncode != 0:
        raise ConfigError(f"'{revision}' is not a git revision of {display_path(toplevel)}",
                          hint="compare with a commit, branch or tag (default HEAD)", code="bad-revision")
    with tempfile.TemporaryDirectory(prefix="deckgen-diff-") as temp:
        base = Path(temp)
        changed = _materialise(config, toplevel, revision, base)
        root = base / _relative(config.root, toplevel)
        if (root / "deckgen.yaml").is_file():
            then = load_config(root / "deckgen.yaml")
        else:
            then = ProjectConfig.defaults(root).with_folders(
                library=root / _relative(config.library, config.root),
                recipes=root / _relative(config.recipes, config.root))
        yield then, changed, ""


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root)
    except ValueError as exc:
        raise ConfigError(f"{display_path(path)} is outside the git repository {display_path(root)}",
                          hint="diff against a revision works for projects inside one repository") from exc


def _materialise(config: ProjectConfig, toplevel: Path, revision: str, base: Path) -> set[str]:
    """Write the revision's files of the project into ``base`` (same layout); return the stems of
    module files that differ from the working tree."""
    folders = [config.library, config.recipes]
    paths = [str(_relative(folder, toplevel)) for folder in folders]
    if config.brand.template is not None:       # the brand template decks are assembled onto
        paths.append(str(_relative(config.brand.template, toplevel)))
    listed = _git(toplevel, "ls-tree", "-r", "--name-only", revision, "--", *paths)
    files = [line for line in listed.stdout.splitlines() if line]
    # the config and the message map it names: the YAML files beside deckgen.yaml
    root = _relative(config.root, toplevel)
    beside = _git(toplevel, "ls-tree", "--name-only", f"{revision}:{root.as_posix()}" if str(root) != "." else revision)
    files += [(root / name).as_posix() for name in beside.stdout.splitlines()
              if name.endswith((".yaml", ".yml")) and not name.startswith(".")]
    differing = set(_git(toplevel, "diff", "--name-only", revision, "--", *paths).stdout.splitlines())
    changed: set[str] = set()
    library_prefix = _relative(config.library, toplevel).as_posix().rstrip("/") + "/"
    for rel in files:
        target = base / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        # library modules unchanged since the revision are used in place (the config refuses a
        # brand template outside the project, so that one is always written)
        if rel.lower().endswith(".pptx") and rel.startswith(library_prefix) and rel not in differing \
                and (toplevel / rel).is_file():
            os.symlink(toplevel / rel, target)
            continue
        blob = _git(toplevel, "cat-file", "blob", f"{revision}:{rel}", binary=True)
        target.write_bytes(blob.stdout)
        if rel.lower().endswith(".pptx"):
            changed.add(Path(rel).stem)
    for folder in folders:
        (base / _relative(folder, toplevel)).mkdir(parents=True, exist_ok=True)
    # prospects are compared as they are now on both sides (deckgen.yaml may name one of them)
    prospects = base / _relative(config.prospects, toplevel)
    if config.prospects.is_dir() and not prospects.exists():
        prospects.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(config.prospects, prospects, target_is_directory=True)
    return changed
