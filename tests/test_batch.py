"""Tests of `deckgen batch`: CRM rows -> one deck each, in parallel, with a manifest and a summary."""
from __future__ import annotations

import json
import signal
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckgen.cli import main
from deckgen.ops.batch import run_batch
from deckgen.pipeline.naming import DeckNamer
from deckgen.prospect_files import read_prospects
from deckgen.pipeline.workspace import Workspace
from deckgen.config import load_config
from deckgen.errors import ConfigError, InputFileError
from deckgen.prospect import prospect_from_data
from incremental_project import (GOOD_DECKS, assert_manifest_consistent, deck_titles, decks_on_disk,
                                 make_project, manifest, run_killed)


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = make_project(tmp_path / "project")
    monkeypatch.chdir(root)
    return root


def test_batch_from_csv_with_one_bad_row_builds_the_others_and_exits_1(project):
    result = CliRunner().invoke(main, ["batch", "first-call", "-p", "prospects/accounts.csv",
                                       "-o", "out", "--jobs", "2"])
    assert result.exit_code == 1, result.output
    failures = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert failures == ["failed: prospects/accounts.csv:6: missing required field 'company' "
                        "(add 'company: ...')"]
    assert "5 decks built, 0 up to date, 1 failed" in result.output
    out = project / "out"
    assert decks_on_disk(out) == GOOD_DECKS
    # each deck is a whole package, personalised for its own row, with the slides its plan chose
    assert deck_titles(out / "globex-corporation-first-call.pptx") == [
        "Northwind for Globex Corporation", "One platform", "Globex saved 20%", "Why not Acme",
        "Why not Initech", "Next steps with Globex Corporation"]
    assert deck_titles(out / "bluth-machine-works-first-call.pptx") == [
        "Northwind for Bluth Machine Works", "Live in weeks", "Small shop wins",
        "Next steps with Bluth Machine Works"]
    recorded = manifest(out)
    assert sorted(recorded["decks"]) == GOOD_DECKS
    globex = recorded["decks"]["globex-corporation-first-call.pptx"]
    assert globex["prospect"]["label"] == "prospects/accounts.csv:2"
    assert globex["prospect"]["data"] == {"company": "Globex Corporation", "segment": "enterprise",
                                          "competitors": ["acme", "initech"],
                                          "values": {"employees": 12000}, "logo": "logos/globex.png"}
    assert [slide["key"] for slide in globex["record"]["slides"]] == [
        "title", "vp-platform", "case-enterprise", "battle-acme", "battle-initech", "closing"]
    assert globex["record"]["recipe_files"].keys() == {"recipes/first-call.yaml"}
    assert_manifest_consistent(out)


def test_a_bad_logo_fails_that_deck_only(project):
    csv = project / "prospects" / "accounts.csv"
    csv.write_text(csv.read_text().replace("Initrode,enterprise,acme,5400,",
                                           "Initrode,enterprise,acme,5400,logos/missing.png"))
    report = run_batch("first-call", csv, project / "out", jobs=1)
    assert sorted(str(failure) for failure in report.failed) == [
        f"prospects/accounts.csv:3: logo file 'logos/missing.png' not found "
        f"(looked for {project / 'prospects' / 'logos' / 'missing.png'})",
        "prospects/accounts.csv:6: missing required field 'company' "
        "(add 'company: ...')"]
    assert sorted(report.built) == [name for name in GOOD_DECKS if name != "initrode-first-call.pptx"]


