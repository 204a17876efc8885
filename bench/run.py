"""deckgen's benchmark (issue 4): generate synthetic libraries, time whole-process runs, compare, report.

    python bench/run.py [--quick] [--runs N] [--scale FILESxSLIDES] [--large N] [--json PATH]

Every case is a separate process, timed from spawn to exit (interpreter start and imports
included, as a user sees it); peak memory is that process's maximum resident set, read by the
small wrapper bench/timed.py with os.wait4.
Medians over the runs are reported, then ratios and the targets of issue 4 as PASS/MISS.
A scenario is a class with ``cases()`` (untimed set-up included); add one to ``SCENARIOS``.
"""
from __future__ import annotations

import argparse
import functools
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

import largedata
import synth
from baseline import available_method
from floor import plan_members

BENCH_DIR = Path(__file__).resolve().parent
DECKGEN = [sys.executable, "-m", "deckgen"]


class BenchError(Exception):
    """A case produced no usable output (the command failed or wrote something wrong)."""


# --- settings ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    files: int = 25
    slides: int = 20
    image_px: tuple[int, int] = (1600, 1000)
    large: int = 10
    deck_files: int = 20
    deck_per_file: int = 2
    runs: int = 5
    batch_decks: int = 500
    batch_deck_slides: int = 20
    batch_image_px: tuple[int, int] = (320, 200)
    batch_runs: int = 2
    map_prospects: int = 1000
    map_runs: int = 2
    table_rows: tuple[int, int] = (2000, 10000)
    chart_categories: tuple[int, int] = (4000, 20000)
    data_runs: int = 3
    jobs: int = os.cpu_count() or 1
    warm_up: bool = True        # the cached-build rows follow one untimed build
    cache_dir: Path = BENCH_DIR / ".cache"

    @property
    def library(self) -> synth.LibrarySpec:
        return synth.LibrarySpec(self.files, self.slides, self.image_px)

    @property
    def large_library(self) -> synth.LibrarySpec:
        return synth.LibrarySpec(self.files, self.slides, self.image_px, self.large)

    @property
    def batch_library(self) -> synth.LibrarySpec:
        return synth.LibrarySpec(self.files, self.slides, self.batch_image_px)

    @property
    def work_dir(self) -> Path:
        return self.cache_dir / "work"


# a smoke run: every case once, on tiny inputs; no warm-up build, and batches on one worker (starting a
# pool of two costs more than six small decks)
QUICK = dict(files=2, slides=3, image_px=(160, 100), runs=1, batch_decks=6, batch_runs=1,
             batch_image_px=(160, 100), map_prospects=6, map_runs=1, table_rows=(100, 500),
             chart_categories=(200, 1000), data_runs=1, warm_up=False, jobs=1)
# the large-data scenario's reference: the same slides with a few rows (the cost of everything else)
DATA_REFERENCE = 10


# --- cases, measurement ------------------------------------------------------------------------

@dataclass
class Case:
    """One command to time: a row of the report."""

    key: str                    # stable id, used by the ratios and in --json
    label: str                  # what the report shows
    argv: list[str]
    cwd: Path
    runs: int
    output: Path | None = None  # removed before every run
    requires: str | None = None  # the deckgen command this case needs
    prepare: Callable[[], None] | None = None  # untimed, before every run
    inspect: Callable[[], dict] | None = None  # untimed, after the first run: facts about the output
    env: dict[str, str] | None = None  # set for the command, on top of the bench's environment
    warm_up: bool = False       # run once, untimed, before the timed runs (fills deckgen's caches)


@dataclass
class Result:
    scenario: str
    key: str
    label: str
    status: str = "measured"    # measured | skipped | failed
    wall_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    reason: str = ""

    @property
    def median_s(self) -> float:
        return statistics.median(self.wall_s)

    @property
    def peak(self) -> float:
        return max(self.peak_mib)

    def as_json(self) -> dict:
        row = {"scenario": self.scenario, "key": self.key, "label": self.label, "status": self.status,
               "runs_s": self.wall_s, "cpu_runs_s": self.cpu_s, "peak_mib_runs": self.peak_mib,
               "facts": self.facts,
               "reason": self.reason}
        if self.status == "measured":
            row.update(median_s=self.median_s, min_s=min(self.wall_s),
                       median_cpu_s=statistics.median(self.cpu_s), peak_mib=self.peak)
        return row


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    cpu_s: float     # user + system, of the process and the workers it waited for
    peak_mib: float  # largest resident set of the process (or of one of its workers)


