"""`deckgen serve` benchmark (issue 16): a warm personalised build over HTTP against the raw-copy
floor, and a load of many builds at once.

    python bench/serve.py [--quick] [--runs N] [--load N] [--concurrency C] [--workers W] [--json PATH]

The server runs in the generated library's project with ``--no-thumbnails --no-reload``. The
single deck is bench/run.py's deck-1x personalised build (40 slides from the 25 x 20 library;
--quick: the tiny one), timed like every bench case as separate processes (bench/timed.py): the
floor (bench/floor.py copying the deck's zip members as stored), `deckgen build` from the shell
for reference, and `curl` posting the build request to the warm server (the client a CRM button
stands for). The load case builds the batch scenario's personalised deck (20 slides, small
pictures) for --load different prospects from --concurrency threads, and reports throughput,
p50/p95 latency, errors, and the peak resident memory of the server with its build workers
(sampled every 50 ms, summed over the processes).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

import synth
from floor import plan_members
from run import (BENCH_DIR, DECKGEN, QUICK, BenchError, Settings, batch_deck_size, batch_recipe, deck_facts,
                 measure, personalised_facts, spread_deck)

RECIPE = "bench-serve"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(root: Path, workers: int, queue: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen([*DECKGEN, "serve", "--port", str(port), "--workers", str(workers),
                                    "--queue", str(queue), "--no-thumbnails", "--no-reload"],
                                   cwd=root, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"deckgen serve exited: {log.read_text()[-500:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise BenchError("deckgen serve did not start within 120 s")


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class MemorySampler:
    """The largest summed resident set of a process tree, sampled in a thread."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval, self.peak = pid, interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mib(process_tree(self.pid)))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def post_build(url: str, body: bytes) -> tuple[int, float, int]:
    """Send one build request; return (status, seconds, bytes received)."""
    request = urllib.request.Request(url + "/api/build", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            size = len(response.read())
            return response.status, time.perf_counter() - start, size
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, time.perf_counter() - start, 0
    except OSError:
        return 0, time.perf_counter() - start, 0


def load(url: str, bodies: list[bytes], concurrency: int, server_pid: int) -> dict:
    with MemorySampler(server_pid) as memory, concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        start = time.perf_counter()
        results = list(pool.map(lambda body: post_build(url, body), bodies))
        wall = time.perf_counter() - start
    latencies = sorted(seconds for status, seconds, _ in results if status == 200)
    errors = [status for status, _, _ in results if status != 200]
    quantile = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")  # noqa: E731
    return {"requests": len(bodies), "concurrency": concurrency, "errors": len(errors),
            "error_statuses": sorted(set(errors)), "wall_s": round(wall, 2),
            "builds_per_s": round(len(latencies) / wall, 2), "p50_s": round(quantile(0.50), 3),
            "p95_s": round(quantile(0.95), 3), "max_s": round(latencies[-1], 3) if latencies else None,
            "peak_rss_mib": round(memory.peak, 1)}


def single_deck(settings: Settings, runs: int, workers: int, work: Path) -> dict:
    """The warm personalised 40-slide build over HTTP, with the floor and the CLI build for reference."""
    library = synth.ensure_library(settings.library, settings.cache_dir)
    deck = spread_deck(settings, library, 1)
    plan = work / "floor-plan.json"
    plan.write_text(json.dumps(plan_members(deck.specs)))
    synth.write_recipe(library, RECIPE, [{"name": "deck", "slides": deck.keys}],
                       "The benchmark's single deck, drawn from across the library")
    prospect_file = library.prospect_dir / "globex.yaml"
    body = json.dumps({"recipe": RECIPE, "prospect": yaml.safe_load(prospect_file.read_text())}).encode()
    (work / "request.json").write_bytes(body)
    served = library.root / "build" / "serve"
    shutil.rmtree(served, ignore_errors=True)
    floor_out, cli_out, http_out = work / "floor.zip", work / "cli.pptx", work / "http.pptx"
    server, url = start_server(library.root, workers, 32, work / "server-deck.log")
    results: dict = {"deck_slides": len(deck.refs), "runs": runs}
    try:
        cases = {
            "floor": [sys.executable, str(BENCH_DIR / "floor.py"), str(plan), "-o", str(floor_out), "--mode", "raw"],
            "cli_build": [*DECKGEN, "build", RECIPE, "--prospect", str(prospect_file), "-o", str(cli_out)],
            "http_build": ["curl", "-sS", "--fail", "-o", str(http_out), "-H", "Content-Type: application/json",
                           "--data-binary", f"@{work / 'request.json'}", f"{url}/api/build"],
        }
        for key, command in cases.items():
            measure(command, library.root, work / f"{key}-warm-up.log")      # warm caches and the server
            times = [measure(command, library.root, work / f"{key}.log").wall_s for _ in range(runs)]
            results[key] = {"median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4)}
        results["http_build"]["facts"] = {**deck_facts(http_out, deck.title_prefixes),
                                          **personalised_facts(http_out, "Globex Corporation", len(deck.refs))}
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(served, ignore_errors=True)
    return results


def load_case(settings: Settings, requests: int, concurrency: int, workers: int, work: Path) -> dict:
    """``requests`` personalised decks at ``concurrency`` at a time: the batch scenario's deck
    (fixed story plus the case study of the prospect's industry; small pictures), a different
    company and industry per request."""
    library = synth.ensure_library(settings.batch_library, settings.cache_dir)
    recipe, _ = batch_recipe(settings, library)
    bodies = [json.dumps({"recipe": recipe, "prospect": {
        "company": f"Prospect {index:04d} Inc", "segment": "enterprise",
        "industry": synth.industry(index % settings.files)}}).encode() for index in range(requests)]
    served = library.root / "build" / "serve"
    shutil.rmtree(served, ignore_errors=True)
    server, url = start_server(library.root, workers, max(concurrency, 32), work / "server-load.log")
    try:
        if post_build(url, bodies[0])[0] != 200:       # warm: the first build opens the modules
            raise BenchError(f"the warm-up build failed: see {work / 'server-load.log'}")
        results = load(url, bodies, concurrency, server.pid)
        results["deck_slides"] = batch_deck_size(settings)
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(served, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny library, 1 run, 20 load requests")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per case (default 5)")
    parser.add_argument("--load", type=int, default=None, help="requests of the load case (default 200)")
    parser.add_argument("--concurrency", type=int, default=20, help="concurrent load requests (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="server build processes (default 2)")
    parser.add_argument("--cache-dir", type=Path, default=BENCH_DIR / ".cache")
    parser.add_argument("--json", type=Path, help="write the results as JSON")
    args = parser.parse_args(argv)
    settings = Settings(**{**(QUICK if args.quick else {}), "cache_dir": args.cache_dir})
    runs = args.runs or settings.runs
    requests = args.load or (20 if args.quick else 200)
    work = settings.work_dir / "serve"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}, {os.cpu_count()} CPUs", flush=True)
    results = single_deck(settings, runs, args.workers, work)
    results["load"] = load_case(settings, requests, args.concurrency, args.workers, work)
    floor = results["floor"]["median_s"]
    print(f"deckgen serve: {results['deck_slides']}-slide personalised deck, {runs} runs each (median, min)")
    for key, label in (("floor", "floor: copy members as stored"), ("cli_build", "deckgen build (new process)"),
                       ("http_build", "POST /api/build, warm server (curl)")):
        row = results[key]
        print(f"  {label:<40} {row['median_s']:8.3f} s {row['min_s']:8.3f} s  {row['median_s'] / floor:5.2f}x floor")
    target = results["http_build"]["median_s"] <= 2 * floor
    print(f"  target: warm HTTP build <= 2x floor: {'PASS' if target else 'MISS'} "
          f"({results['http_build']['median_s'] / floor:.2f}x)")
    row = results["load"]
    print(f"load: {row['requests']} personalised {row['deck_slides']}-slide decks, {row['concurrency']} concurrent, "
          f"{args.workers} workers: {row['builds_per_s']} builds/s, p50 {row['p50_s']} s, p95 {row['p95_s']} s, "
          f"{row['errors']} errors, peak memory {row['peak_rss_mib']} MiB (server + workers)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 1 if row["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
