"""Tests of `deckgen watch`: library edits rebuild the affected decks after a quiet period."""
from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from deckgen.ops.batch import run_batch
from deckgen.ops.lock import output_lock
from deckgen.ops.watch import ChangeCollector, WatchCycle, is_watched, watch
from incremental_project import (GOOD_DECKS, USES_BATTLE_ACME, USES_BATTLE_INITECH, deck_titles, make_project,
                                 set_slide_text)

WAIT = 60   # seconds a cycle may take on a busy machine before the test gives up


@pytest.fixture
def built(tmp_path: Path, monkeypatch) -> Path:
    root = make_project(tmp_path / "project")
    monkeypatch.chdir(root)
    assert sorted(run_batch("first-call", "prospects/accounts.csv", root / "out", jobs=1).built) == GOOD_DECKS
    return root


class Watcher:
    """``watch`` running in a thread; its cycles arrive on a queue."""

    def __init__(self, folder: Path, **options):
        self.cycles: queue.Queue[WatchCycle] = queue.Queue()
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(folder,), kwargs=options, daemon=True)

    def _run(self, folder: Path, **options) -> None:
        try:
            watch(folder, stop=self.stop, on_cycle=self.cycles.put, on_ready=self.ready.set, jobs=1, **options)
        except BaseException as exc:   # surfaced by the test, not lost in the thread
            self.errors.append(exc)

    def __enter__(self) -> Watcher:
        self.thread.start()
        assert self.ready.wait(WAIT)
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        assert self.errors == []

    def next_cycle(self) -> WatchCycle:
        return self.cycles.get(timeout=WAIT)


def test_an_edited_slide_rebuilds_the_decks_that_use_it(built):
    out = built / "out"
    with Watcher(out, debounce=0.3) as watcher:
        first = watcher.next_cycle()                 # the pass at start: everything is up to date
        assert first.changed == [] and first.report.built == [] and first.report.failed == []
        set_slide_text(built / "slide_library" / "battle.pptx", "Why not Acme", "Acme costs you more")
        cycle = watcher.next_cycle()
        assert cycle.changed == ["slide_library/battle.pptx"]
        assert sorted(cycle.report.built) == USES_BATTLE_ACME
        for name in USES_BATTLE_ACME:
            assert "Acme costs you more" in deck_titles(out / name)
        assert watcher.cycles.empty()


def test_a_burst_of_saves_is_one_rebuild_and_lock_files_are_ignored(built):
    out = built / "out"
    library = built / "slide_library"
    with Watcher(out, debounce=0.5, initial=False) as watcher:
        (library / "~$battle.pptx").write_bytes(b"owner lock")      # PowerPoint opens the module
        (library / ".~lock.battle.pptx#").write_text("libreoffice")
        time.sleep(1.0)
        assert watcher.cycles.empty()                               # nothing to do for lock files
        # PowerPoint-style save: write a temporary file, then rename it over the module; twice
        for title, new_title in (("Why not Initech", "Initech is slow"), ("Initech is slow", "Initech lags")):
            draft = library / "battle-copy.pptx.tmp"
            shutil.copy(library / "battle.pptx", draft)
            set_slide_text(draft, title, new_title)    # python-pptx saves under any name
            os.replace(draft, library / "battle.pptx")
        cycle = watcher.next_cycle()
        assert cycle.changed == ["slide_library/battle.pptx"]
        assert sorted(cycle.report.built) == USES_BATTLE_INITECH
        assert "Initech lags" in deck_titles(out / "vandelay-industries-first-call.pptx")
        time.sleep(1.0)
        assert watcher.cycles.empty()                               # one rebuild for the burst


def test_a_locked_folder_is_retried_after_the_next_quiet_period(built):
    out = built / "out"
    with Watcher(out, debounce=0.3, initial=False) as watcher:
        with output_lock(out):
            set_slide_text(built / "slide_library" / "value.pptx", "Live in weeks", "Live in days")
            refused = watcher.next_cycle()
            assert refused.report is None
            assert refused.error.startswith(f"another deckgen run (pid {os.getpid()}) holds ")
        retried = watcher.next_cycle()
        assert sorted(retried.report.built) == ["bluth-machine-works-first-call.pptx",
                                                "stark-tooling-first-call.pptx"]


@pytest.mark.parametrize("name, watched", [
    ("value.pptx", True), ("value.yaml", True), ("first-call.yml", True),
    ("~$value.pptx", False), (".~lock.value.pptx#", False), ("ppt8A2F.tmp", False),
    ("value.pptx~", False), (".value.pptx.x1y2.part", False), ("notes.txt", False), (".hidden.yaml", False),
], ids=lambda value: str(value))
def test_only_library_and_recipe_files_count(name, watched):
    assert is_watched(f"/lib/{name}") is watched


def test_the_collector_waits_for_quiet_and_stops_on_request():
    collector = ChangeCollector()
    stop = threading.Event()
    stop.set()
    assert collector.wait_quiet(0.1, stop) is None
    collector.add({"/lib/a.pptx"})
    assert collector.wait_quiet(0.05, threading.Event()) == {"/lib/a.pptx"}


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_stops_the_watch_command_without_a_traceback(built, stop):
    process = subprocess.Popen([sys.executable, "-m", "deckgen", "watch", "out", "--jobs", "1",
                                "--debounce", "0.2"], cwd=built, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr.readline() == "watching the library and recipes (Ctrl-C to stop)\n"
        deadline = time.monotonic() + WAIT
        while "0 decks to rebuild" not in (line := process.stdout.readline()):   # the first pass
            assert line and time.monotonic() < deadline
        process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert stderr == "stopped watching\n"
