"""Run one command and print its wall time, CPU time and peak memory as JSON (a small process between run.py and it).

    python -I -S bench/timed.py LOG -- COMMAND [ARG...]

Linux counts the memory of the process that spawned a command in the command's ru_maxrss (the
spawner's pages are resident until exec), so run.py, which imports python-pptx, would inflate
every peak. This wrapper, run as ``python -I -S``, imports almost nothing: its own ~8 MiB (less
than any Python program's) are the floor of the figure.
"""
from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    log, separator, *command = argv
    if separator != "--" or not command:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    start = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ, file_actions=[
        (os.POSIX_SPAWN_DUP2, log_fd, 1), (os.POSIX_SPAWN_DUP2, log_fd, 2)])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    os.close(log_fd)
    # ru_maxrss is KiB on Linux, bytes on macOS
    peak_mib = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": peak_mib,
                      "exit": os.waitstatus_to_exitcode(status)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
