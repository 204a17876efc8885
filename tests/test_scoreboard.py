"""The scoreboard: the deck log of builds, batches and rebuilds, CRM outcomes, and the report checked
against a hand count, in headless chromium, under concurrency, and with bad input."""
from __future__ import annotations

import csv
import datetime
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckgen.cli import main
from deckgen.scoreboard.figures import wilson_interval

DB = ".deckgen/scoreboard.sqlite"          # scoreboard.database of the example project


@pytest.fixture
def project(example_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example project, logging to its own database (deckgen.yaml), built by "ana"."""
    monkeypatch.delenv("DECKGEN_SCOREBOARD", raising=False)
    monkeypatch.setenv("DECKGEN_USER", "ana")
    return example_project


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def today_utc() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


def write_opportunities(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Opportunity ID", "Account Name", "Account ID", "Stage", "Amount", "Close Date"])
        writer.writerows(rows)
    return path


def small_opportunities(path: Path) -> Path:
    day = today_utc().isoformat()
    return write_opportunities(path, [
        ["O-1", "Globex Corporation", "001GLOBEX", "Closed Won", "100000", day],       # by CRM id
        ["O-2", "Vandelay Industries", "001VANDEL", "Closed Lost", "40000", day],
        ["O-3", "BLUTH  machine works", "", "Closed Won", "$50,000", day],             # by name, case and spaces
        ["O-4", "Soylent Foods", "001SOYLNT", "Negotiation/Review", "90000", ""],      # still open
        ["O-5", "Initrode", "", "Closed Won", "7000", day],                            # no deck for it
        ["O-6", "Wonka Confectionery", "001WONKAC", "Verbal yes", "1", day],           # line 7: unknown stage
        ["O-7", "Tyrell Robotics", "001TYRELL", "Closed Lost", "a lot", day],          # line 8: bad amount
    ])


def manifest_slides(folder: Path) -> dict[str, list[str]]:
    """{deck: its slide keys}, from the folder's manifest: the hand count's source of truth."""
    decks = json.loads((folder / "deckgen-manifest.json").read_text())["decks"]
    return {name: [slide["key"] for slide in deck["record"]["slides"]] for name, deck in decks.items()}


def report_json(*options: str) -> dict:
    code, out, err = run("report", "--format", "json", "--today", today_utc().isoformat(), *options)
    assert code == 0, err
    return json.loads(out)


def batch_rebuild_import(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch from the CRM export by ana, a forced rebuild by ben, and an outcomes import."""
    code, _, err = run("batch", "first-call", "-p", "prospects/crm-export.csv", "-o", "build/decks", "-j", "1")
    assert code == 0, err
    monkeypatch.setenv("DECKGEN_USER", "ben")
    code, _, err = run("rebuild", "build/decks", "--force", "-j", "1")
    assert code == 0, err
    code, out, err = run("outcomes", "import", str(small_opportunities(project / "crm" / "won-lost.csv")))
    assert code == 1     # two rows skipped
    assert err.splitlines() == [
        "skipped: crm/won-lost.csv:7: unknown stage 'Verbal yes' (add it to scoreboard.outcomes.stages in "
        "deckgen.yaml under won, lost or open)",
        "skipped: crm/won-lost.csv:8: amount 'a lot' is not a number"]
    assert out == ("crm/won-lost.csv: 5 opportunities (5 new, 0 updated, 0 unchanged), 2 rows skipped; "
                   "4 have decks (3 won or lost)\n")


def assert_hand_count(project: Path, data: dict) -> None:
    """Check the report's figures against counts made here from the manifest and the CRM export."""
    decks = manifest_slides(project / "build" / "decks")
    with open(project / "prospects" / "crm-export.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(decks) == len(rows) == 8
    per_slide = Counter(key for keys in decks.values() for key in keys)
    month = today_utc().strftime("%Y-%m")

    assert data["totals"] == {"builds": 16, "decks": 8, "slide_uses": 2 * sum(per_slide.values()),
                              "opportunities": 5, "opportunities_with_decks": 4, "decided_with_decks": 3}
    usage = data["figures"]["usage_over_time"]
    assert usage["months"] == [month]
    assert {row["key"]: row["decks"] for row in usage["slides"]} == {key: [n] for key, n in per_slide.items()}

    unused = data["figures"]["unused_collateral"]
    library = json.loads(run("library", "list", "--format", "json")[1])
    approved = {slide["key"] for slide in library if slide["status"] == "approved"
                and (slide["expires"] is None or slide["expires"] >= today_utc().isoformat())}
    never = approved - set(per_slide)
    rare = {key for key in approved if 0 < per_slide[key] < 2}
    assert unused["approved_slides"] == len(approved)
    assert unused["unused"] == len(never) and unused["rarely_used"] == len(rare)
    listed = {slide["key"]: slide for slide in unused["slides"] if slide["decks"] < 2}
    assert set(listed) == never | rare
    owners = {slide["key"]: slide["owner"] for slide in library}
    assert all(listed[key]["owner"] == owners[key] for key in listed)

    segments = Counter(row["Segment"] for row in rows)
    competitors = Counter(c for row in rows for c in row["Competitor"].split(";"))
    objections = Counter(o for row in rows for o in row["Objections"].split(";"))
    for figure, expected in (("usage_by_segment", segments), ("usage_by_competitor", competitors),
                             ("usage_by_objection", objections)):
        got = {row["value"]: row["decks"] for row in data["figures"][figure]["values"] if row["decks"]}
        assert got == dict(expected), figure

    # decided opportunities with decks: Globex won 100000, Vandelay lost, Bluth won 50000
    deck_of = {row["Account Name"]: next(name for name in decks if name.startswith(row["Account Name"].split()[0].lower()))
               for row in rows}
    outcomes = {"Globex Corporation": ("won", 100000.0), "Vandelay Industries": ("lost", 0.0),
                "Bluth Machine Works": ("won", 50000.0)}
    expected_rows = {}
    for key in per_slide:
        with_slide = [outcome for account, outcome in outcomes.items() if key in decks[deck_of[account]]]
        if with_slide:
            won = [amount for result, amount in with_slide if result == "won"]
            expected_rows[key] = (len(with_slide), len(won), sum(won))
    by_slide = data["figures"]["outcomes_by_slide"]
    assert {row["name"]: (row["decided"], row["won"], row["won_amount"]) for row in by_slide["rows"]} == \
        expected_rows                                           # --min-sample 1 shows them all
    for row in by_slide["rows"]:
        low, high = wilson_interval(row["won"], row["decided"])
        assert (row["ci_low"], row["ci_high"]) == (round(low, 4), round(high, 4))
    recipe = data["figures"]["outcomes_by_recipe"]["rows"]
    assert recipe == [{"name": "first-call", "decided": 3, "won": 2, "lost": 1, "win_rate": 0.6667,
                       "ci_low": 0.2077, "ci_high": 0.9385, "won_amount": 150000.0}]

    assert data["figures"]["decks_per_salesperson"]["rows"] == [
        {"who": "ana", "month": month, "decks": 8, "builds": 8},
        {"who": "ben", "month": month, "decks": 8, "builds": 8}]


def test_report_figures_match_a_hand_count(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch_rebuild_import(project, monkeypatch)
    assert_hand_count(project, report_json("--min-sample", "1"))
    # the minimum-sample rule: with 3 needed, only slides in all three decided decks keep a win rate
    data = report_json()                       # default --min-sample 5: every slide is too few
    by_slide = data["figures"]["outcomes_by_slide"]
    assert by_slide["rows"] == [] and by_slide["too_few"] and "at least 5 decided" in by_slide["meaning"]
    three = report_json("--min-sample", "3")["figures"]["outcomes_by_slide"]
    assert three["rows"] and all(row["decided"] == 3 for row in three["rows"])
    assert all(row["decided"] < 3 for row in three["too_few"])


def test_reimporting_the_same_file_changes_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch_rebuild_import(project, monkeypatch)
    before = sqlite3.connect(project / DB).execute("SELECT * FROM opportunities ORDER BY 1").fetchall()
    code, out, _ = run("outcomes", "import", "crm/won-lost.csv")
    assert code == 1 and "(0 new, 0 updated, 5 unchanged)" in out
    assert sqlite3.connect(project / DB).execute("SELECT * FROM opportunities ORDER BY 1").fetchall() == before
    rows = (project / "crm/won-lost.csv").read_text().replace("Closed Lost,40000", "Closed Won,40000")
    (project / "crm/won-lost.csv").write_text(rows)
    code, out, _ = run("outcomes", "import", "crm/won-lost.csv")
    assert "(0 new, 1 updated, 4 unchanged)" in out and "4 have decks (3 won or lost)" in out


def test_wilson_interval_matches_published_values() -> None:
    # Newcombe (1998), Statistics in Medicine 17, table I, method 3 (Wilson score)
    assert [round(x, 4) for x in wilson_interval(81, 263)] == [0.2553, 0.3662]
    assert [round(x, 4) for x in wilson_interval(15, 148)] == [0.0624, 0.1605]
    assert [round(x, 4) for x in wilson_interval(0, 20)] == [0.0, 0.1611]
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_every_build_records_who_what_and_for_whom(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run("build", "first-call", "-p", "prospects/globex.yaml", "-o", "build/g.pptx")
    assert code == 0 and err == ""
    db = sqlite3.connect(project / DB)
    event = db.execute("SELECT kind, who, recipe, company, crm_id, segment, output_path, output_hash "
                       "FROM deck_events").fetchall()
    from deckgen.fsutil import sha256_file
    assert event == [("build", "ana", "first-call", "Globex Corporation", None, "enterprise",
                      (project / "build/g.pptx").as_posix(), sha256_file(project / "build/g.pptx"))]
    tags = db.execute("SELECT tag, value FROM deck_event_tags ORDER BY tag, value").fetchall()
    import yaml
    globex = yaml.safe_load((project / "prospects/globex.yaml").read_text())
    assert tags == sorted([("competitor", c) for c in globex["competitors"]] +
                          [("objection", o) for o in globex["objections"]])
    slides = db.execute("SELECT position, slide_key, length(content_hash) FROM deck_event_slides "
                        "ORDER BY position").fetchall()
    plan = json.loads(run("plan", "first-call", "--prospect", "prospects/globex.yaml", "--json")[1])
    assert [key for _, key, _ in slides] == [item["key"] for item in plan["slides"]]
    assert [position for position, _, _ in slides] == list(range(1, len(slides) + 1))
    assert {length for _, _, length in slides} == {64}
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(1,), (2,)]


def test_an_old_database_is_migrated_and_its_summary_filled(project: Path) -> None:
    import sqlalchemy as sa

    from deckgen.scoreboard import store

    run("build", "first-call", "-p", "prospects/globex.yaml", "-o", "build/g.pptx")
    with sqlite3.connect(project / DB) as db:          # as a version-1 deckgen left it
        db.execute("DROP TABLE deck_slide_months")
        db.execute("DELETE FROM schema_version WHERE version = 2")
    engine = store.connect(f"sqlite:///{project / DB}", "test")
    with engine.connect() as connection:
        assert connection.execute(sa.select(store.schema_version.c.version)).scalars().all() == [1, 2]
        used = connection.execute(sa.select(sa.func.count()).select_from(store.slide_months)).scalar()
    engine.dispose()
    slides = sqlite3.connect(project / DB).execute("SELECT count(DISTINCT slide_key) FROM deck_event_slides")
    assert used == slides.fetchone()[0] > 5
    assert report_json()["figures"]["usage_over_time"]["slides"][0]["decks"] == [1]


def test_privacy_switch_stores_no_prospect_name(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = project / "deckgen.yaml"
    config.write_text(config.read_text().replace("hash_prospect_names: false", "hash_prospect_names: true"))
    batch_rebuild_import(project, monkeypatch)
    with sqlite3.connect(project / DB) as db:     # checkpoint the WAL so the main file holds everything
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = (project / DB).read_bytes().lower()
    for name in ("globex corporation", "vandelay industries", "bluth machine", "soylent foods"):
        assert name.encode() not in stored
    assert "4 have decks" in run("outcomes", "import", "crm/won-lost.csv")[1]   # still linked


def test_library_show_includes_usage_and_outcomes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch_rebuild_import(project, monkeypatch)
    decks = manifest_slides(project / "build" / "decks")
    in_all = [key for key in decks[next(iter(decks))] if all(key in keys for keys in decks.values())][0]
    code, out, _ = run("library", "show", in_all, "--min-sample", "3")
    assert code == 0
    assert out.splitlines()[-2:] == [
        f"  usage:    8 decks in the window, 8 ever, last used {today_utc().isoformat()}",
        "  outcomes: 2 won of 3 decided opportunities, win rate 67% (95% CI 21-94%), won amount 150,000"]
    out = run("library", "show", in_all)[1]
    assert out.splitlines()[-1] == ("  outcomes: 2 won of 3 decided opportunities: too few to say "
                                    "(a win rate needs 5)")


def test_two_batches_at_once_lose_no_events(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    batches = [subprocess.Popen([sys.executable, "-m", "deckgen", "batch", "first-call", "-p",
                                 "prospects/crm-export.csv", "-o", f"build/{name}", "-j", "1"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for name in ("east", "west")]
    for process in batches:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert b"warning" not in err.lower()
    db = sqlite3.connect(project / DB)
    counts = dict(db.execute("SELECT substr(output_path, 1, instr(output_path, '/build/') + 10), count(*) "
                             "FROM deck_events GROUP BY 1"))
    assert sorted(counts.values()) == [8, 8]
    expected = sum(len(keys) for keys in manifest_slides(project / "build/east").values()) * 2
    assert db.execute("SELECT count(*) FROM deck_event_slides").fetchone() == (expected,)


def test_killing_a_batch_half_way_leaves_a_consistent_log(project: Path) -> None:
    rows = (project / "prospects/crm-export.csv").read_text().splitlines()
    many = [rows[0]] + [row.replace('",', f' {n}",', 1) for n in range(5) for row in rows[1:]]
    (project / "prospects/many.csv").write_text("\n".join(many) + "\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen([sys.executable, "-m", "deckgen", "batch", "first-call", "-p", "prospects/many.csv",
                                "-o", "build/many", "-j", "1"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if (project / DB).exists():
            try:
                if sqlite3.connect(project / DB).execute("SELECT count(*) FROM deck_events").fetchone()[0] >= 3:
                    break
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    db = sqlite3.connect(project / DB)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    logged = db.execute("SELECT count(*) FROM deck_events").fetchone()[0]
    assert 3 <= logged < 40
    # every event is whole: it has all its slides (no event without them, no slides without an event)
    assert db.execute("SELECT count(*) FROM deck_events e WHERE NOT EXISTS "
                      "(SELECT 1 FROM deck_event_slides s WHERE s.event_id = e.id)").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM deck_event_slides s WHERE NOT EXISTS "
                      "(SELECT 1 FROM deck_events e WHERE e.id = s.event_id)").fetchone() == (0,)
    code, _, err = run("batch", "first-call", "-p", "prospects/many.csv", "-o", "build/many", "-j", "1")
    assert code == 0, err
    assert db.execute("SELECT count(DISTINCT output_path) FROM deck_events").fetchone() == (40,)


# --- bad input ----------------------------------------------------------------------------------

def test_an_outcomes_file_without_a_mapped_column_is_one_line(project: Path) -> None:
    path = project / "crm" / "bad.csv"
    path.write_text("Opportunity ID,Account Name,Account ID,Amount,Close Date\nO-1,Globex,,1,2027-01-01\n")
    code, out, err = run("outcomes", "import", "crm/bad.csv")
    assert code == 1 and out == ""
    assert err == ("error: crm/bad.csv:1: column 'Stage' from scoreboard.outcomes.columns in deckgen.yaml not in "
                   "the file (columns found: 'Opportunity ID', 'Account Name', 'Account ID', 'Amount', "
                   "'Close Date')\n")
    assert not (project / DB).exists()         # nothing was written


def test_json_outcomes_without_a_mapping_use_the_field_names(project: Path) -> None:
    config = project / "deckgen.yaml"
    text = config.read_text()
    config.write_text(text[:text.index("  outcomes:")])
    run("batch", "first-call", "-p", "prospects/crm-export.csv", "-o", "build/decks", "-j", "1")
    (project / "crm/opps.json").write_text(json.dumps([
        {"opportunity": "A", "account": "Globex Corporation", "won": "yes", "amount": 5, "close_date": None},
        {"opportunity": "B", "account": "Bluth Machine Works", "stage": "closed lost"},
        {"opportunity": "C", "account": "Wonka Confectionery", "won": "maybe"}], indent=1))
    code, out, err = run("outcomes", "import", "crm/opps.json")
    assert code == 1
    line = next(n for n, text in enumerate((project / "crm/opps.json").read_text().splitlines(), 1) if '"C"' in text)
    assert err == f"skipped: crm/opps.json:{line - 1}: won value 'maybe' is not yes/no/true/false\n"
    assert out.startswith("crm/opps.json: 2 opportunities (2 new,") and "2 have decks (2 won or lost)" in out


def test_an_unwritable_database_warns_and_the_deck_is_built(project: Path) -> None:
    config = project / "deckgen.yaml"
    config.write_text(config.read_text().replace("database: .deckgen/scoreboard.sqlite",
                                                 "database: deckgen.yaml/scoreboard.sqlite"))
    line = next(n for n, text in enumerate(config.read_text().splitlines(), 1) if "database:" in text)
    code, out, err = run("build", "first-call", "-p", "prospects/globex.yaml", "-o", "build/g.pptx")
    assert code == 0 and (project / "build/g.pptx").is_file()
    assert err.splitlines() == [
        f"warning: build/g.pptx: decks are built but not logged: deckgen.yaml:{line}: cannot create the folder of the "
        f"scoreboard database {project}/deckgen.yaml/scoreboard.sqlite (File exists) (set "
        f"scoreboard.database in deckgen.yaml to a path you can write)"]
    code, out, err = run("batch", "first-call", "-p", "prospects/crm-export.csv", "-o", "build/decks", "-j", "1")
    assert code == 0 and "8 decks built" in out and err.count("not logged") == 1
    code, out, err = run("report", "-o", "build/report")
    assert code == 1 and len(err.splitlines()) == 1 and err.startswith(f"error: deckgen.yaml:{line}: cannot create")
    assert not (project / "build/report").exists()


def test_a_locked_database_is_a_warning_not_a_failure(project: Path) -> None:
    run("build", "first-call", "-p", "prospects/globex.yaml", "-o", "build/a.pptx")
    holder = sqlite3.connect(project / DB, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        import deckgen.scoreboard.database as database
        old, database.LOCK_TIMEOUT = database.LOCK_TIMEOUT, 0.2
        try:
            code, out, err = run("build", "first-call", "-p", "prospects/globex.yaml", "-o", "build/b.pptx")
        finally:
            database.LOCK_TIMEOUT = old
    finally:
        holder.execute("ROLLBACK")
    assert code == 0 and (project / "build/b.pptx").is_file()
    assert err.startswith("warning: ") and "database is locked" in err and len(err.splitlines()) == 1


def test_a_database_from_a_newer_deckgen_is_refused_in_one_line(project: Path) -> None:
    run("build", "first-call", "-p", "prospects/globex.yaml", "-o", "build/a.pptx")
    with sqlite3.connect(project / DB) as db:
        db.execute("INSERT INTO schema_version VALUES (99)")
    line = next(n for n, text in enumerate((project / "deckgen.yaml").read_text().splitlines(), 1)
                if "database:" in text)
    code, _, err = run("report", "--format", "json")
    assert code == 1
    assert err == (f"error: deckgen.yaml:{line}: the scoreboard database has schema version 99, newer than this deckgen "
                   "knows (2) (upgrade deckgen)\n")


def test_unknown_outcome_settings_are_config_errors(project: Path) -> None:
    config = project / "deckgen.yaml"
    config.write_text(config.read_text().replace('"Stage": stage', '"Stage": phase')
                      + "    stages: {maybe: [Verbal yes]}\n")
    code, _, err = run("report", "--format", "json")
    assert code == 1
    assert "column 'Stage' maps to unknown outcome field 'phase'" in err
    assert "unknown stage result 'maybe' (use won, lost or open)" in err


# --- the HTML report in a real browser -----------------------------------------------------------

@pytest.mark.browser
def test_every_chart_of_the_report_is_visible_in_chromium(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_catalog import _chromium   # pytest puts tests/ on sys.path (rootdir conftest)

    batch_rebuild_import(project, monkeypatch)
    code, out, err = run("report", "-o", "build/report", "--min-sample", "1", "--today", today_utc().isoformat())
    assert code == 0, err
    html = (project / "build/report/index.html").read_text()
    assert "<script src=" not in html and "cdn." not in html.split("</script>")[-1]   # works offline
    data = report_json("--min-sample", "1")
    driver, profile = _chromium()
    try:
        driver.get((project / "build/report/index.html").as_uri())
        sections = driver.find_elements("css selector", "section.figure")
        assert [s.get_attribute("id") for s in sections] == list(data["figures"])
        for section in sections:
            driver.execute_script("arguments[0].scrollIntoView()", section)
            meaning = section.find_element("css selector", ".meaning").text
            assert meaning == data["figures"][section.get_attribute("id")]["meaning"]
            svg = section.find_element("css selector", ".js-plotly-plot svg.main-svg")
            size = svg.size
            assert svg.is_displayed() and size["width"] > 300 and size["height"] > 100, section.get_attribute("id")
            marks = section.find_elements("css selector", ".js-plotly-plot .bars path, .js-plotly-plot .hm image, "
                                                            ".js-plotly-plot .annotation")
            assert marks, f"chart {section.get_attribute('id')} draws nothing"
        bars = driver.find_elements("css selector", "#outcomes_by_recipe .bars .point path")
        assert len(bars) == 1
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_dask_builds_are_logged_by_the_coordinating_process(project: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        code, out, err = run("batch", "first-call", "-p", "prospects/crm-export.csv", "-o", "build/dask",
                             "--executor", "dask", "--scheduler", cluster.scheduler_address)
    assert code == 0, err
    db = sqlite3.connect(project / DB)
    assert db.execute("SELECT kind, count(*), count(DISTINCT run_uid) FROM deck_events GROUP BY kind").fetchall() \
        == [("batch", 8, 1)]
    expected = sum(len(keys) for keys in manifest_slides(project / "build/dask").values())
    assert db.execute("SELECT count(*) FROM deck_event_slides").fetchone() == (expected,)


def test_the_catalog_links_to_the_report(project: Path) -> None:
    code, _, err = run("catalog", "-o", "build/catalog", "--no-thumbnails")
    assert code == 0, err
    html = (project / "build/catalog/index.html").read_text()
    assert 'id="report-link" href="../report/index.html"' in html       # scoreboard.report: build/report
    run("catalog", "-o", "site/catalog", "--no-thumbnails", "--report", "site/scoreboard")
    assert 'href="../scoreboard/index.html"' in (project / "site/catalog/index.html").read_text()


def test_a_build_logs_to_a_current_sqlite_file_without_loading_sqlalchemy(project: Path) -> None:
    """The embedded log is written with the standard library once its schema exists: SQLAlchemy's
    import is a third of a second of every build. Both writers' rows read back the same."""
    assert run("build", "first-call", "-p", "prospects/globex.yaml", "-o", "build/a.pptx")[0] == 0  # creates it
    script = ("import sys; from deckgen.cli import main\n"
              "try:\n    main(['build', 'first-call', '-p', 'prospects/globex.yaml', '-o', 'build/b.pptx'])\n"
              "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
              "print('sqlalchemy' in sys.modules)\n")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    result = subprocess.run([sys.executable, "-c", script], cwd=project, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == "False", result.stdout + result.stderr
    with sqlite3.connect(project / DB) as db:
        events = db.execute("SELECT who, at, output_path FROM deck_events ORDER BY id").fetchall()
        months = db.execute("SELECT count(*), count(DISTINCT output_path) FROM deck_slide_months").fetchone()
        slides = db.execute("SELECT count(*) FROM deck_event_slides GROUP BY event_id").fetchall()
    assert [Path(path).name for _, _, path in events] == ["a.pptx", "b.pptx"] and {who for who, _, _ in events} == {"ana"}
    assert all(len(at) == len("2026-01-01 00:00:00.000000") for _, at, _ in events)
    assert slides[0] == slides[1] and months == (2 * slides[0][0], 2)
    code, out, _ = run("report", "--format", "json")
    assert code == 0 and json.loads(out)
