"""Where deck builds run: in this process, a local process pool, or a Dask distributed cluster.

Every executor runs the same picklable work, ``build_job(spec, job)``, and yields one
``DeckOutcome`` per deck as builds finish. A worker builds its ``Workspace`` once per run (library
index, recipes, opened module decks) and reuses it for every deck it gets.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import ctypes.util
import datetime
import logging
import multiprocessing
import os
import signal
import sys
import threading
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Protocol, Sequence

from deckgen.pipeline.deck import build_deck
from deckgen.pipeline.workspace import Workspace
from deckgen.pipeline.workspace import log as workspace_log
from deckgen.config import ProjectConfig, load_config
from deckgen.errors import ConfigError, DeckgenError
from deckgen.problems import ERROR, NOWHERE, Problem
from deckgen.prospect import Prospect

EXECUTORS = ("local", "dask")
DASK_EXTRA_HINT = "install it with: pip install 'deckgen[dask]'"


@dataclass(frozen=True)
class WorkspaceSpec:
    """How a worker opens the project: absolute paths (the same on every machine) and the date."""

    config_file: str | None
    root: str
    library: str
    recipes: str
    today: str                  # ISO date: every worker plans with the same "today"
    run: str = field(default_factory=lambda: uuid.uuid4().hex)   # a new run gets a fresh workspace

    @classmethod
    def of(cls, workspace: Workspace) -> WorkspaceSpec:
        """Return the spec that reopens ``workspace``'s project in another process."""
        config = workspace.config
        return cls(config_file=str(config.file) if config.file else None, root=str(config.root),
                   library=str(Path(config.library).resolve()), recipes=str(Path(config.recipes).resolve()),
                   today=workspace.today.isoformat())

    def open(self) -> Workspace:
        """Return a new Workspace for this spec."""
        base = load_config(self.config_file) if self.config_file else ProjectConfig.defaults(self.root)
        config = base.with_folders(library=self.library, recipes=self.recipes)
        return Workspace(config, today=datetime.date.fromisoformat(self.today))


@dataclass(frozen=True)
class DeckJob:
    """One deck to build: where it goes and what it is built from (picklable)."""

    name: str                   # the deck's name in the manifest (path relative to the folder)
    output: str                 # absolute output path
    recipe: str                 # recipe file (absolute path)
    prospect: Prospect
    label: str                  # how messages name this deck's source ("accounts.csv:7")
    pdf: bool = False
    allow_drafts: bool = False
    notes: str | None = None    # None: the project's output.notes
    hidden: str | None = None
    strict: bool = False        # text overflowing its box fails the deck


@dataclass(frozen=True)
class DeckOutcome:
    """The result of one job: the build record, or the problems that made it fail."""

    name: str
    record: dict | None = None
    problems: tuple[Problem, ...] = ()
    detail: str | None = None   # traceback of an unexpected error (a bug), shown with -v
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def failure_problems(exc: BaseException) -> tuple[Problem, ...]:
    """The problems of a failed build: a DeckgenError's own, or one 'internal error' for a bug."""
    if isinstance(exc, DeckgenError):
        return tuple(exc.all_problems())
    return (Problem(ERROR, NOWHERE, f"internal error ({type(exc).__name__}: {exc})"),)


def error_line(problems: Iterable[Problem]) -> str:
    """Return a failure's problems as one line, separated by '; '."""
    return "; ".join(" ".join(str(problem).split()) for problem in problems)


def _worker_problem(message: str) -> tuple[Problem, ...]:
    return (Problem(ERROR, NOWHERE, message),)


# -- the work every executor runs --------------------------------------------------------------

_local = threading.local()      # one workspace per worker thread (Dask may run several threads)


def use_workspace(spec: WorkspaceSpec, workspace: Workspace) -> None:
    """Make this thread's builds for ``spec`` use ``workspace`` (the in-process executor shares it)."""
    _local.spec, _local.workspace = spec, workspace


class _NoLibraryWarnings(logging.Filter):
    """Keeps a worker from logging library problems again: the run's parent reported them once."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.WARNING


def _workspace(spec: WorkspaceSpec) -> Workspace:
    if getattr(_local, "spec", None) != spec:
        _local.workspace = None      # drop the old run's workspace before loading the new one
        workspace = spec.open()
        quiet = _NoLibraryWarnings()
        workspace_log.addFilter(quiet)
        try:
            workspace.library.slides    # load the index now, while its warnings are filtered
        finally:
            workspace_log.removeFilter(quiet)
        _local.workspace, _local.spec = workspace, spec
    return _local.workspace


def build_job(spec: WorkspaceSpec, job: DeckJob) -> DeckOutcome:
    """Build one deck in this worker and return its outcome; never raises for a failed deck."""
    try:
        workspace = _workspace(spec)
        result = build_deck(workspace, job.recipe, job.prospect, job.output, pdf=job.pdf,
                            allow_drafts=job.allow_drafts, notes=job.notes, hidden=job.hidden,
                            strict=job.strict)
    except DeckgenError as exc:
        return DeckOutcome(job.name, problems=failure_problems(exc))
    except Exception as exc:   # a bug must fail its deck only, keeping the traceback for -v
        return DeckOutcome(job.name, problems=failure_problems(exc), detail=traceback.format_exc())
    return DeckOutcome(job.name, record=result.record, warnings=tuple(result.warnings))


_PR_SET_PDEATHSIG = 1     # <linux/prctl.h>


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` dies (Linux), and exit at once if it
    already has: a `kill -9` of a run must not leave its workers (and through them
    multiprocessing's resource tracker) running for ever."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _init_pool_worker(spec: WorkspaceSpec, parent: int | None = None) -> None:
    """Prepare a pool process: Ctrl-C is for the parent (it stops the pool and saves the
    manifest), the worker dies with the parent, and the workspace is loaded before the first
    deck arrives."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if parent is not None:
        _die_with(parent)
    try:
        _workspace(spec)
    except DeckgenError:
        pass    # each job will report the problem for its own deck