def test_a_second_batch_skips_decks_that_are_up_to_date_and_force_gives_the_same_bytes(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")     # decks are stamped with the build time
    out = project / "out"
    first = run_batch("first-call", "prospects/accounts.csv", out, jobs=1)
    assert sorted(first.built) == GOOD_DECKS
    before = {name: (out / name).read_bytes() for name in GOOD_DECKS}
    mtimes = {name: (out / name).stat().st_mtime_ns for name in GOOD_DECKS}

    again = run_batch("first-call", "prospects/accounts.csv", out, jobs=1)
    assert again.built == [] and sorted(again.up_to_date) == GOOD_DECKS
    assert {name: (out / name).stat().st_mtime_ns for name in GOOD_DECKS} == mtimes

    forced = run_batch("first-call", "prospects/accounts.csv", out, jobs=2, force=True)
    assert sorted(forced.built) == GOOD_DECKS
    assert {name: (out / name).read_bytes() for name in GOOD_DECKS} == before


def test_a_changed_row_rebuilds_only_its_deck(project):
    out = project / "out"
    run_batch("first-call", "prospects/accounts.csv", out, jobs=1)
    csv = project / "prospects" / "accounts.csv"
    csv.write_text(csv.read_text().replace("Initrode,enterprise,acme,5400", "Initrode,enterprise,initech,5400"))
    report = run_batch("first-call", csv, out, jobs=1)
    assert report.built == ["initrode-first-call.pptx"]
    assert [stale.reasons for stale in report.stale] == [
        ("prospect data changed", "slide 'battle-acme' is no longer chosen (battle.pptx)",
         "slide 'battle-initech' added (battle.pptx)")]
    assert "Why not Initech" in deck_titles(out / "initrode-first-call.pptx")


def test_a_row_added_at_the_top_builds_one_deck_and_the_others_keep_their_names(project):
    out = project / "out"
    run_batch("first-call", "prospects/accounts.csv", out, jobs=1)
    csv = project / "prospects" / "accounts.csv"
    header, rest = csv.read_text().split("\n", 1)
    csv.write_text(f"{header}\nHooli,enterprise,initech,90000,\nToo,many,cells,1,,extra\n{rest}")
    report = run_batch("first-call", csv, out, jobs=1)
    assert report.built == ["hooli-first-call.pptx"]
    assert sorted(report.up_to_date) == GOOD_DECKS
    assert [str(failure) for failure in report.failed] == [
        "prospects/accounts.csv:3: the row has 1 more cell than the header has columns",
        "prospects/accounts.csv:8: missing required field 'company' (add 'company: ...')"]
    assert manifest(out)["decks"]["globex-corporation-first-call.pptx"]["prospect"]["label"] == \
        "prospects/accounts.csv:4"                  # where the row is now


def test_csv_cells_become_lists_numbers_and_nested_fields(tmp_path):
    csv = tmp_path / "crm.csv"
    csv.write_text(textwrap.dedent("""\
        Account Name,Tier,Competitor,Employees,Revenue,Contact,Notes
        "Globex, Inc.",enterprise, acme ; initech ;,"12,000",1250000.50,Hank,"two
        lines"
        Bluth,smb,,007,,,
        """), encoding="utf-8")
    columns = {"Account Name": "company", "Tier": "segment", "Competitor": "competitors",
               "Employees": "values.employees", "Revenue": "values.revenue", "Contact": "contact.name"}
    rows = read_prospects(csv, columns)
    assert [(row.label, row.line, row.index) for row in rows] == [
        (f"{csv.as_posix()}:2", 2, 1), (f"{csv.as_posix()}:4", 4, 2)]
    assert rows[0].data == {"company": "Globex, Inc.", "segment": "enterprise",
                            "competitors": ["acme", "initech"],
                            "values": {"employees": 12000, "revenue": 1250000.5},
                            "contact": {"name": "Hank"}}
    assert rows[1].data == {"company": "Bluth", "segment": "smb", "values": {"employees": 7}}


def test_csv_without_a_column_mapping_uses_headers_as_fields(tmp_path):
    csv = tmp_path / "plain.csv"
    csv.write_text("company;segment;objections;values.sites\nGlobex;enterprise;price;3\n", encoding="utf-8")
    (row,) = read_prospects(csv, {})
    assert row.data == {"company": "Globex", "segment": "enterprise", "objections": ["price"],
                        "values": {"sites": 3}}


def test_a_mapped_column_missing_from_the_csv_stops_the_run_naming_the_header(project):
    csv = project / "prospects" / "old.csv"
    csv.write_text("Account Name,Segment\nGlobex,enterprise\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", "first-call", "-p", "prospects/old.csv", "-o", "out"])
    assert result.exit_code == 1
    assert result.output.startswith("error: prospects/old.csv:1: columns 'Competitor', 'Employees', "
                                    "'Logo' from batch.columns in deckgen.yaml not in the CSV header")
    assert "Traceback" not in result.output
    assert not (project / "out" / "deckgen-manifest.json").exists()


def test_yaml_and_json_lists_of_prospects(project):
    (project / "prospects" / "list.yaml").write_text(textwrap.dedent("""\
        - company: Globex Corporation
          segment: enterprise
          competitors: [acme]
        - company: Hooli
          segment: unknown-segment
        """), encoding="utf-8")
    (project / "prospects" / "list.json").write_text(json.dumps(
        [{"company": "Bluth", "segment": "smb"}, "not a prospect"], indent=1), encoding="utf-8")
    report = run_batch("first-call", "prospects/list.yaml", project / "out", jobs=1)
    assert report.built == ["globex-corporation-first-call.pptx"]
    (failure,) = report.failed
    assert failure.name == "hooli-first-call.pptx" and failure.label == "prospects/list.yaml:4"
    assert "segment 'unknown-segment' is not a segment of the library" in str(failure)
    report = run_batch("first-call", "prospects/list.json", project / "out", jobs=1)
    assert report.built == ["bluth-first-call.pptx"]
    assert [str(f) for f in report.failed] == [
        "prospects/list.json:6: each prospect must be a mapping of fields (company, segment, ...)"]


