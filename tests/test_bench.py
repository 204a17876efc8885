"""The benchmark (bench/): its library generator, floor and baseline, and a smoke run of bench/run.py."""
from __future__ import annotations

import hashlib
import importlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest
import yaml
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def bench(monkeypatch):
    """Import a bench/ script as a module (they import each other by plain name)."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module


@pytest.fixture(scope="module")
def small_library(tmp_path_factory):
    """A 2-file x 3-slide library and its 3-copies version, generated once for this module."""
    sys.path.insert(0, str(BENCH))
    try:
        synth = importlib.import_module("synth")
        cache = tmp_path_factory.mktemp("bench-cache")
        base = synth.ensure_library(synth.LibrarySpec(2, 3, (64, 40)), cache)
        copies = synth.ensure_library(synth.LibrarySpec(2, 3, (64, 40), copies=3), cache)
    finally:
        sys.path.remove(str(BENCH))
    return base, copies


def _picture_blobs(path: Path) -> list[bytes]:
    return [shape.image.blob for slide in Presentation(path).slides for shape in slide.shapes
            if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_library_modules_match_their_sidecars(small_library):
    base, _ = small_library
    for module in range(2):
        prs = Presentation(base.module_path(module))
        sidecar = yaml.safe_load((base.slide_dir / f"m{module:03d}.yaml").read_text())
        assert [entry["slide_id"] for entry in sidecar["slides"]] == [s.slide_id for s in prs.slides]
        assert [entry["key"] for entry in sidecar["slides"]] == [f"m{module:03d}-s0{n}" for n in (1, 2, 3)]
        assert sidecar["slides"][0]["tags"]["kind"] == "case-study"
        for slide in prs.slides:
            kinds = {shape.shape_type for shape in slide.shapes}
            assert {MSO_SHAPE_TYPE.TABLE, MSO_SHAPE_TYPE.PICTURE} <= kinds
            assert slide.shapes.title.text.startswith(f"Module {module:03d}")
            assert "speaker notes" in slide.notes_slide.notes_text_frame.text.lower()
    pictures = _picture_blobs(base.module_path(0)) + _picture_blobs(base.module_path(1))
    assert len({hashlib.sha256(blob).digest() for blob in pictures}) == 6


def test_library_copies_are_patched_copies_with_their_own_keys(small_library):
    base, copies = small_library
    assert len(list(copies.slide_dir.glob("*.pptx"))) == 6
    copy = Presentation(copies.module_path(5))  # third copy of module 1
    assert [s.shapes.title.text[:10] for s in copy.slides] == ["Module 005"] * 3
    assert _picture_blobs(copies.module_path(5)) == _picture_blobs(base.module_path(1))
    sidecar = yaml.safe_load((copies.slide_dir / "m005.yaml").read_text())
    assert sidecar["slides"][2]["key"] == "m005-s03"
    with zipfile.ZipFile(copies.module_path(5)) as archive:
        assert archive.testzip() is None


def test_floor_copies_the_slide_closure_byte_for_byte(bench, small_library, tmp_path):
    floor = bench("floor")
    base, _ = small_library
    source = base.module_path(1)
    plan = floor.plan_members([f"{source}#2", f"{base.module_path(0)}#2"])
    names = [member for _, member, _ in plan["members"]]
    for part in ("[Content_Types].xml", "ppt/presentation.xml", "ppt/slides/slide2.xml",
                 "ppt/slides/_rels/slide2.xml.rels", "ppt/slideLayouts/slideLayout2.xml",
                 "ppt/slideMasters/slideMaster1.xml", "ppt/theme/theme1.xml", "ppt/media/image2.png",
                 "ppt/notesSlides/notesSlide2.xml", "ppt/notesMasters/notesMaster1.xml"):
        assert part in names
    assert "ppt/slides/slide1.xml" not in names and "ppt/slideLayouts/slideLayout1.xml" not in names
    # the second file shares layout, master and theme: planned once; its slide and picture are its own
    assert names.count("ppt/slideMasters/slideMaster1.xml") == 1
    assert names.count("ppt/slides/slide2.xml") == 2 and names.count("ppt/media/image2.png") == 2
    for mode in ("raw", "inflate"):
        output = tmp_path / f"{mode}.zip"
        assert floor.copy_members(plan, output, mode) == len(names)
        with zipfile.ZipFile(output) as copied:
            assert copied.testzip() is None
            for path, member, destination in plan["members"]:
                with zipfile.ZipFile(path) as original:
                    assert copied.read(destination) == original.read(member)


@pytest.mark.parametrize("method", ["recipe", "copier"])
def test_baseline_writes_the_requested_slides_in_order(bench, small_library, tmp_path, method):
    if method == "copier":
        pytest.importorskip("pptx_slide_copier")
    baseline = bench("baseline")
    base, _ = small_library
    specs = [f"{base.module_path(1)}#3", f"{base.module_path(0)}#1", f"{base.module_path(0)}#2"]
    assert baseline.merge(specs, tmp_path / "out.pptx", method) == 3
    prs = Presentation(tmp_path / "out.pptx")
    assert [s.shapes.title.text[:21] for s in prs.slides] == [
        "Module 001 · slide 03", "Module 000 · slide 01", "Module 000 · slide 02"]
    assert _picture_blobs(tmp_path / "out.pptx") == [
        _picture_blobs(base.module_path(1))[2], *_picture_blobs(base.module_path(0))[:2]]


def test_timed_reports_the_commands_own_peak_memory(tmp_path):
    def peak(code: str) -> dict:
        done = subprocess.run([sys.executable, "-I", "-S", str(BENCH / "timed.py"), str(tmp_path / "log"),
                               "--", sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return json.loads(done.stdout)

    small, big = peak("pass"), peak("b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096])")
    assert small["exit"] == 0 and small["wall_s"] > 0 and big["cpu_s"] > 0
    assert small["peak_mib"] < 40 < 150 < big["peak_mib"]
    assert peak("raise SystemExit(3)")["exit"] == 3


def test_profile_summary_keeps_the_frames_that_take_time(bench, tmp_path):
    pytest.importorskip("pyinstrument")
    run = bench("run")
    script = tmp_path / "work.py"
    script.write_text("import time\n\ndef slow():\n    time.sleep(0.3)\n\ndef quick():\n    pass\n\n"
                      "slow()\nquick()\n")
    session = tmp_path / "work.pyisession"
    subprocess.run([sys.executable, "-m", "pyinstrument", "-r", "pyisession", "-o", str(session),
                    str(script)], check=True, capture_output=True)
    lines = run.summarise_profile(session)
    slow = [line for line in lines if " slow " in line]
    assert len(slow) == 1 and float(slow[0].split()[0]) >= 0.25
    assert not any(" quick " in line or "<frozen" in line or "pyinstrument" in line for line in lines)


def _deckgen_commands() -> set[str]:
    from deckgen.cli import main

    return set(main.list_commands(click.Context(main)))


def test_quick_benchmark_reports_every_case(tmp_path):
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick", "--cache-dir",
                           str(tmp_path / "cache"), "--json", str(report)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "targets (issue 4)" in done.stdout
    data = json.loads(report.read_text())
    rows = {(row["scenario"], row["key"]): row for row in data["results"]}
    requires = {"merge": "merge", "build": "build", "build_cold": "build", "build_template": "build",
                "build_nofit": "build",
                "batch": "batch", "rebuild_noop": "rebuild", "rebuild_one": "rebuild", "check_nomap": "check",
                "check_map": "check", "diff": "diff"}
    expected = [("deck-1x", key) for key in ("floor", "floor_deflate", "baseline", "merge", "build_cold", "build",
                                             "build_nofit", "build_template")]
    expected += [("deck-10x", key) for key in ("floor", "merge", "build_cold", "build", "build_nofit",
                                               "build_template")]
    expected += [("batch", "batch"), ("rebuild", "rebuild_noop"), ("rebuild", "rebuild_one")]
    expected += [("message-map", key) for key in ("check_nomap", "check_map", "diff")]
    expected += [("large-data", f"table_{n}") for n in (10, 100, 500)]
    expected += [("large-data", f"chart_{n}") for n in (10, 200, 1000)]
    assert sorted(rows) == sorted(expected)
    commands = _deckgen_commands()
    for key, row in rows.items():
        needed = requires.get(key[1])
        if needed is None or needed in commands:
            assert row["status"] == "measured", row
            assert row["median_s"] > 0 and row["median_cpu_s"] > 0 and row["peak_mib"] > 5
        else:
            assert row["status"] == "skipped" and f"deckgen {needed}" in row["reason"]
    assert rows[("deck-1x", "baseline")]["facts"]["slides"] == 4  # 2 files x 2 slides
    assert rows[("deck-1x", "floor")]["facts"]["members"] > 4 * 5  # slide, rels, notes, media per slide
    ratios = {ratio["name"]: ratio["value"] for ratio in data["ratios"]}
    floor, baseline = rows[("deck-1x", "floor")], rows[("deck-1x", "baseline")]
    assert ratios["baseline / floor"] == pytest.approx(baseline["median_s"] / floor["median_s"], rel=0.01)
    if "merge" in commands:
        merge = rows[("deck-1x", "merge")]
        assert merge["facts"]["slides"] == 4
        assert ratios["deckgen merge / floor"] == pytest.approx(merge["median_s"] / floor["median_s"], rel=0.01)
        assert ratios["baseline / deckgen merge"] > 0
    if {"check", "diff", "map"} <= commands:
        # the same library (20 modules x 3 slides plus the added one) checked with and without the map
        with_map, without = rows[("message-map", "check_map")]["facts"], rows[("message-map", "check_nomap")]["facts"]
        assert with_map["slides"] == without["slides"] == 61 and with_map["errors"] == without["errors"] == 0
        assert with_map["warnings"] == without["warnings"]     # the starter map fits the library it came from
        diff = rows[("message-map", "diff")]["facts"]
        assert diff["decks"] == 7 and 0 < diff["changed"] < 7    # 6 CRM rows + globex.yaml; enterprise ones change
        assert "deckgen check, message map enforced / no map" in ratios
    # the decks are checked after the first run: every row and every category is there
    assert rows[("large-data", "table_500")]["facts"] == {"rows": 500}
    assert rows[("large-data", "chart_1000")]["facts"] == {"categories": 1000}
    assert "table: CPU per row at 500 / at 100 (1 = linear)" in ratios
    assert "chart: CPU per category at 1,000 / at 200 (1 = linear)" in ratios
    targets = {target["name"]: target["status"] for target in data["targets"]}
    assert set(targets.values()) <= {"PASS", "MISS", "n/a"}
    merge_verdict = targets["merge: wall <= 2x floor"]
    assert merge_verdict in ({"PASS", "MISS"} if "merge" in commands else {"n/a"})
    template = rows[("deck-1x", "build_template")]
    assert template["facts"]["masters"] == 1  # the template's one master, whatever the modules had
    assert ratios["deckgen build --look template / --look source"] == pytest.approx(
        template["median_s"] / rows[("deck-1x", "build")]["median_s"], rel=0.01)
    assert targets["build --look template: <= 1.5x --look source (issue 13)"] in {"PASS", "MISS"}
    assert targets["chart: filling is linear, CPU per category at 1,000 within 1.5x of 200 (issue 15)"] \
        in {"PASS", "MISS", "n/a"}
