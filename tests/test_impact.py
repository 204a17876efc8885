"""deckgen diff: which decks and slides a library edit changes, and why, before it lands."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckgen.cli import main

from conftest import write_text

NEW_MODULE = """
    status: approved
    tags: {kind: value-prop}
    slides:
      - key: vp-new-general
        slide_id: 256
        tags: {segment: [enterprise, mid-market, smb]}
      - key: vp-new-midmarket
        slide_id: 257
        priority: 2
        tags: {segment: [mid-market]}
    """


def git(*args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], check=True,
                   capture_output=True)


@pytest.fixture
def committed(example_project: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    write_text(Path("prospects/two.csv"), """
        "Account Name","Segment","Industry","Competitor","Objections","Employees","Contact","Logo","Account ID"
        "Globex Corporation","Enterprise","manufacturing","acme","security","12000","Hank","prospects/logos/globex.png","A-1"
        "Vandelay Industries","Mid-Market","packaging","umbrella","price","850","Art","prospects/logos/vandelay.png","A-2"
        """)
    shutil.move("prospects/two.csv", "two.csv")        # batch input, not a folder prospect
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "library as approved")
    result = CliRunner().invoke(main, ["batch", "first-call", "-p", "two.csv", "-o", "build"])
    assert result.exit_code == 0, result.output
    return example_project


def diff(*args: str) -> dict:
    result = CliRunner().invoke(main, ["diff", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def changed(report: dict) -> dict[str, list[tuple[str, str, int]]]:
    return {deck["deck"]: [(c["change"], c["key"], c["position"]) for c in deck["changes"]]
            for deck in report["decks"] if deck["status"] == "changed"}


def test_nothing_changes_before_an_edit(committed: Path) -> None:
    report = diff()
    assert report["summary"]["changed"] == 0 and report["summary"]["errors"] == 0
    assert report["summary"]["decks"] == 2 + 5 * 11       # 2 built decks; 5 recipes x 11 folder prospects


def test_a_module_sorting_first_changes_only_what_its_priorities_say(committed: Path, make_module) -> None:
    make_module(Path("slide_library"), "aaa-new", ["For everyone", "For mid-market"], NEW_MODULE)
    report = diff()
    mid_market = [("added", "vp-new-midmarket", 6), ("removed", "vp-live-in-weeks", 7)]
    assert changed(report) == {
        "build/vandelay-industries-first-call.pptx": mid_market,
        # mid-market folder prospects (CRM export rows 3, 6, 8 and vandelay.json), first-call only
        "first-call for Vandelay Industries": mid_market,
        "first-call for Wonka Confectionery": mid_market,
        "first-call for Tyrell Robotics": mid_market,
    }
    deck = next(d for d in report["decks"] if d["deck"] == "build/vandelay-industries-first-call.pptx")
    added, removed = deck["changes"]
    assert added["section"] == "value" and added["reason"] == (
        "section 'value': matched kind=value-prop, segment=mid-market (first 3 of 6 matches)")
    assert removed["reason"] == ("section 'value': matched kind=value-prop, segment=mid-market but limit 3 "
                                 "was reached")
    text = CliRunner().invoke(main, ["diff", "--no-prospects"]).output.splitlines()
    assert text[1:] == ["  + vp-new-midmarket at 6: section 'value': matched kind=value-prop, segment=mid-market "
                        "(first 3 of 6 matches)",
                        "  - vp-live-in-weeks at 7: section 'value': matched kind=value-prop, segment=mid-market "
                        "but limit 3 was reached",
                        "1 of 2 decks change"]


def test_a_changed_slide_and_a_deck_that_cannot_be_planned_are_reported(committed: Path) -> None:
    text = Path("recipes/first-call.yaml").read_text()
    Path("recipes/first-call.yaml").write_text(text.replace("slides: [approach-90-days]", "slides: [approach-9O-days]"))
    result = CliRunner().invoke(main, ["diff", "--no-prospects"])
    assert result.exit_code == 1
    assert "error: " in result.output and "approach-9O-days" in result.output
    assert result.output.splitlines()[-1] == "0 of 2 decks change, 2 cannot be planned"


def test_outside_git_the_manifest_decks_are_still_compared(example_project: Path) -> None:
    result = CliRunner().invoke(main, ["diff", "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["decks"] == [] and "is not in a git repository" in report["notes"][0]
