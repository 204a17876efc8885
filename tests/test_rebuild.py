"""Tests of `deckgen rebuild`: only decks whose inputs changed are built again, and why is said."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

import deckgen.ops.executors as executors
from deckgen.cli import main
from deckgen.ops.batch import run_batch
from deckgen.ops.rebuild import run_rebuild
from deckgen.errors import ConfigError, LockedError
from incremental_project import (GOOD_DECKS, USES_BATTLE_ACME, USES_BATTLE_INITECH,
                                 assert_manifest_consistent, deck_titles, decks_on_disk, make_project,
                                 manifest, run_killed, set_slide_text)


@pytest.fixture
def built(tmp_path: Path, monkeypatch) -> Path:
    """A project whose five good decks are built into project/out; returns the project folder."""
    root = make_project(tmp_path / "project")
    monkeypatch.chdir(root)
    report = run_batch("first-call", "prospects/accounts.csv", root / "out", jobs=1)
    assert sorted(report.built) == GOOD_DECKS
    return root


def mtimes(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_mtime_ns for path in folder.glob("*.pptx")}


def test_nothing_changed_rebuilds_nothing(built):
    out = built / "out"
    before = mtimes(out)
    result = CliRunner().invoke(main, ["rebuild", "out"])
    assert result.exit_code == 0, result.output
    assert result.output == "0 decks to rebuild (5 up to date)\n"
    assert mtimes(out) == before


def test_editing_one_slide_rebuilds_exactly_the_decks_that_use_it(built):
    out = built / "out"
    set_slide_text(built / "slide_library" / "battle.pptx", "Why not Acme", "Acme costs you more")
    untouched = {name: (out / name).read_bytes() for name in GOOD_DECKS if name not in USES_BATTLE_ACME}

    dry = CliRunner().invoke(main, ["rebuild", "out", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == [
        f"{name}: slide 'battle-acme' changed (battle.pptx)" for name in USES_BATTLE_ACME
    ] + ["3 decks to rebuild, 2 up to date"]
    assert "Acme costs you more" not in deck_titles(out / "initrode-first-call.pptx")   # dry: no build

    report = run_rebuild(out, jobs=2)
    assert sorted(report.built) == USES_BATTLE_ACME
    assert report.failed == []
    for name in USES_BATTLE_ACME:
        assert "Acme costs you more" in deck_titles(out / name)
    assert {name: (out / name).read_bytes() for name in untouched} == untouched
    assert_manifest_consistent(out)

    again = CliRunner().invoke(main, ["rebuild", "out"])
    assert again.output == "0 decks to rebuild (5 up to date)\n"


def test_a_recipe_change_rebuilds_every_deck_of_that_recipe(built):
    recipe = built / "recipes" / "first-call.yaml"
    recipe.write_text(recipe.read_text().replace("name: First call", "name: First meeting"))
    report = run_rebuild(built / "out", dry_run=True)
    assert {stale.entry.name: stale.reasons for stale in report.stale} == {
        name: ("recipe file recipes/first-call.yaml changed",) for name in GOOD_DECKS}


def test_setting_or_changing_the_brand_template_rebuilds_every_deck(built):
    from pptx import Presentation

    template = built / "brand.pptx"
    Presentation().save(template)
    config = built / "deckgen.yaml"
    config.write_text(config.read_text() + "brand:\n  template: brand.pptx\n")
    report = run_rebuild(built / "out", dry_run=True)
    assert {stale.entry.name: stale.reasons for stale in report.stale} == {
        name: ("brand template set",) for name in GOOD_DECKS}
    assert sorted(run_rebuild(built / "out", jobs=1).built) == GOOD_DECKS
    prs = Presentation()
    prs.slide_master.name = "Changed"
    prs.save(template)
    report = run_rebuild(built / "out", dry_run=True)
    assert {stale.entry.name: stale.reasons for stale in report.stale} == {
        name: ("brand template changed",) for name in GOOD_DECKS}


def test_a_deck_deleted_or_edited_on_disk_is_built_again(built):
    out = built / "out"
    (out / "initrode-first-call.pptx").unlink()
    with open(out / "stark-tooling-first-call.pptx", "ab") as handle:
        handle.write(b"junk")
    os.utime(out / "bluth-machine-works-first-call.pptx")     # touched, bytes unchanged: not rebuilt
    report = run_rebuild(out, jobs=1)
    assert {stale.entry.name: stale.reasons for stale in report.stale} == {
        "initrode-first-call.pptx": ("deck file is missing",),
        "stark-tooling-first-call.pptx": ("deck file differs from its last build",)}
    assert decks_on_disk(out) == GOOD_DECKS
    assert_manifest_consistent(out)


def test_a_slide_removed_from_the_library_is_reported_and_the_deck_rebuilt_without_it(built):
    out = built / "out"
    sidecar = built / "slide_library" / "battle.yaml"
    text = sidecar.read_text()
    start = text.index("  - key: battle-initech")
    sidecar.write_text(text[:start])                       # the slide's entry is gone
    result = CliRunner().invoke(main, ["rebuild", "out"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name in USES_BATTLE_INITECH:
        assert f"rebuilt {name}: slide 'battle-initech' was removed from the library (was in battle.pptx)" in lines
        assert (f"warning: {name}: slide 'battle-initech' was removed from the library (was in battle.pptx); "
                f"it was rebuilt without it") in lines
        assert "Why not Initech" not in deck_titles(out / name)
    assert lines[-1].startswith("2 decks rebuilt, 3 up to date, 0 failed")
    assert_manifest_consistent(out)


def test_a_removed_slide_the_recipe_names_fails_those_decks_and_keeps_the_old_files(built):
    out = built / "out"
    before = {name: (out / name).read_bytes() for name in GOOD_DECKS}
    sidecar = built / "slide_library" / "core.yaml"
    text = sidecar.read_text()
    sidecar.write_text(text[:text.index("  - key: closing")])
    result = CliRunner().invoke(main, ["rebuild", "out"])
    assert result.exit_code == 1
    failures = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failures) == 5
    assert failures[0] == ("failed: bluth-machine-works-first-call.pptx (prospects/accounts.csv:5): "
                           "recipes/first-call.yaml:14: no slide with key 'closing' in the library "
                           "(see the keys in the sidecars of slide_library)")
    assert {name: (out / name).read_bytes() for name in GOOD_DECKS} == before
    assert sorted(manifest(out)["decks"]) == GOOD_DECKS      # still recorded, never silently dropped


def test_rebuild_works_from_any_directory_like_cron(built, tmp_path, monkeypatch):
    set_slide_text(built / "slide_library" / "value.pptx", "Live in weeks", "Live in days")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    report = run_rebuild(built / "out", jobs=1)
    assert sorted(report.built) == ["bluth-machine-works-first-call.pptx", "stark-tooling-first-call.pptx"]


def test_rebuild_of_a_folder_without_manifest_says_what_to_do(built):
    result = CliRunner().invoke(main, ["rebuild", "prospects"])
    assert result.exit_code == 1
    assert result.output == ("error: no build manifest (deckgen-manifest.json) in prospects "
                             "(build decks there first with `deckgen batch` (or pass the output folder))\n")


def test_two_concurrent_rebuilds_the_second_gets_the_lock_error(built, monkeypatch):
    out = built / "out"
    set_slide_text(built / "slide_library" / "battle.pptx", "Why not Acme", "Acme costs you more")
    started, release = threading.Event(), threading.Event()
    real_build = executors.build_deck

    def slow_build(*args, **kwargs):
        started.set()
        assert release.wait(30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(executors, "build_deck", slow_build)
    first: dict = {}
    thread = threading.Thread(target=lambda: first.setdefault("report", run_rebuild(out, jobs=1)))
    thread.start()
    try:
        assert started.wait(30)
        second = CliRunner().invoke(main, ["rebuild", "out"])
        assert second.exit_code == 3
        assert second.output == (f"error: another deckgen run (pid {os.getpid()}) holds out/.deckgen.lock "
                                 f"(wait for it to finish, or stop it, then run again)\n")
        with pytest.raises(LockedError):
            run_rebuild(out, dry_run=True)
    finally:
        release.set()
        thread.join(60)
    assert sorted(first["report"].built) == USES_BATTLE_ACME
    assert CliRunner().invoke(main, ["rebuild", "out"]).output == "0 decks to rebuild (5 up to date)\n"


def test_a_rebuild_killed_mid_write_leaves_every_deck_whole_and_the_rerun_finishes(built):
    out = built / "out"
    set_slide_text(built / "slide_library" / "proof.pptx", "Small shop wins", "Small shops win big")
    set_slide_text(built / "slide_library" / "value.pptx", "One platform", "One platform, every plant")
    # every deck uses one of the two slides: all five are rebuilt, and the run dies on the third
    killed = run_killed(["rebuild", "out", "-j", "1"], built, kill_at=3)
    assert killed.returncode == -signal.SIGKILL
    assert decks_on_disk(out) == GOOD_DECKS
    for name in GOOD_DECKS:
        deck_titles(out / name)        # every deck opens: old or new, never half-written
    assert sorted(manifest(out)["decks"]) == GOOD_DECKS

    report = run_rebuild(out, jobs=1)
    assert report.failed == []
    assert 3 <= len(report.built) <= 5     # the two built before the kill count once the manifest saw them
    assert_manifest_consistent(out)
    titles = [title for name in GOOD_DECKS for title in deck_titles(out / name)]
    assert "One platform" not in titles and "Small shop wins" not in titles
    assert run_rebuild(out).stale == []


def test_a_damaged_manifest_is_one_clear_error(built):
    (built / "out" / "deckgen-manifest.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"out/deckgen-manifest.json: the build manifest cannot be read"):
        run_rebuild(built / "out")


def test_deckgen_rebuild_runs_as_a_command(built):
    """The console script works as cron and CI call it (a new process, no click runner)."""
    set_slide_text(built / "slide_library" / "core.pptx",
                   "Next steps with {{ prospect.company }}", "Talk soon, {{ prospect.company }}")
    done = subprocess.run([sys.executable, "-m", "deckgen", "rebuild", str(built / "out"), "--jobs", "2"],
                          capture_output=True, text=True, timeout=300, cwd="/")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("5 decks rebuilt, 0 up to date, 0 failed")
    assert deck_titles(built / "out" / "initrode-first-call.pptx")[-1] == "Talk soon, Initrode"


def test_rebuild_reads_the_crm_export_again_changed_added_and_vanished_rows(built):
    out = built / "out"
    accounts = built / "prospects" / "accounts.csv"
    text = accounts.read_text(encoding="utf-8")
    text = text.replace("Initrode,enterprise,acme,5400,", "Initrode,enterprise,initech,5400,")   # changed row
    text = text.replace("Stark Tooling,smb,acme,120,\n", "")                                     # vanished row
    accounts.write_text(text + "Hooli,mid-market,acme,900,\n", encoding="utf-8")                 # added row
    stark = (out / "stark-tooling-first-call.pptx").read_bytes()

    dry = CliRunner().invoke(main, ["rebuild", "out", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "hooli-first-call.pptx: new deck" in dry.stdout
    assert "initrode-first-call.pptx: prospect data changed" in dry.stdout
    assert ("warning: stark-tooling-first-call.pptx: its prospect row is gone from its prospects file; "
            "the deck is kept (rebuild --prune deletes it)") in dry.stderr

    report = run_rebuild(out, jobs=1)
    assert sorted(report.built) == ["hooli-first-call.pptx", "initrode-first-call.pptx"]
    assert report.vanished == ["stark-tooling-first-call.pptx"] and report.pruned == []
    assert (out / "stark-tooling-first-call.pptx").read_bytes() == stark      # never deleted unasked
    assert "Why not Initech" in deck_titles(out / "initrode-first-call.pptx")

    pruned = run_rebuild(out, jobs=1, prune=True)
    assert pruned.pruned == ["stark-tooling-first-call.pptx"]
    assert not (out / "stark-tooling-first-call.pptx").exists()
    assert "stark-tooling-first-call.pptx" not in manifest(out)["decks"]
    assert_manifest_consistent(out)
    assert run_rebuild(out, jobs=1).stale == []