# -- executors ---------------------------------------------------------------------------------

class Executor(Protocol):
    """Runs deck jobs and yields their outcomes in completion order."""

    def run(self, spec: WorkspaceSpec, jobs: Sequence[DeckJob]) -> Iterator[DeckOutcome]: ...


def default_workers(config: ProjectConfig | None = None) -> int:
    """Return the number of local workers: ``batch.workers`` from deckgen.yaml, else the CPU count."""
    if config is not None and config.batch.workers:
        return config.batch.workers
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class LocalExecutor:
    """Builds in a pool of ``workers`` processes; with one worker (or one job), in this process."""

    def __init__(self, workers: int, workspace: Workspace | None = None):
        if workers < 1:
            raise ConfigError(f"the number of build workers must be at least 1, got {workers}", code="workers")
        self.workers = workers
        self.workspace = workspace   # reused by in-process builds (already loaded by the caller)

    def run(self, spec: WorkspaceSpec, jobs: Sequence[DeckJob]) -> Iterator[DeckOutcome]:
        if self.workers == 1 or len(jobs) <= 1:
            if self.workspace is not None:
                use_workspace(spec, self.workspace)
            for job in jobs:
                yield build_job(spec, job)
            return
        # "spawn": forking a process that runs threads (watchdog, Dask, a progress bar) can
        # deadlock the child; a spawned worker imports deckgen afresh.
        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=min(self.workers, len(jobs)), mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_pool_worker, initargs=(spec, os.getpid()))
        try:
            futures = {pool.submit(build_job, spec, job): job for job in jobs}
            for future in concurrent.futures.as_completed(futures):
                try:
                    yield future.result()
                except concurrent.futures.process.BrokenProcessPool as exc:
                    yield DeckOutcome(futures[future].name,
                                      problems=_worker_problem(f"the worker process died ({exc}); run again to retry"))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Builds on a Dask distributed cluster: one task per deck, submitted to ``scheduler``.

    Workers must see the project and the output folder at the same absolute paths (a shared or
    network filesystem) and have deckgen installed; each worker writes its decks itself.
    """

    def __init__(self, scheduler: str, connect_timeout: float = 10.0):
        self.connect_timeout = connect_timeout
        if not scheduler:
            raise ConfigError("the dask executor needs a scheduler address",
                              hint="give the tcp://HOST:8786 address `dask scheduler` prints", code="no-scheduler")
        self.scheduler = scheduler

    def run(self, spec: WorkspaceSpec, jobs: Sequence[DeckJob]) -> Iterator[DeckOutcome]:
        distributed = import_distributed()
        try:
            client = distributed.Client(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise DeckgenError(f"cannot reach the Dask scheduler at {self.scheduler} ({exc})",
                               hint="start it with `dask scheduler` and check the address") from exc
        try:
            futures = {client.submit(build_job, spec, job, key=f"deckgen-{spec.run}-{number}",
                                     pure=False): job
                       for number, job in enumerate(jobs)}
            for future in distributed.as_completed(list(futures), loop=client.loop):
                try:
                    yield future.result()
                except Exception as exc:   # the worker died or the task was lost: that deck fails
                    yield DeckOutcome(futures[future].name,
                                      problems=_worker_problem(f"the Dask task failed ({type(exc).__name__}: {exc})"))
                finally:
                    future.release()
        finally:
            client.close()


def import_distributed():
    """Return the ``distributed`` module, or raise a DeckgenError naming the extra to install."""
    try:
        import distributed
    except ImportError as exc:
        raise DeckgenError("the dask executor needs the 'distributed' package", hint=DASK_EXTRA_HINT) from exc
    return distributed


def make_executor(kind: str = "local", *, jobs: int | None = None, scheduler: str | None = None,
                  workspace: Workspace | None = None) -> Executor:
    """Return the executor named ``kind`` ("local" or "dask")."""
    if kind == "local":
        if scheduler:
            raise ConfigError("a scheduler address is only used with the dask executor",
                              code="scheduler-without-dask")
        return LocalExecutor(jobs or default_workers(workspace.config if workspace else None), workspace)
    if kind == "dask":
        if jobs is not None:
            raise ConfigError("a number of build workers is only used with the local executor (a Dask "
                              "cluster runs as many builds as its workers have threads)", code="jobs-with-dask")
        return DaskExecutor(scheduler or "")
    raise ConfigError(f"unknown executor '{kind}'", hint="use one of: " + ", ".join(EXECUTORS))
