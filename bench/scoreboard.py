"""Benchmark of the scoreboard report over a large deck log (issue 12): one command.

    python bench/scoreboard.py [--uses 1000000] [--runs 3] [--keep DIR]

Generates a deck log of ``--uses`` slide uses (20-slide decks from the example library, 60
salespeople over 12 months, each deck rebuilt once in four, 2,000 opportunities with outcomes) in
a SQLite scoreboard made by deckgen's own migrations, then times, each as its own process:

- floor: one pass over the slide uses and one over the builds (uses per slide, decks), in sqlite3
  alone: less than any report can do;
- report-json: `deckgen report --format json`;
- report-html: `deckgen report -o DIR` (the same figures, plotly charts, plotly.js inlined).

Prints medians and the ratio of each report to the floor.
"""
from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SLIDES_PER_DECK = 20


def generate(project: Path, uses: int, seed: int = 12) -> dict[str, int]:
    """Write a deck log of ``uses`` slide uses into the project's scoreboard; return its sizes."""
    sys.path.insert(0, str(REPO))
    from deckgen.config import load_config
    from deckgen.library import load_library
    from deckgen.scoreboard.store import configured_url, connect

    config = load_config(project / "deckgen.yaml")
    engine = connect(configured_url(config), "bench")     # the schema, by deckgen's migrations
    engine.dispose()
    keys = [(slide.key, slide.module) for slide in load_library(config.library).slides]
    rng = random.Random(seed)
    segments = ["enterprise", "mid-market", "smb"]
    competitors = ["acme", "initech", "umbrella", "in-house", "other"]
    objections = ["security", "integration", "price", "adoption", "switching-cost"]
    people = [f"rep{n:02d}@northwind.example" for n in range(60)]
    accounts = [f"Account {n:05d}" for n in range(8000)]
    start = datetime.datetime(2026, 1, 1)
    path = project / ".deckgen" / "scoreboard.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    events, tags, slides = [], [], []
    event_id = 0
    deck = 0
    while len(slides) < uses:
        deck += 1
        account = rng.choice(accounts)
        output = f"/decks/{account.replace(' ', '-').lower()}-{deck}.pptx"
        chosen = rng.sample(keys, min(SLIDES_PER_DECK, len(keys)))
        builds = 2 if rng.random() < 0.25 else 1
        for build in range(builds):
            event_id += 1
            at = start + datetime.timedelta(minutes=rng.randrange(0, 330 * 24 * 60))
            events.append((event_id, f"{event_id:032x}", at.isoformat(sep=" "), "batch" if build == 0 else "rebuild",
                           f"{deck:032x}", rng.choice(people), rng.choice(["first-call", "executive-briefing"]),
                           account, account.casefold(), None, rng.choice(segments), "manufacturing", output,
                           "0" * 64, "0.1.0"))
            for value in rng.sample(competitors, 2):
                tags.append((event_id, "competitor", value))
            for value in rng.sample(objections, 2):
                tags.append((event_id, "objection", value))
            for position, (key, module) in enumerate(chosen, start=1):
                slides.append((event_id, position, key, module, "1" * 64))
    with db:
        db.executemany("INSERT INTO deck_events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", events)
        db.executemany("INSERT INTO deck_event_tags VALUES (?,?,?)", tags)
        db.executemany("INSERT INTO deck_event_slides VALUES (?,?,?,?,?)", slides[:uses])
        opportunities = []
        for number, account in enumerate(rng.sample(accounts, 2000)):
            result = rng.choice(["won", "lost", "lost", "open"])
            stage = {"won": "Closed Won", "lost": "Closed Lost", "open": "Negotiation"}[result]
            opportunities.append((f"OPP-{number}", account, account.casefold(), None, stage, result,
                                  float(rng.randrange(10_000, 500_000)), "2026-12-31", "bench", "2026-11-29 00:00:00"))
        db.executemany("INSERT INTO opportunities VALUES (?,?,?,?,?,?,?,?,?,?)", opportunities)
        # the per-month summary deckgen's logger keeps beside each event
        db.execute("INSERT INTO deck_slide_months SELECT s.slide_key, substr(e.at, 1, 7), e.output_path, "
                   "min(e.at), max(e.at) FROM deck_event_slides s JOIN deck_events e ON e.id = s.event_id "
                   "GROUP BY 1, 2, 3")
    db.execute("ANALYZE")
    db.close()
    return {"events": len(events), "slide_uses": min(uses, len(slides)), "opportunities": 2000}


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run ``command``; return its wall time and CPU time (user + system), in seconds.

    CPU time is reported too because the wall time of a shared machine depends on its load.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


FLOOR = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("SELECT slide_key, count(*) FROM deck_event_slides GROUP BY slide_key").fetchall()
db.execute("SELECT count(*), count(DISTINCT output_path) FROM deck_events").fetchall()
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uses", type=int, default=1_000_000, help="slide uses in the log (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each case (default 3)")
    parser.add_argument("--keep", type=Path, help="build the project in this folder and keep it")
    parser.add_argument("--reuse", action="store_true", help="with --keep: time the log already there")
    args = parser.parse_args(argv)
    project = args.keep or Path(tempfile.mkdtemp(prefix="deckgen-bench-scoreboard-"))
    try:
        for folder in ("slide_library", "recipes", "prospects"):
            shutil.copytree(REPO / folder, project / folder, dirs_exist_ok=True)
        shutil.copy(REPO / "deckgen.yaml", project / "deckgen.yaml")
        if not (args.reuse and args.keep and (project / ".deckgen/scoreboard.sqlite").is_file()):
            shutil.rmtree(project / ".deckgen", ignore_errors=True)
            began = time.perf_counter()
            sizes = generate(project, args.uses)
            print(f"generated {sizes['slide_uses']:,} slide uses in {sizes['events']:,} builds and "
                  f"{sizes['opportunities']:,} opportunities in {time.perf_counter() - began:.1f} s")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        env.pop("DECKGEN_SCOREBOARD", None)
        today = ["--today", "2026-11-29"]
        cases = {
            "floor (one pass, sqlite3 only)": [sys.executable, "-c", FLOOR, str(project / ".deckgen/scoreboard.sqlite")],
            "deckgen report --format json": [sys.executable, "-m", "deckgen", "report", "--format", "json", *today],
            "deckgen report -o DIR (html)": [sys.executable, "-m", "deckgen", "report", "-o", str(project / "report"),
                                            *today],
        }
        walls, cpus = {}, {}
        for name, command in cases.items():
            runs = [timed(command, project, env) for _ in range(args.runs)]
            walls[name] = statistics.median(wall for wall, _ in runs)
            cpus[name] = statistics.median(cpu for _, cpu in runs)
        floor = next(iter(cases))
        print(f"{'case':<40} {'wall':>9} {'cpu':>9}   cpu vs floor   (load average {os.getloadavg()[0]:.1f})")
        for name in cases:
            print(f"{name:<40} {walls[name]:7.2f} s {cpus[name]:7.2f} s   {cpus[name] / cpus[floor]:5.1f}x")
        print(f"report size: {(project / 'report/index.html').stat().st_size / 1e6:.1f} MB")
    finally:
        if args.keep is None:
            shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    main()
