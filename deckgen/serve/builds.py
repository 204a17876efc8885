"""Builds for the server: a bounded pool of worker processes with a bounded queue, and the
manifest of the served decks (each naming who asked for it)."""
from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import logging
import multiprocessing
import os
import re
import secrets
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckgen.errors import DeckgenError, LockedError, RenderError
from deckgen.ops.executors import DeckJob, DeckOutcome, WorkspaceSpec, _init_pool_worker, build_job
from deckgen.config import ProjectConfig
from deckgen.scoreboard.log import DeckLog
from deckgen.ops.manifest import DeckEntry, FileStamp, Manifest, ProjectRef, ProspectSource, now_utc
from deckgen.ops.lock import output_lock
from deckgen.render import slug
from deckgen.serve.inputs import BuildRequest

_LOCK_ATTEMPTS = 50
DECK_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}\.pptx$")

log = logging.getLogger(__name__)


class Busy(DeckgenError):
    """Every worker is busy and the queue is full: the client should retry after ``retry_after``."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__("the server is busy building other decks", hint=f"retry in {retry_after} s")


class TimedOut(DeckgenError):
    """A build (or PDF) took longer than the request may wait."""


class BuildFailed(DeckgenError):
    """The build itself failed (a template error, a damaged module): the CLI's message."""


@dataclass(frozen=True)
class Built:
    """A finished served build: the deck's name in the output folder and its files."""

    name: str
    pptx: Path
    pdf: Path | None
    slides: int
    warnings: tuple[str, ...]
    timings: tuple[tuple[str, float], ...] = ()     # (phase, seconds), for the Server-Timing header


def _timed_out(seconds: float) -> TimedOut:
    return TimedOut(f"the build took longer than {seconds:g} s", hint="try again later, or raise --build-timeout")


def _within(seconds: float, fn: Any, *args: Any) -> Any:
    """Run ``fn(*args)`` in this worker process, stopped after ``seconds``: a request that timed
    out must not keep its worker busy (a LibreOffice child is killed with it by subprocess.run)."""
    if threading.current_thread() is not threading.main_thread():
        return fn(*args)             # signals reach the main thread only (tests use a thread pool)
    running = True

    def expire(_signum: int, _frame: Any) -> None:
        if running:
            raise _timed_out(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args)
    finally:
        running = False              # an alarm due right now must not fail a finished job
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _pdf_job(pptx: str) -> str | None:
    """Convert a served deck to PDF beside it in a worker; return the error line, or None."""
    from deckgen.preview import to_pdf
    try:
        to_pdf(pptx, Path(pptx).with_suffix(".pdf"))
    except DeckgenError as exc:
        return " ".join(str(exc).split())
    return None


def _log_build(config: ProjectConfig, user: str, request: BuildRequest, output: Path, record: dict) -> None:
    """Record a served deck in the deck log like a CLI build; a log that cannot be written only warns."""
    with DeckLog(config, "serve", who=user) as deck_log:
        deck_log.record(request.recipe, request.prospect, output, record)
    for warning in deck_log.warnings:
        log.warning("%s", warning)


