"""Tests of the output-folder lock: one run per folder, released even when its holder is killed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from deckgen.ops.lock import LOCK_NAME, output_lock
from deckgen.errors import LockedError

HOLD = """
import sys, time
from deckgen.ops.lock import output_lock
with output_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_a_second_lock_on_the_folder_is_refused_naming_the_holder(tmp_path):
    out = tmp_path / "out"
    with output_lock(out) as lock_file:
        assert lock_file == out / LOCK_NAME
        assert lock_file.read_text() == f"{os.getpid()}\n"
        with pytest.raises(LockedError) as refused:
            with output_lock(out):
                pass
        assert refused.value.exit_code == 3
        assert str(refused.value) == (f"another deckgen run (pid {os.getpid()}) holds {lock_file.as_posix()} "
                                      f"(wait for it to finish, or stop it, then run again)")
    assert (out / LOCK_NAME).read_text() == ""      # released: no stale pid left behind
    with output_lock(out):
        pass


def test_a_killed_holder_releases_the_lock(tmp_path):
    out = tmp_path / "out"
    with subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout.readline() == "locked\n"
            with pytest.raises(LockedError, match=rf"\(pid {holder.pid}\)"):
                with output_lock(out):
                    pass
        finally:
            holder.send_signal(signal.SIGKILL)
            holder.wait(30)
    with output_lock(out) as lock_file:           # the kernel dropped the dead run's lock
        assert lock_file.read_text() == f"{os.getpid()}\n"