def test_names_that_collide_get_numbered_in_row_order(project):
    (project / "prospects" / "dupes.yaml").write_text(textwrap.dedent("""\
        - {company: Globex, segment: enterprise}
        - {company: GLOBEX, segment: smb}
        - {company: Globex!, segment: mid-market}
        """), encoding="utf-8")
    report = run_batch("first-call", "prospects/dupes.yaml", project / "out", jobs=1)
    assert report.failed == []
    decks = manifest(project / "out")["decks"]
    assert {name: entry["prospect"]["data"]["segment"] for name, entry in decks.items()} == {
        "globex-first-call.pptx": "enterprise", "globex-first-call-2.pptx": "smb",
        "globex-first-call-3.pptx": "mid-market"}


def test_a_made_up_name_never_takes_a_name_another_row_asks_for():
    namer = DeckNamer("{{ prospect.company }}.pptx", "r")
    assert namer.unique(["a.pptx", "a.pptx", "a-2.pptx", None]) == ["a.pptx", "a-3.pptx", "a-2.pptx", None]


def test_a_name_pattern_that_leaves_the_output_folder_fails_the_row(tmp_path):
    namer = DeckNamer("../{{ prospect.company }}", "first-call")
    prospect = prospect_from_data({"company": "Globex", "segment": "smb"}, base_dir=tmp_path, label="x")
    with pytest.raises(ConfigError, match=r"gives '../Globex', which is not a file name inside the output"):
        namer.render(prospect)
    plain = DeckNamer("{{ prospect.segment }}/{{ prospect.company | slug }}", "first-call")
    assert plain.render(prospect) == "smb/globex.pptx"
    with pytest.raises(ConfigError, match=r"fails: 'dict object' has no attribute 'region'"):
        DeckNamer("{{ prospect.region }}.pptx", "r").render(prospect)


def test_an_unreadable_prospects_file_is_one_clear_error(project):
    with pytest.raises(InputFileError, match="prospects file not found"):
        run_batch("first-call", "prospects/nope.csv", project / "out")
    (project / "prospects" / "latin1.csv").write_bytes("company,segment\nM\xfcller,smb\n".encode("latin-1"))
    result = CliRunner().invoke(main, ["batch", "first-call", "-p", "prospects/latin1.csv", "-o", "out"])
    assert result.exit_code == 1
    assert result.output == ("error: prospects/latin1.csv: the CSV file is not UTF-8 text "
                             "(export it from the CRM as CSV UTF-8)\n")


def test_a_batch_killed_mid_write_keeps_the_manifest_consistent_and_a_rerun_finishes(project):
    out = project / "out"
    killed = run_killed(["batch", "first-call", "-p", "prospects/accounts.csv", "-o", "out", "-j", "1"],
                        project, kill_at=4)
    assert killed.returncode == -signal.SIGKILL
    leftovers = list(out.glob(".*.part"))
    assert len(leftovers) == 1                     # the half-written temporary file
    on_disk = decks_on_disk(out)
    assert len(on_disk) == 3
    if (out / "deckgen-manifest.json").exists():   # saved at most once a second: may be absent
        assert set(manifest(out)["decks"]) <= set(on_disk)
        assert_manifest_consistent(out)
    for name in on_disk:
        deck_titles(out / name)                    # every deck on disk is whole

    result = CliRunner().invoke(main, ["batch", "first-call", "-p", "prospects/accounts.csv", "-o", "out"])
    assert result.exit_code == 1                   # the bad row still fails
    assert "failed: prospects/accounts.csv:6: missing required field 'company'" in result.output
    assert decks_on_disk(out) == GOOD_DECKS
    assert sorted(manifest(out)["decks"]) == GOOD_DECKS
    assert_manifest_consistent(out)
    assert list(out.glob(".*.part")) == []          # the run under the lock cleared the leftover


def test_the_python_api_builds_without_click(project):
    workspace = Workspace(load_config(project / "deckgen.yaml"))
    seen = []
    report = run_batch("first-call", project / "prospects" / "accounts.csv", project / "out",
                       workspace=workspace, jobs=1, progress=lambda done, total, outcome: seen.append((done, total)))
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert report.exit_code == 1 and len(report.built) == 5


def test_an_output_folder_that_cannot_be_made_is_one_line(project):
    (project / "taken").write_text("a file where the output folder should be")
    result = CliRunner().invoke(main, ["batch", "first-call", "-p", "prospects/accounts.csv",
                                       "-o", "taken/decks", "--jobs", "1"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("error: taken/decks: cannot write the output (")
    assert result.exception is None or isinstance(result.exception, SystemExit)