class BuildPool:
    """Runs builds in ``workers`` spawned processes; at most ``queue`` more wait; more are refused."""

    def __init__(self, folder: Path, *, workers: int, queue: int, timeout: float):
        self.folder = folder
        self.workers = workers
        self.capacity = workers + queue
        self.timeout = timeout
        self._pending = 0
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._pool_spec: WorkspaceSpec | None = None
        self._seconds = 2.0             # running average of a build, for Retry-After
        self._manifest_lock = asyncio.Lock()

    # -- the pool ---------------------------------------------------------------------------------

    def start(self, spec: WorkspaceSpec) -> None:
        """Start the worker processes, each loading the project before the first request."""
        # "spawn": the server runs threads (uvicorn, watchdog), and forking those can deadlock
        self._pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_pool_worker, initargs=(spec,))
        self._pool_spec = spec
        for _ in range(self.workers):     # start every process now rather than on first use
            self._pool.submit(os.getpid)

    @property
    def pending(self) -> int:
        """Builds running or waiting."""
        return self._pending

    def worker_pids(self) -> list[int]:
        """Process ids of the workers (for memory figures)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return sorted(processes)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    async def _run(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` in the pool within the timeout; Busy when the queue is full."""
        with self._lock:
            if self._pending >= self.capacity:
                waiting = self._pending - self.workers + 1
                raise Busy(max(1, round(self._seconds * waiting / self.workers)))
            self._pending += 1
        assert self._pool is not None
        started = asyncio.get_running_loop().time()
        try:
            future = self._pool.submit(_within, self.timeout, fn, *args)
        except concurrent.futures.process.BrokenProcessPool:
            self._release(None)
            self.start(self._pool_spec)   # type: ignore[arg-type]
            raise BuildFailed("a build worker stopped; the pool was restarted", hint="send the request again")
        future.add_done_callback(self._release)
        try:
            result = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), self.timeout)
        except asyncio.TimeoutError:
            raise _timed_out(self.timeout) from None
        except concurrent.futures.process.BrokenProcessPool:
            self.start(self._pool_spec)   # type: ignore[arg-type]
            raise BuildFailed("a build worker stopped; the pool was restarted", hint="send the request again")
        elapsed = asyncio.get_running_loop().time() - started
        self._seconds = 0.8 * self._seconds + 0.2 * elapsed
        return result

    def _release(self, _future: Any) -> None:
        with self._lock:
            self._pending -= 1

    # -- builds -----------------------------------------------------------------------------------

    async def build(self, spec: WorkspaceSpec, project: ProjectRef, request: BuildRequest, recipe_file: Path,
                    user: str, config: ProjectConfig | None = None) -> Built:
        """Build the requested deck into the output folder and record it in the manifest (and, given
        the project's ``config``, in the deck log, naming ``user``)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
        name = f"{slug(request.prospect.company)[:60] or 'deck'}-{slug(request.recipe)[:40]}-{stamp}-{secrets.token_hex(3)}.pptx"
        output = self.folder / name
        job = DeckJob(name=name, output=str(output), recipe=str(recipe_file), prospect=request.prospect,
                      label=f"served to {user}", pdf=request.pdf, allow_drafts=request.allow_drafts)
        clock = time.perf_counter()
        outcome: DeckOutcome = await self._run(build_job, spec, job)
        timings = [("build", time.perf_counter() - clock)]
        if not outcome.ok:
            if len(outcome.problems) == 1:
                raise BuildFailed.from_problem(outcome.problems[0])
            raise BuildFailed("the build failed", problems=list(outcome.problems))
        assert outcome.record is not None
        entry = DeckEntry(
            name=name, recipe=request.recipe, recipe_file=recipe_file,
            prospect=ProspectSource(label=f"served to {user}", file=None, line=None, index=None,
                                    data={**request.data, **({"logo": str(request.prospect.logo)}
                                                             if request.prospect.logo else {})},
                                    base_dir=self.folder),
            pdf=request.pdf, allow_drafts=request.allow_drafts, built_by=user,
        ).built(outcome.record, FileStamp.of(output), now_utc())
        clock = time.perf_counter()
        await self._record(project, entry)
        timings.append(("manifest", time.perf_counter() - clock))
        if config is not None:
            clock = time.perf_counter()
            await asyncio.to_thread(_log_build, config, user, request, output, outcome.record)
            timings.append(("log", time.perf_counter() - clock))
        pdf = output.with_suffix(".pdf") if request.pdf else None
        return Built(name, output, pdf, len(outcome.record.get("slides", ())), outcome.warnings, tuple(timings))

    async def pdf(self, name: str) -> Path:
        """Return the PDF of a served deck, converting it (in a worker) the first time."""
        pptx = self.folder / name
        pdf = pptx.with_suffix(".pdf")
        if not pdf.is_file():
            error = await self._run(_pdf_job, str(pptx))
            if error:
                raise RenderError(error)
        return pdf

    async def _record(self, project: ProjectRef, entry: DeckEntry) -> None:
        async with self._manifest_lock:
            await asyncio.to_thread(self._save_entry, project, entry)

    def _save_entry(self, project: ProjectRef, entry: DeckEntry) -> None:
        # the folder lock keeps a `deckgen rebuild` of this folder from writing the manifest at
        # the same time; it does not wait, so a build waits here for a rebuild to finish
        for attempt in range(_LOCK_ATTEMPTS):
            try:
                with output_lock(self.folder):
                    manifest = Manifest.load(self.folder)
                    manifest.set_project(project)
                    manifest.put(entry)
                    manifest.save()
                    return
            except LockedError:
                if attempt == _LOCK_ATTEMPTS - 1:
                    raise
                time.sleep(0.2)

    def recent(self, limit: int = 20) -> list[DeckEntry]:
        """The decks built most recently (newest first) that are still on disk."""
        manifest = Manifest.load(self.folder)
        entries = [entry for entry in manifest.decks.values() if (self.folder / entry.name).is_file()]
        entries.sort(key=lambda entry: entry.built_at or "", reverse=True)
        return entries[:limit]

    def deck(self, name: str) -> Path | None:
        """The served deck ``name`` (a name this server gave; never a path), or None."""
        if not DECK_NAME.match(name):
            return None
        path = self.folder / name
        return path if path.is_file() else None