def measure(argv: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> Measurement:
    """Run ``argv`` as a fresh process and return its measurement, or raise BenchError."""
    done = subprocess.run([sys.executable, "-I", "-S", str(BENCH_DIR / "timed.py"), str(log), "--", *argv],
                          cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BenchError(f"could not run {argv[0]}: {last}")
    report = json.loads(done.stdout)
    if report["exit"] != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        raise BenchError(f"exit {report['exit']}: {' | '.join(tail)} (log: {log})")
    return Measurement(report["wall_s"], report["cpu_s"], report["peak_mib"])


def run_case(scenario: str, case: Case, commands: set[str], log_dir: Path) -> Result:
    result = Result(scenario, case.key, case.label)
    if case.requires and case.requires not in commands:
        result.status, result.reason = "skipped", f"`deckgen {case.requires}` does not exist yet"
        return result
    try:
        if case.warm_up:
            measure(case.argv, case.cwd, log_dir / f"{scenario}-{case.key}-warm-up.log", case.env)
        for run in range(case.runs):
            if case.output is not None:
                _remove(case.output)
            if case.prepare:
                case.prepare()
            measured = measure(case.argv, case.cwd, log_dir / f"{scenario}-{case.key}.log", case.env)
            result.wall_s.append(measured.wall_s)
            result.cpu_s.append(measured.cpu_s)
            result.peak_mib.append(measured.peak_mib)
            if run == 0 and case.inspect:
                result.facts = case.inspect()
    except BenchError as error:
        result.status, result.reason = "failed", str(error)
    return result


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


@functools.cache
def deckgen_commands() -> tuple[set[str], str]:
    """Return the deckgen subcommands that exist (and why none, if deckgen cannot be loaded)."""
    probe = subprocess.run(
        [sys.executable, "-c", "import click; from deckgen.cli import main; print(' '.join(main.list_commands(click.Context(main))))"],
        capture_output=True, text=True)
    if probe.returncode != 0:
        return set(), probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else "import failed"
    return set(probe.stdout.split()), ""


@functools.cache
def command_help(command: str) -> str:
    """Return `deckgen COMMAND --help` (empty when the command does not exist)."""
    done = subprocess.run(DECKGEN + [command, "--help"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else ""


# --- output inspection (what a user would notice) ------------------------------------------------

def slide_titles(path: Path) -> list[str]:
    from pptx import Presentation

    return [slide.shapes.title.text if slide.shapes.title is not None else ""
            for slide in Presentation(path).slides]


def deck_facts(path: Path, expected_titles: list[str]) -> dict:
    """Check the deck has the expected slides in order; return its slide count and size."""
    if not path.is_file():
        raise BenchError(f"{path}: no output written")
    titles = slide_titles(path)
    if len(titles) != len(expected_titles):
        raise BenchError(f"{path}: {len(titles)} slides, expected {len(expected_titles)}")
    wrong = [i + 1 for i, (got, want) in enumerate(zip(titles, expected_titles)) if not got.startswith(want)]
    if wrong:
        raise BenchError(f"{path}: slides {wrong[:5]} are not the requested ones")
    return {"slides": len(titles), "mib": round(path.stat().st_size / 2**20, 1)}


def template_facts(path: Path) -> dict:
    """Check a template-mode deck holds exactly the template's one master."""
    with zipfile.ZipFile(path) as archive:
        masters = [name for name in archive.namelist()
                   if name.startswith("ppt/slideMasters/") and name.endswith(".xml")]
    if len(masters) != 1:
        raise BenchError(f"{path}: {len(masters)} slide masters, expected the template's 1")
    return {"masters": len(masters)}


def personalised_facts(path: Path, company: str, slides: int) -> dict:
    """Check a built deck has ``slides`` slides and names ``company`` with no template left over."""
    from pptx import Presentation

    prs = Presentation(path)
    text = " ".join(shape.text_frame.text for slide in prs.slides for shape in slide.shapes
                    if shape.has_text_frame)
    if len(prs.slides) != slides:
        raise BenchError(f"{path}: {len(prs.slides)} slides, expected {slides}")
    if company not in text or "{{" in text:
        raise BenchError(f"{path}: not personalised for {company!r}")
    return {"slides": slides, "mib": round(path.stat().st_size / 2**20, 1)}


# --- scenarios ---------------------------------------------------------------------------------

@dataclass
class DeckSelection:
    """A deck drawn from across a library: ``refs`` are (module, 1-based slide) in deck order."""

    library: synth.Library
    refs: list[tuple[int, int]]

    @property
    def specs(self) -> list[str]:
        return [f"{self.library.module_path(module)}#{slide}" for module, slide in self.refs]

    @property
    def keys(self) -> list[str]:
        return [synth.slide_key(module, slide) for module, slide in self.refs]

    @property
    def title_prefixes(self) -> list[str]:
        return [f"Module {module:03d} · slide {slide:02d}" for module, slide in self.refs]


def spread_deck(settings: Settings, library: synth.Library, copies: int) -> DeckSelection:
    """Pick ``deck_per_file`` slides from each of ``deck_files`` modules spread over the library.

    With ``copies`` > 1 the i-th module is taken from copy ``i % copies`` of the same base module,
    so the deck holds the same slides (same pictures, same layout) from across the larger library.
    """
    files = min(settings.deck_files, settings.files)
    per_file = min(settings.deck_per_file, settings.slides)
    refs = []
    for i in range(files):
        base = i * settings.files // files
        module = base + settings.files * (i % copies)
        for j in range(per_file):
            refs.append((module, (i * 7 + j * settings.slides // per_file) % settings.slides + 1))
    return DeckSelection(library, refs)


class SingleDeck:
    """One 40-slide deck drawn from across a library: floor, baseline, deckgen merge and build."""

    def __init__(self, settings: Settings, name: str, copies: int, with_references: bool):
        self.settings, self.name, self.copies = settings, name, copies
        self.with_references = with_references  # the 1x run carries the floor re-deflate and baseline

    @property
    def title(self) -> str:
        s = self.settings
        files = s.files * self.copies
        return (f"{min(s.deck_files, s.files) * min(s.deck_per_file, s.slides)}-slide deck from a "
                f"library of {files} files x {s.slides} slides")

    def cases(self) -> list[Case]:
        s = self.settings
        spec = s.large_library if self.copies > 1 else s.library
        library = synth.ensure_library(spec, s.cache_dir)
        deck = spread_deck(s, library, self.copies)
        work = s.work_dir / self.name
        work.mkdir(parents=True, exist_ok=True)
        plan = work / "floor-plan.json"
        plan_data = plan_members(deck.specs)
        plan.write_text(json.dumps(plan_data))
        recipe = f"bench-{self.name}"
        synth.write_recipe(library, recipe, [{"name": "deck", "slides": deck.keys}],
                           "The benchmark's single deck, drawn from across the library")
        prospect = library.prospect_dir / "globex.yaml"
        synth.ensure_template(library)

        def floor_facts(path: Path) -> Callable[[], dict]:
            def inspect() -> dict:
                with zipfile.ZipFile(path) as archive:
                    if archive.testzip() is not None or len(archive.infolist()) != len(plan_data["members"]):
                        raise BenchError(f"{path}: floor output is not the planned members")
                return {"members": len(plan_data["members"]), "mib": round(path.stat().st_size / 2**20, 1)}
            return inspect

        floor_out = work / "floor.zip"
        cases = [Case("floor", "floor: copy members as stored", [sys.executable, str(BENCH_DIR / "floor.py"),
                      str(plan), "-o", str(floor_out), "--mode", "raw"], work, s.runs, floor_out,
                      inspect=floor_facts(floor_out))]
        if self.with_references:
            deflate_out = work / "floor-deflate.zip"
            cases.append(Case("floor_deflate", "floor: inflate + re-deflate (zipfile)",
                              [sys.executable, str(BENCH_DIR / "floor.py"), str(plan), "-o",
                               str(deflate_out), "--mode", "inflate"], work, s.runs, deflate_out,
                              inspect=floor_facts(deflate_out)))
            method = available_method("auto")
            baseline_out = work / "baseline.pptx"
            cases.append(Case("baseline", f"baseline: python-pptx + {'pptx-slide-copier' if method == 'copier' else 'deep-copy recipe'}",
                              [sys.executable, str(BENCH_DIR / "baseline.py"), "--method", method,
                               "-o", str(baseline_out), *deck.specs], work, s.runs, baseline_out,
                              inspect=lambda: deck_facts(baseline_out, deck.title_prefixes)))
        merge_out = work / "merge.pptx"
        cases.append(Case("merge", "deckgen merge", [*DECKGEN, "merge", "-o", str(merge_out), *deck.specs],
                          library.root, s.runs, merge_out, requires="merge",
                          inspect=lambda: deck_facts(merge_out, deck.title_prefixes)))
        build_out = work / "build.pptx"
        build_argv = [*DECKGEN, "build", recipe, "--prospect", str(prospect), "-o", str(build_out),
                      "--library", str(library.slide_dir), "--recipes", str(library.recipe_dir),
                      "--look", "source"]
        build_facts = lambda: {**deck_facts(build_out, deck.title_prefixes),  # noqa: E731
                               **personalised_facts(build_out, "Globex Corporation", len(deck.refs))}
        # the first build after the library changed reads every module (index) and hashes the
        # deck's slides; later builds take both from the index cache
        cases.append(Case("build_cold", "deckgen build, index cache off", build_argv, library.root,
                          s.runs, build_out, requires="build", inspect=build_facts,
                          env={"DECKGEN_NO_INDEX_CACHE": "1"}))
        cases.append(Case("build", "deckgen build", build_argv, library.root, s.runs, build_out,
                          requires="build", inspect=build_facts, warm_up=s.warm_up))
        nofit_out = work / "build-nofit.pptx"
        nofit_argv = list(build_argv)
        nofit_argv[nofit_argv.index(str(build_out))] = str(nofit_out)
        cases.append(Case("build_nofit", "deckgen build, text fit off", nofit_argv, library.root,
                          s.runs, nofit_out, requires="build", warm_up=s.warm_up,
                          inspect=lambda: {**deck_facts(nofit_out, deck.title_prefixes),
                                           **personalised_facts(nofit_out, "Globex Corporation", len(deck.refs))},
                          env={"DECKGEN_NO_TEXT_FIT": "1"}))
        template_out = work / "build-template.pptx"
        template_argv = [*build_argv[:-1], "template"]
        template_argv[template_argv.index(str(build_out))] = str(template_out)
        cases.append(Case("build_template", "deckgen build --look template", template_argv,
                          library.root, s.runs, template_out, requires="build",
                          inspect=lambda: {**personalised_facts(template_out, "Globex Corporation",
                                                                len(deck.refs)),
                                           **template_facts(template_out)},
                          warm_up=s.warm_up))
        return cases


def batch_deck_size(settings: Settings) -> int:
    """Return the slides per batch deck: ``batch_deck_slides`` unless the library is too small."""
    return min(settings.batch_deck_slides, settings.files * (settings.slides - 1) + 1)


def batch_recipe(settings: Settings, library: synth.Library) -> tuple[str, list[tuple[int, int]]]:
    """Write the personalised batch recipe; return its name and its fixed (module, slide) refs.

    The deck is ``batch_deck_slides - 1`` fixed slides spread over the library (module 0 among
    them) plus the case study of the prospect's industry: module ``i % files`` for prospect i.
    """
    wanted = batch_deck_size(settings) - 1
    fixed = [(i * settings.files // wanted, 2 + i % (settings.slides - 1)) for i in range(wanted)]
    name = "bench-batch"
    synth.write_recipe(library, name, [
        {"name": "story", "slides": [synth.slide_key(m, s) for m, s in fixed]},
        {"name": "proof", "select": {"kind": "case-study", "industry": "$industry"}, "limit": 1,
         "required": True},
    ], "The benchmark's personalised deck: fixed story plus the prospect's industry case study")
    return name, fixed


def batch_argv(settings: Settings, library: synth.Library, recipe: str, prospects: Path, out: Path) -> list[str]:
    """Return the batch command; it runs in the library's root, whose deckgen.yaml names the folders."""
    argv = [*DECKGEN, "batch", recipe, "--prospects", str(prospects), "-o", str(out)]
    return argv + _optional_options("batch", settings, library)


def _optional_options(command: str, settings: Settings, library: synth.Library) -> list[str]:
    """Return the --library/--recipes/--jobs options that ``deckgen COMMAND`` accepts."""
    usage = command_help(command)
    options = []
    if "--library" in usage:
        options += ["--library", str(library.slide_dir), "--recipes", str(library.recipe_dir)]
    if "--jobs" in usage:
        options += ["--jobs", str(settings.jobs)]
    return options


def pptx_outputs(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Return (inode, mtime_ns, size) of every .pptx under ``folder``: a rewrite changes them."""
    found = {}
    for path in sorted(folder.rglob("*.pptx")):
        stat = path.stat()
        found[str(path.relative_to(folder))] = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    return found


class Batch:
    """A campaign: ``batch_decks`` personalised decks from one recipe and a CSV of prospects."""

    name = "batch"

    def __init__(self, settings: Settings):
        self.settings = settings

    @property
    def title(self) -> str:
        s = self.settings
        return (f"batch of {s.batch_decks} personalised {batch_deck_size(s)}-slide decks "
                f"(pictures {s.batch_image_px[0]}x{s.batch_image_px[1]})")

    def cases(self) -> list[Case]:
        s = self.settings
        library = synth.ensure_library(s.batch_library, s.cache_dir)
        recipe, fixed = batch_recipe(s, library)
        prospects = synth.write_prospects_csv(library, f"batch-{s.batch_decks}", s.batch_decks)
        work = s.work_dir / self.name
        work.mkdir(parents=True, exist_ok=True)
        out = work / "decks"

        def inspect() -> dict:
            decks = sorted(out.rglob("*.pptx"))
            if len(decks) != s.batch_decks:
                raise BenchError(f"{out}: {len(decks)} decks, expected {s.batch_decks}")
            return {"decks": len(decks), **_first_deck_facts(decks, len(fixed) + 1)}

        return [Case("batch", f"deckgen batch ({s.batch_decks} decks)",
                     batch_argv(s, library, recipe, prospects, out), library.root, s.batch_runs, out,
                     requires="batch", inspect=inspect)]


def _first_deck_facts(decks: list[Path], slides: int) -> dict:
    """Check one deck of a batch: slide count, and a prospect's company named on its slides."""
    from pptx import Presentation

    prs = Presentation(decks[0])
    text = " ".join(shape.text_frame.text for slide in prs.slides for shape in slide.shapes
                    if shape.has_text_frame)
    if len(prs.slides) != slides:
        raise BenchError(f"{decks[0]}: {len(prs.slides)} slides, expected {slides}")
    if "Prospect " not in text or "{{" in text:
        raise BenchError(f"{decks[0]}: not personalised")
    return {"slides_per_deck": slides, "mib_per_deck": round(decks[0].stat().st_size / 2**20, 2)}


class Rebuild:
    """`deckgen rebuild` of a batch's output after one library slide changed (K of N decks use it)."""

    name = "rebuild"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.revision = 0
        self.before: dict = {}

    @property
    def affected(self) -> int:
        s = self.settings
        return math.ceil(s.batch_decks / s.files)  # prospects of industry 0 (see write_prospects_csv)

    @property
    def title(self) -> str:
        return (f"rebuild of {self.settings.batch_decks} decks after one slide changed "
                f"({self.affected} decks use it)")

    def cases(self) -> list[Case]:
        s = self.settings
        source = synth.ensure_library(s.batch_library, s.cache_dir)
        recipe, _ = batch_recipe(s, source)
        synth.write_prospects_csv(source, f"batch-{s.batch_decks}", s.batch_decks)
        work = s.work_dir / self.name
        if work.exists():
            shutil.rmtree(work)
        # A private library, since module 0 gets edited: module files are hard links (an edit
        # replaces the file, leaving the cached one as generated), the small files are copies.
        library = synth.Library(source.spec, work / "library")
        shutil.copytree(source.root, library.root, copy_function=_link_module_files)
        prospects = library.prospect_dir / f"batch-{s.batch_decks}.csv"
        self.out = work / "decks"
        self.module = library.module_path(0)
        self.ready = False
        self.setup_argv = batch_argv(s, library, recipe, prospects, self.out)
        rebuild = [*DECKGEN, "rebuild", str(self.out), *_optional_options("rebuild", s, library)]
        return [
            Case("rebuild_noop", "deckgen rebuild, nothing changed", rebuild, library.root, s.batch_runs,
                 requires="rebuild", prepare=self._snapshot, inspect=self._rewritten),
            Case("rebuild_one", f"deckgen rebuild, 1 slide changed ({self.affected} decks)", rebuild,
                 library.root, s.batch_runs, requires="rebuild", prepare=self._change_one_slide,
                 inspect=self._rewritten),
        ]

    def _snapshot(self) -> None:
        if not self.ready:  # the batch to rebuild, once, untimed
            if not {"batch", "rebuild"} <= deckgen_commands()[0]:
                raise BenchError("`deckgen batch` is needed to set up the rebuild")
            measure(self.setup_argv, self.module.parent.parent, self.out.parent / "setup-batch.log")
            self.ready = True
        self.before = pptx_outputs(self.out)

    def _change_one_slide(self) -> None:
        self._snapshot()
        old = f"Module 000 · slide 01{self._revision_mark()}:".encode()
        self.revision += 1
        new = f"Module 000 · slide 01{self._revision_mark()}:".encode()
        if synth.patch_module(self.module, self.module, {old: new}) != 1:
            raise BenchError(f"{self.module}: could not change the title of slide 1")

    def _revision_mark(self) -> str:
        return f" (rev {self.revision})" if self.revision else ""

    def _rewritten(self) -> dict:
        after = pptx_outputs(self.out)
        if len(after) != self.settings.batch_decks:
            raise BenchError(f"{self.out}: {len(after)} decks after rebuild, expected {self.settings.batch_decks}")
        return {"rewritten": sum(after[name] != self.before.get(name) for name in after)}


def _link_module_files(source: str, target: str) -> None:
    if source.endswith(".pptx"):
        os.link(source, target)
    else:
        shutil.copy2(source, target)


class MessageMapChecks:
    """`deckgen check` without and with a message map, and `deckgen diff`, on the large library
    (FILES x LARGE modules) with a prospects folder of ``map_prospects`` CRM rows (issue 10)."""

    name = "message-map"

    def __init__(self, settings: Settings):
        self.settings = settings

    @property
    def title(self) -> str:
        s = self.settings
        return (f"check and diff on a library of {s.files * s.large} files x {s.slides} slides, "
                f"{s.map_prospects} prospects (pictures {s.batch_image_px[0]}x{s.batch_image_px[1]})")

    def cases(self) -> list[Case]:
        s = self.settings
        source = synth.ensure_library(synth.LibrarySpec(s.files, s.slides, s.batch_image_px, s.large), s.cache_dir)
        work = s.work_dir / self.name
        if work.exists():
            shutil.rmtree(work)
        projects = {}
        for variant in ("no-map", "map"):
            library = synth.Library(source.spec, work / variant)
            shutil.copytree(source.root, library.root, copy_function=_link_module_files)
            synth.write_prospects_csv(library, "accounts", s.map_prospects)
            synth.write_recipe(library, "pitch", [
                {"name": "proof", "select": {"kind": "proof", "segment": "$segment"}, "limit": 3},
                {"name": "story", "select": {"kind": "case-study", "industry": "$industry"}, "limit": 1},
                {"name": "features", "select": {"kind": "feature", "segment": "$segment"}, "limit": 2},
            ], "A pitch selecting by segment and industry")
            projects[variant] = library
        mapped = projects["map"]
        self._commit_map_project(mapped)
        for library in projects.values():     # the same edit in both: a module that sorts first
            self._add_module(library)
        check = [*DECKGEN, "check", "--format", "json"]
        diff = [*DECKGEN, "diff", "-r", "pitch", "--format", "json"]

        def report(key: str) -> dict:
            # the JSON the timed run printed (run_case logs each case's output there)
            text = (s.work_dir / f"{self.name}-{key}.log").read_text()
            return json.JSONDecoder().raw_decode(text[text.index("{"):])[0]

        def check_facts(key: str) -> Callable[[], dict]:
            def inspect() -> dict:
                summary = report(key)["summary"]
                return {"slides": summary["slides"], "errors": summary["errors"], "warnings": summary["warnings"]}
            return inspect

        def diff_facts() -> dict:
            summary = report("diff")["summary"]
            if summary["decks"] != s.map_prospects + 1 or not summary["changed"]:
                raise BenchError(f"deckgen diff compared {summary['decks']} decks, {summary['changed']} changed")
            return {"decks": summary["decks"], "changed": summary["changed"]}

        # check exits 1 when it finds errors; the synthetic library has none, so exit 0 is checked too
        return [
            Case("check_nomap", "deckgen check, no message map", check, projects["no-map"].root, s.map_runs,
                 requires="check", inspect=check_facts("check_nomap")),
            Case("check_map", "deckgen check, message map enforced", check, mapped.root, s.map_runs,
                 requires="check", inspect=check_facts("check_map")),
            Case("diff", f"deckgen diff ({s.map_prospects} prospects vs git HEAD)", diff, mapped.root, s.map_runs,
                 requires="diff", inspect=diff_facts),
        ]

    def _commit_map_project(self, library: synth.Library) -> None:
        """Write the map with `deckgen map init` and commit the project (what `deckgen diff` compares with)."""
        root = library.root
        done = subprocess.run([*DECKGEN, "map", "init"], cwd=root, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"deckgen map init failed: {done.stderr.strip()}")
        with (root / "deckgen.yaml").open("a") as config:
            config.write("message_map: message_map.yaml\n")
        git = ["git", "-c", "user.email=bench@deckgen.example", "-c", "user.name=bench"]
        for argv in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "library"]):
            subprocess.run([*git, *argv], cwd=root, check=True, capture_output=True)

    def _add_module(self, library: synth.Library) -> None:
        """Add a module that sorts first with one prioritised proof point: the edit `deckgen diff` reports."""
        _link_module_files(str(library.module_path(0)), str(library.slide_dir / "a-new.pptx"))
        sidecar = yaml.safe_load(library.module_path(0).with_suffix(".yaml").read_text())
        first = sidecar["slides"][1]
        first.update(key="new-proof-point", priority=1, tags={"kind": "proof", "segment": ["enterprise"]})
        sidecar["slides"] = [first]
        (library.slide_dir / "a-new.yaml").write_text(yaml.safe_dump(sidecar, sort_keys=False))


class LargeData:
    """A table filled with thousands of rows and a chart with thousands of categories (issue 15):
    each at two sizes and at a reference size of a few, so the cost per row can be compared."""

    name = "large-data"

    def __init__(self, settings: Settings):
        self.settings = settings

    @property
    def title(self) -> str:
        s = self.settings
        return (f"one slide filled from data: a table of {DATA_REFERENCE} / {s.table_rows[0]:,} / "
                f"{s.table_rows[1]:,} rows, a chart of {DATA_REFERENCE} / {s.chart_categories[0]:,} / "
                f"{s.chart_categories[1]:,} categories")

    def cases(self) -> list[Case]:
        s = self.settings
        rows, categories = [DATA_REFERENCE, *s.table_rows], [DATA_REFERENCE, *s.chart_categories]
        project = largedata.ensure_project(s.cache_dir, rows, categories)
        work = s.work_dir / self.name
        work.mkdir(parents=True, exist_ok=True)
        cases = []
        for count in rows:
            out = work / f"table-{count}.pptx"
            cases.append(Case(f"table_{count}", f"deckgen build, table of {count:,} rows",
                              [*DECKGEN, "build", largedata.TABLE_RECIPE, "-p",
                               str(project.table_prospect(count)), "-o", str(out)],
                              project.root, s.data_runs, out, requires="build",
                              inspect=self._table_facts(out, count)))
        for count in categories:
            out = work / f"chart-{count}.pptx"
            cases.append(Case(f"chart_{count}", f"deckgen build, chart of {count:,} categories",
                              [*DECKGEN, "build", largedata.CHART_RECIPE, "-p",
                               str(project.chart_prospect(count)), "-o", str(out)],
                              project.root, s.data_runs, out, requires="build",
                              inspect=self._chart_facts(out, count)))
        return cases

    @staticmethod
    def _table_facts(out: Path, count: int) -> Callable[[], dict]:
        def inspect() -> dict:
            found = largedata.table_rows(out)
            if found != count + 1:
                raise BenchError(f"{out}: table has {found} rows, expected {count} and the header")
            return {"rows": count}
        return inspect

    @staticmethod
    def _chart_facts(out: Path, count: int) -> Callable[[], dict]:
        def inspect() -> dict:
            found = largedata.chart_points(out)
            if found != (count, count):
                raise BenchError(f"{out}: chart has {found[0]} categories and {found[1]} values, "
                                 f"expected {count}")
            return {"categories": count}
        return inspect


def per_item_growth(reference: Result, small: Result, large: Result, small_n: int, large_n: int) -> float:
    """CPU time per item beyond the reference run, at the large size over the small one: about 1
    when filling is linear, about large_n / small_n when it is quadratic."""
    base = statistics.median(reference.cpu_s)
    per_small = (statistics.median(small.cpu_s) - base) / (small_n - DATA_REFERENCE)
    per_large = (statistics.median(large.cpu_s) - base) / (large_n - DATA_REFERENCE)
    return per_large / per_small if per_small > 0 else math.inf


def scenarios(settings: Settings) -> list:
    """Return the scenarios in report order (add new ones here)."""
    return [
        SingleDeck(settings, "deck-1x", copies=1, with_references=True),
        SingleDeck(settings, f"deck-{settings.large}x", copies=settings.large, with_references=False),
        Batch(settings),
        Rebuild(settings),
        MessageMapChecks(settings),
        LargeData(settings),
    ]


# --- ratios and targets ------------------------------------------------------------------------

@dataclass
class Target:
    name: str
    status: str  # PASS | MISS | n/a
    detail: str


def evaluate(results: list[Result], settings: Settings) -> tuple[list[tuple[str, float]], list[Target]]:
    """Return the ratios to print and the PASS/MISS verdict on each target of issue 4."""
    measured = {(r.scenario, r.key): r for r in results if r.status == "measured"}
    large = f"deck-{settings.large}x"
    ratios: list[tuple[str, float]] = []
    targets: list[Target] = []

    def check(name: str, needed: list[Result | None], passed: Callable[[], bool], detail: Callable[[], str]):
        if any(r is None for r in needed):
            targets.append(Target(name, "n/a", "not measured"))
        else:
            targets.append(Target(name, "PASS" if passed() else "MISS", detail()))

    floor = measured.get(("deck-1x", "floor"))
    deflate = measured.get(("deck-1x", "floor_deflate"))
    baseline = measured.get(("deck-1x", "baseline"))
    if floor and deflate:
        ratios.append(("floor re-deflate / floor (cost of re-compressing members)",
                       deflate.median_s / floor.median_s))
    if floor and baseline:
        ratios.append(("baseline / floor", baseline.median_s / floor.median_s))
    for command in ("merge", "build", "build_cold"):
        one = measured.get(("deck-1x", command))
        ten = measured.get((large, command))
        if command == "build_cold":   # reported, not a target: the targets are for everyday builds
            if one and floor:
                ratios.append(("deckgen build, index cache off / floor", one.median_s / floor.median_s))
            if one and ten:
                ratios.append((f"deckgen build, index cache off: {settings.large}x library / 1x library, wall",
                               ten.median_s / one.median_s))
            continue
        if one and floor:
            ratios.append((f"deckgen {command} / floor", one.median_s / floor.median_s))
        if one and baseline:
            ratios.append((f"baseline / deckgen {command}", baseline.median_s / one.median_s))
        if one and ten:
            ratios.append((f"deckgen {command}: {settings.large}x library / 1x library, wall",
                           ten.median_s / one.median_s))
            ratios.append((f"deckgen {command}: {settings.large}x library / 1x library, peak memory",
                           ten.peak / one.peak))
        check(f"{command}: wall <= 2x floor", [one, floor],
              lambda: one.median_s <= 2 * floor.median_s,
              lambda: f"{one.median_s / floor.median_s:.2f}x")
        check(f"{command}: >= 7x faster than baseline", [one, baseline],
              lambda: baseline.median_s >= 7 * one.median_s,
              lambda: f"{baseline.median_s / one.median_s:.2f}x")
        check(f"{command}: peak memory <= 80 MiB", [one], lambda: one.peak <= 80,
              lambda: f"{one.peak:.1f} MiB")
        check(f"{command}: {settings.large}x library peak memory within 10%", [one, ten],
              lambda: abs(ten.peak / one.peak - 1) <= 0.10,
              lambda: f"{one.peak:.1f} -> {ten.peak:.1f} MiB")
        check(f"{command}: {settings.large}x library wall within 10% (cost follows the deck)", [one, ten],
              lambda: ten.median_s <= 1.10 * one.median_s,
              lambda: f"{one.median_s:.3f} -> {ten.median_s:.3f} s")

    source, template = measured.get(("deck-1x", "build")), measured.get(("deck-1x", "build_template"))
    if source and template:
        ratios.append(("deckgen build --look template / --look source", template.median_s / source.median_s))
    check("build --look template: <= 1.5x --look source (issue 13)", [source, template],
          lambda: template.median_s <= 1.5 * source.median_s,
          lambda: f"{template.median_s / source.median_s:.2f}x")

    nofit = measured.get(("deck-1x", "build_nofit"))
    if source and nofit:
        ratios.append(("deckgen build / build with text fit off", source.median_s / nofit.median_s))
    check("build: text fit costs at most 10% (issue 9)", [source, nofit],
          lambda: source.median_s <= 1.10 * nofit.median_s,
          lambda: f"{source.median_s / nofit.median_s:.2f}x")

    batch = measured.get(("batch", "batch"))
    if batch:
        ratios.append(("deckgen batch, decks per second", settings.batch_decks / batch.median_s))
    check("batch: >= 20 decks per second", [batch],
          lambda: settings.batch_decks / batch.median_s >= 20,
          lambda: f"{settings.batch_decks / batch.median_s:.1f} decks/s")

    noop = measured.get(("rebuild", "rebuild_noop"))
    one_change = measured.get(("rebuild", "rebuild_one"))
    affected = math.ceil(settings.batch_decks / settings.files)
    share = affected / settings.batch_decks
    if one_change and batch:
        ratios.append((f"rebuild after 1 change / full batch (affected share {share:.3f})",
                       one_change.median_s / batch.median_s))
    check(f"rebuild: rewrites only the {affected} affected decks", [one_change],
          lambda: one_change.facts.get("rewritten") == affected,
          lambda: f"{one_change.facts.get('rewritten')} decks rewritten")
    # Proportional: the no-change rebuild's fixed cost, plus the affected share of a full batch
    # (with 2x slack).
    check("rebuild: time proportional to the affected decks", [one_change, noop, batch],
          lambda: one_change.median_s <= noop.median_s + 2 * share * batch.median_s,
          lambda: (f"{one_change.median_s:.2f} s vs no-change {noop.median_s:.2f} s "
                   f"+ 2 x {share:.3f} x batch {batch.median_s:.2f} s"))
    no_map = measured.get(("message-map", "check_nomap"))
    with_map = measured.get(("message-map", "check_map"))
    if no_map and with_map:
        ratios.append(("deckgen check, message map enforced / no map", with_map.median_s / no_map.median_s))
    check("check: the message map makes it at most 2x slower", [no_map, with_map],
          lambda: with_map.median_s <= 2 * no_map.median_s,
          lambda: f"{no_map.median_s:.2f} -> {with_map.median_s:.2f} s")
    for kind, unit, units, sizes in (("table", "row", "rows", settings.table_rows),
                                     ("chart", "category", "categories", settings.chart_categories)):
        reference = measured.get(("large-data", f"{kind}_{DATA_REFERENCE}"))
        small, large = (measured.get(("large-data", f"{kind}_{n}")) for n in sizes)
        name = f"{kind}: filling is linear, CPU per {unit} at {sizes[1]:,} within 1.5x of {sizes[0]:,} (issue 15)"
        if not (reference and small and large):
            targets.append(Target(name, "n/a", "not measured"))
            continue
        ratios.append((f"{kind}: {sizes[1]:,} / {sizes[0]:,} {units}, wall", large.median_s / small.median_s))
        growth = per_item_growth(reference, small, large, *sizes)
        ratios.append((f"{kind}: CPU per {unit} at {sizes[1]:,} / at {sizes[0]:,} (1 = linear)", growth))
        if math.isfinite(growth):
            targets.append(Target(name, "PASS" if growth <= 1.5 else "MISS", f"{growth:.2f}x"))
        else:   # too few rows to time (--quick): the smaller size cost no more than the reference
            targets.append(Target(name, "n/a", f"{sizes[0]:,} {units} took no longer than {DATA_REFERENCE}"))
    return ratios, targets


# --- report ------------------------------------------------------------------------------------

ROW = "  {:<44} {:>9} {:>9} {:>9} {:>9}  {}"
PROFILE_SHARE = 0.05
STDLIB = sysconfig.get_paths()["stdlib"]


def format_row(result: Result) -> str:
    if result.status != "measured":
        return ROW.format(result.label, "-", "-", "-", "-", f"{result.status}: {result.reason}")
    facts = ", ".join(f"{k} {v}" for k, v in result.facts.items())
    return ROW.format(result.label, f"{result.median_s:.3f}", f"{min(result.wall_s):.3f}",
                      f"{statistics.median(result.cpu_s):.3f}", f"{result.peak:.1f}", facts)


def summarise_profile(session_path: Path, share: float = PROFILE_SHARE) -> list[str]:
    """Return the call tree of a pyinstrument session, keeping frames that take ``share`` of the run.

    Frames of the interpreter's import and module-running machinery and of click are skipped
    (their children are kept), so the tree shows deckgen's own calls and the imports it pays for.
    """
    from pyinstrument.session import Session

    root = Session.load(str(session_path)).root_frame()
    lines: list[str] = []

    def visit(frame, depth: int) -> None:
        if frame.time < share * root.time:
            return
        where = frame.file_path or ""
        skipped = where.startswith("<frozen") or "/click/" in where or "pyinstrument" in where \
            or frame.function == "<module>" and where == "<string>"
        if not skipped:
            shown = where.replace(f"{BENCH_DIR.parent}/", "").replace(f"{STDLIB}/", "")
            shown = shown.split("site-packages/")[-1]
            lines.append(f"{'  ' * depth}{frame.time:.3f} {frame.function}  {shown}:{frame.line_no}")
        for child in frame.children:
            visit(child, depth if skipped else depth + 1)

    visit(root, 0)
    return lines


def profile(case: Case, out_dir: Path) -> Path:
    """Run a deckgen case once under pyinstrument; return the saved session's path."""
    session = out_dir / f"profile-{case.key}.pyisession"
    if case.output is not None:
        _remove(case.output)
    argv = [sys.executable, "-m", "pyinstrument", "-r", "pyisession", "-o", str(session),
            "-m", "deckgen", *case.argv[len(DECKGEN):]]
    measure(argv, case.cwd, out_dir / f"profile-{case.key}.log")
    return session


def parse_pair(text: str) -> tuple[int, int]:
    first, _, second = text.lower().partition("x")
    try:
        return int(first), int(second)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected AxB, e.g. 25x20") from None


def settings_from(args: argparse.Namespace) -> Settings:
    values = dict(QUICK) if args.quick else {}
    if args.scale:
        values["files"], values["slides"] = args.scale
    if args.image:
        values["image_px"] = args.image
    if args.deck:
        values["deck_files"], values["deck_per_file"] = args.deck
    for name in ("large", "runs", "batch_decks", "batch_runs", "map_prospects", "map_runs", "data_runs", "jobs",
                 "cache_dir"):
        if getattr(args, name) is not None:
            values[name] = getattr(args, name)
    return Settings(**values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2 files x 3 slides, small pictures, 1 run and no warm-up, 6-deck batch on 1 worker")
    parser.add_argument("--runs", type=int, help="timed runs per single-deck case (default 5)")
    parser.add_argument("--scale", type=parse_pair, metavar="FILESxSLIDES",
                        help="the library: module files x slides per file (default 25x20)")
    parser.add_argument("--large", type=int, metavar="N", help="the larger library has N times the files (default 10)")
    parser.add_argument("--image", type=parse_pair, metavar="WxH", help="picture size in pixels (default 1600x1000)")
    parser.add_argument("--deck", type=parse_pair, metavar="FILESxSLIDES",
                        help="the single deck: slides from FILES modules, SLIDES each (default 20x2)")
    parser.add_argument("--batch-decks", type=int, metavar="N", help="decks in the batch (default 500)")
    parser.add_argument("--batch-runs", type=int, metavar="N", help="timed runs of batch and rebuild (default 2)")
    parser.add_argument("--map-prospects", type=int, metavar="N",
                        help="CRM rows in the prospects folder of the message-map scenario (default 1000)")
    parser.add_argument("--map-runs", type=int, metavar="N", help="timed runs of check and diff (default 2)")
    parser.add_argument("--data-runs", type=int, metavar="N",
                        help="timed runs of each large-data case (default 3)")
    parser.add_argument("--jobs", type=int, help="--jobs for deckgen batch (default: CPU count)")
    parser.add_argument("--only", nargs="+", metavar="SCENARIO", help="run only these scenarios")
    parser.add_argument("--cache-dir", type=Path, help="where libraries and outputs go (default bench/.cache)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--profile", action="store_true",
                        help="afterwards, profile deckgen merge and build once each with pyinstrument")
    args = parser.parse_args(argv)
    settings = settings_from(args)
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    # deckgen's caches of this run only: its first build of a library starts cold, as a user's does
    cache_dir = settings.work_dir / "deckgen-cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    os.environ["DECKGEN_CACHE_DIR"] = str(cache_dir)
    commands, why = deckgen_commands()
    print(f"deckgen benchmark: library {settings.files} files x {settings.slides} slides, pictures "
          f"{settings.image_px[0]}x{settings.image_px[1]}, larger library x{settings.large}; "
          f"{settings.runs} runs per deck case, {settings.batch_runs} per batch case; medians")
    print(f"deckgen commands found: {', '.join(sorted(commands)) or 'none (' + why + ')'}")
    load = os.getloadavg()[0]
    print(f"load average before the run: {load:.2f} on {os.cpu_count()} CPUs "
          "(other work on the machine stretches wall times; CPU time is steadier)")
    print(ROW.format("case", "median s", "min s", "cpu s", "peak MiB", "output"))

    results: list[Result] = []
    profiled: list[Case] = []
    for scenario in scenarios(settings):
        if args.only and scenario.name not in args.only:
            continue
        print(f"{scenario.name}: {scenario.title}", flush=True)
        try:
            cases = scenario.cases()
        except BenchError as error:
            results.append(Result(scenario.name, "setup", "set-up", "failed", reason=str(error)))
            print(format_row(results[-1]), flush=True)
            continue
        for case in cases:
            results.append(run_case(scenario.name, case, commands, settings.work_dir))
            print(format_row(results[-1]), flush=True)
            if scenario.name == "deck-1x" and results[-1].status == "measured" and case.requires:
                profiled.append(case)

    ratios, targets = evaluate(results, settings)
    print("ratios (of medians)")
    for name, value in ratios:
        print(f"  {name:<70} {value:>8.3f}")
    print("targets (issue 4)")
    for target in targets:
        print(f"  {target.status:<5} {target.name:<66} {target.detail}")

    if args.profile:
        for case in profiled:
            session = profile(case, settings.work_dir)
            report = session.with_suffix(".txt")
            report.write_text("\n".join(summarise_profile(session, share=0.005)) + "\n")
            print(f"profile of {case.label} (more detail: {report}; open the session with "
                  f"`pyinstrument --load {session}`), calls taking >= {PROFILE_SHARE:.0%} of the run:")
            print("\n".join(f"  {line}" for line in summarise_profile(session)))
    if args.json:
        args.json.write_text(json.dumps({
            "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(settings).items()},
            "load_average": load,
            "results": [r.as_json() for r in results],
            "ratios": [{"name": n, "value": v} for n, v in ratios],
            "targets": [vars(t) for t in targets],
        }, indent=2))
    return 1 if any(r.status == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
