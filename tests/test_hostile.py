"""Hostile and careless input, run as real `deckgen` processes under a timeout and a memory cap.

Every case must end with exit code 1, one "error: ..." line naming the input, no traceback, and
nothing changed outside the output folder: not the library, recipes, prospects or config, and
not a file outside the project. A hang fails the case (timeout) instead of hanging CI, and a
case that allocates without bound dies at the memory cap instead of taking the machine.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from deckgen.safepaths import MAX_PATH_BYTES
from deckgen.yamlio import MAX_DEPTH
from conftest import copy_example_project

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 90                       # seconds per case; a sound case takes a few
MEMORY_CAP = 2 * 1024 ** 3         # address space per case (python, lxml, pillow and pptx fit in it)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_deckgen(args: list[str], cwd: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """Run `python -m deckgen ARGS` in ``cwd`` under the timeout and memory cap of this module."""
    env = dict(os.environ, PYTHONPATH=str(REPO), DECKGEN_CACHE_DIR=str(cwd / ".cache"),
               PYTHONDONTWRITEBYTECODE="1")
    try:
        return subprocess.run([sys.executable, "-m", "deckgen", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, errors="replace", timeout=timeout,
                              preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"deckgen {' '.join(args)[:200]} did not finish within {timeout} s")


def snapshot(root: Path, skip: set[Path]) -> dict[str, str]:
    """sha256 (or link target) of every file below ``root`` except those under ``skip``."""
    found = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = [d for d in dirs if here / d not in skip]
        for name in files + [d for d in dirs if (here / d).is_symlink()]:
            path = here / name
            if path.is_symlink():
                found[str(path)] = "link:" + os.readlink(path)
            elif path.is_file():
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# -- building hostile files ---------------------------------------------------------------------

def _rewrite_member(deck: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one member of a .pptx (deflate level 1: big padding compresses quickly)."""
    with zipfile.ZipFile(deck) as source:
        items = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(deck, "w") as target:
        for info, data in items:
            if info.filename == member:
                data = change(data)
            target.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def _with_doctype(data: bytes) -> bytes:
    head, sep, rest = data.partition(b"?>")
    return head + sep + b'<!DOCTYPE p:sld [<!ENTITY boom "Boom">]>' + rest


def _photo_picture(data: bytes) -> bytes:
    """The title slide's logo picture filled from a prospect value instead (``image:photo``)."""
    return data.replace(b'name="logo" descr="image.png"', b'name="image:photo" descr="image.png"')


def _padded(data: bytes) -> bytes:
    return data.replace(b"</p:sld>", b" " * (40 * 1024 * 1024) + b"</p:sld>")


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (its pixels are never there)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) \
        + chunk(b"IEND", b"")


def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def _prospect(**changes: object) -> str:
    data = {"company": "Globex Corporation", "segment": "enterprise", "industry": "manufacturing",
            "competitors": ["acme"], "objections": ["security"], "contact": {"name": "Hank Scorpio"},
            "values": {"employees": 12000, "annual_savings": 1250000,
                       "roi_chart": {"categories": ["Year 1", "Year 2"],
                                     "series": {"Savings": [480, 1180]}}}}
    for key, value in changes.items():
        node = data
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return json.dumps(data)


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")


def _built_folder(project: Path) -> Path:
    """Build one deck with `batch` so the output folder has a manifest to tamper with."""
    _write(project / "prospects" / "one.yaml", "- " + _prospect())
    result = run_deckgen(["batch", "first-call", "-p", "prospects/one.yaml", "-o", "build", "-j", "1"], project)
    assert result.returncode == 0, result.stderr
    return project / "build"


def _tamper_manifest(project: Path, change: Callable[[dict], None]) -> None:
    path = _built_folder(project) / "deckgen-manifest.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _rename_deck(name: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        (entry,) = data["decks"].values()
        data["decks"] = {name: entry}
    return change


def _set_prospect_data(data: dict) -> None:
    (entry,) = data["decks"].values()
    entry["prospect"]["data"] = "Globex"


def _recipe_when(project: Path, condition: str) -> None:
    recipe = project / "recipes" / "first-call.yaml"
    text = recipe.read_text()
    recipe.write_text(text.replace("  - name: approach\n",
                                   f"  - name: approach\n    when: {json.dumps(condition)}\n"))


def _sidecar_when(project: Path, condition: str) -> None:
    # a slide first-call never picks: its condition must not even be evaluated
    sidecar = project / "slide_library" / "pricing.yaml"
    text = sidecar.read_text()
    first = text.index("- key:")
    end = text.index("\n", first)
    sidecar.write_text(text[:end + 1] + f"  when: {json.dumps(condition)}\n" + text[end + 1:])


def _outside_logo(project: Path) -> None:
    """A real logo next to the project, not in it."""
    shutil.copy(project / "prospects" / "logos" / "globex.png", project.parent / "outside.png")


def _lock_symlink(project: Path) -> None:
    _built_folder(project)
    lock = project / "build" / ".deckgen.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(project.parent / "outside.txt")


# -- the catalogue ------------------------------------------------------------------------------

@dataclass
class Case:
    id: str
    args: list[str]
    expect: str                                    # text the one error line contains
    setup: Callable[[Path], None] | None = None
    may_write: tuple[str, ...] = ("build",)        # folders of the project the run may change


GLOBEX = ["-p", "prospects/globex.yaml"]
DECK = "slide_library/corporate.pptx"

CASES = [
    # 1. manifest names are paths inside the output folder
    Case("manifest-dotdot", ["rebuild", "build", "--force"], "is not a path inside the folder",
         lambda p: _tamper_manifest(p, _rename_deck("../slide_library/corporate.pptx"))),
    Case("manifest-absolute", ["rebuild", "build", "--force"], "is not a path inside the folder",
         lambda p: _tamper_manifest(p, _rename_deck(str(p.parent / "elsewhere.pptx")))),
    Case("manifest-symlinked-folder", ["rebuild", "build", "--force"], "leads outside the folder",
         lambda p: (_tamper_manifest(p, _rename_deck("lib/corporate.pptx")),
                    (p / "build" / "lib").symlink_to(p / "slide_library"))),
    Case("manifest-data-is-text", ["rebuild", "build", "--force"], "prospect.data",
         lambda p: _tamper_manifest(p, _set_prospect_data)),
    # 2. outputs never overwrite inputs
    Case("build-over-module", ["build", "first-call", *GLOBEX, "-o", DECK], "slide_library folder"),
    Case("build-over-prospect-folder", ["build", "first-call", *GLOBEX, "-o", "prospects/x.pptx"],
         "prospects folder"),
    Case("merge-over-source", ["merge", "build/a.pptx", DECK, "-o", "build/a.pptx"],
         "would overwrite an input", lambda p: shutil.copy(p / DECK, p / "build" / "a.pptx")),
    Case("batch-into-library", ["batch", "first-call", "-p", "prospects/crm-export.csv", "-o", "slide_library"],
         "slide_library folder"),
    Case("coverage-html-over-recipe", ["coverage", "--format", "html", "-o", "recipes/first-call.yaml"],
         "the html format writes a .html"),
    Case("coverage-png-over-module", ["coverage", "--format", "png", "-o", DECK], "the png format writes a .png"),
    Case("coverage-into-recipes", ["coverage", "--format", "html", "-o", "recipes/map.html"], "recipes folder"),
    Case("preview-into-library", ["preview", DECK, "-o", "slide_library/pngs"], "slide_library folder"),
    Case("catalog-into-library", ["catalog", "-o", "slide_library", "--no-thumbnails"], "slide_library folder"),
    # 3. a lock planted as a symlink is not followed
    Case("lock-symlink", ["rebuild", "build", "--force"], "symbolic link", _lock_symlink),
    # 5. bounded YAML/JSON
    Case("prospect-alias-bomb", ["build", "first-call", "-p", "prospects/bomb.yaml", "-o", "build/x.pptx"],
         "alias", lambda p: _write(p / "prospects" / "bomb.yaml", _alias_bomb() + "company: x\nsegment: smb\n")),
    Case("batch-alias-bomb", ["batch", "first-call", "-p", "prospects/bomb.yaml", "-o", "build"],
         "alias", lambda p: _write(p / "prospects" / "bomb.yaml", "- " + _alias_bomb().replace("\n", "\n  "))),
    Case("set-recursive-alias", ["build", "first-call", *GLOBEX, "--set", "values.x=&a [*a]", "-o", "build/x.pptx"],
         "refers to the list or mapping that contains it"),
    Case("recipe-alias-bomb", ["build", "first-call", *GLOBEX, "-o", "build/x.pptx"], "alias",
         lambda p: _write(p / "recipes" / "first-call.yaml",
                          _alias_bomb() + (p / "recipes" / "first-call.yaml").read_text())),
    Case("config-alias-bomb", ["build", "first-call", *GLOBEX, "-o", "build/x.pptx"], "alias",
         lambda p: _write(p / "deckgen.yaml", _alias_bomb() + (p / "deckgen.yaml").read_text())),
    Case("json-nested-deep", ["build", "first-call", "-p", "prospects/deep.json", "-o", "build/x.pptx"],
         f"deeper than {MAX_DEPTH}", lambda p: _write(p / "prospects" / "deep.json", "[" * 100_000 + "]" * 100_000)),
    Case("yaml-nested-deep", ["build", "first-call", "-p", "prospects/deep.yaml", "-o", "build/x.pptx"],
         f"deeper than {MAX_DEPTH}", lambda p: _write(p / "prospects" / "deep.yaml", "[" * 5_000 + "]" * 5_000)),
    Case("json-duplicate-key", ["build", "first-call", "-p", "prospects/dup.json", "-o", "build/x.pptx"],
         "duplicate key 'company'",
         lambda p: _write(p / "prospects" / "dup.json", '{"company": "A", "segment": "smb", "company": "B"}')),
    # 6. bounded expressions
    Case("recipe-when-power", ["build", "first-call", *GLOBEX, "-o", "build/x.pptx"], "bits",
         lambda p: _recipe_when(p, "10**(10**10) > 0")),
    Case("recipe-when-repeat", ["build", "first-call", *GLOBEX, "-o", "build/x.pptx"], "longer than",
         lambda p: _recipe_when(p, "('x' * 10**10)|length > 0")),
    Case("recipe-when-work", ["build", "first-call", *GLOBEX, "-o", "build/x.pptx"], "more than 50,000,000",
         lambda p: _recipe_when(p, "range(99999)|map('string')|map('center', 99999)|map('length')|sum > 0")),
    # 7. ranges checked before anything is allocated
    Case("preview-huge-range", ["preview", f"{DECK}#1-999999999", "-o", "build/png"], "slide 999999999 does not exist"),
    Case("merge-huge-range", ["merge", f"{DECK}#1-999999999", "-o", "build/x.pptx"], "slide 999999999 does not exist"),
    Case("merge-5000-digit-range", ["merge", f"{DECK}#{'9' * 5000}", "-o", "build/x.pptx"],
         "is not a slide number or range"),
    # 8. input sizes
    Case("prospect-dev-zero", ["build", "first-call", "-p", "/dev/zero", "-o", "build/x.pptx"], "not a regular file"),
    Case("batch-dev-zero", ["batch", "first-call", "-p", "/dev/zero", "-o", "build"], "not a regular file"),
    Case("huge-slide-xml", ["build", "first-call", *GLOBEX, "-o", "build/x.pptx"], "MiB",
         lambda p: _rewrite_member(p / DECK, "ppt/slides/slide1.xml", _padded)),
    Case("logo-30000-square", ["build", "first-call", "-p", "prospects/big.yaml", "-o", "build/x.pptx"],
         "pixel", lambda p: (_write(p / "prospects" / "big.png", _png_header(30000, 30000)),
                             _write(p / "prospects" / "big.yaml", _prospect(logo="big.png")))),
    Case("logo-65535-header", ["build", "first-call", "-p", "prospects/big.yaml", "-o", "build/x.pptx"],
         "pixels", lambda p: (_write(p / "prospects" / "big.png", _png_header(65535, 65535)),
                              _write(p / "prospects" / "big.yaml", _prospect(logo="big.png")))),
    # 11. one line, naming the input
    Case("int-5000-digits", ["build", "first-call", "-p", "prospects/n.yaml", "-o", "build/x.pptx"], "digits",
         lambda p: _write(p / "prospects" / "n.yaml", "company: A\nsegment: smb\nvalues:\n  n: " + "9" * 5000 + "\n")),
    Case("lone-surrogate", ["build", "first-call", "-p", "prospects/s.json", "-o", "build/x.pptx"], "surrogate",
         lambda p: _write(p / "prospects" / "s.json", _prospect().replace("Globex", "Glo\\udc80bex"))),
    Case("lone-surrogate-set", ["build", "first-call", *GLOBEX, "--set", "company=Glo\udc80bex", "-o", "build/x.pptx"],
         "surrogate"),
    Case("logo-symlink-loop", ["build", "first-call", "-p", "prospects/loop.yaml", "-o", "build/x.pptx"], "logo",
         lambda p: ((p / "prospects" / "loop.png").symlink_to("loop.png"),
                    _write(p / "prospects" / "loop.yaml", _prospect(logo="loop.png")))),
    Case("logo-nul", ["build", "first-call", "-p", "prospects/nul.yaml", "-o", "build/x.pptx"], "logo",
         lambda p: _write(p / "prospects" / "nul.yaml", _prospect(logo="lo\u0000go.png"))),
    Case("logo-5000-chars", ["build", "first-call", "-p", "prospects/long.yaml", "-o", "build/x.pptx"], "logo",
         lambda p: _write(p / "prospects" / "long.yaml", _prospect(logo="x" * 5000 + ".png"))),
    Case("output-5000-chars", ["build", "first-call", *GLOBEX, "-o", "build/" + "x" * 5000 + ".pptx"],
         f"longer than {MAX_PATH_BYTES}"),
    Case("chart-control-chars", ["build", "executive-briefing", "-p", "prospects/c.yaml", "-o", "build/x.pptx"],
         "control character", lambda p: _write(p / "prospects" / "c.yaml", _prospect(**{
             "values.roi_chart": {"categories": ["Year\u00011", "Y2"], "series": {"S\u0002": [1, 2]}}}))),
    Case("chart-infinity", ["build", "executive-briefing", "-p", "prospects/inf.yaml", "-o", "build/x.pptx"],
         "finite", lambda p: _write(p / "prospects" / "inf.yaml",
                                    "company: A\nsegment: enterprise\nobjections: [security]\nvalues:\n  annual_savings: 5\n"
                                    "  roi_chart: {categories: [a, b], series: {S: [1, .inf]}}\n")),
    Case("money-nan", ["build", "executive-briefing", *GLOBEX, "--set", "values.annual_savings=.nan",
                       "-o", "build/x.pptx"], "finite"),
    Case("money-1e309", ["build", "executive-briefing", *GLOBEX, "--set", "values.annual_savings=1e309",
                         "-o", "build/x.pptx"], "finite"),
    # 12. DOCTYPE in package XML
    Case("doctype-in-slide", ["build", "first-call", *GLOBEX, "-o", "build/x.pptx"], "DOCTYPE",
         lambda p: _rewrite_member(p / DECK, "ppt/slides/slide1.xml", _with_doctype)),
    Case("doctype-in-layout", ["build", "first-call", *GLOBEX, "-o", "build/x.pptx"], "DOCTYPE",
         lambda p: _rewrite_member(p / DECK, "ppt/slideLayouts/slideLayout1.xml", _with_doctype)),
    Case("doctype-merge", ["merge", DECK, "-o", "build/x.pptx"], "DOCTYPE",
         lambda p: _rewrite_member(p / DECK, "ppt/slides/slide2.xml", _with_doctype)),
    # 16. also
    Case("csv-duplicate-header", ["batch", "first-call", "-p", "prospects/dup.csv", "-o", "build"], "appears twice",
         lambda p: _write(p / "prospects" / "dup.csv", "company,segment,company\nA,smb,B\n")),
    Case("logo-absolute-path", ["build", "first-call", "-p", "prospects/abs.yaml", "-o", "build/x.pptx"],
         "abs.yaml:", lambda p: (_outside_logo(p), _write(p / "prospects" / "abs.yaml",
                                                         f"company: A\nsegment: smb\nlogo: {p.parent / 'outside.png'}\n"))),
    Case("logo-dotdot", ["build", "first-call", "-p", "prospects/up.yaml", "-o", "build/x.pptx"],
         "logo file '../../outside.png' is outside the folders logos may be read from",
         lambda p: (_outside_logo(p), _write(p / "prospects" / "up.yaml",
                                             "company: A\nsegment: smb\nlogo: ../../outside.png\n"))),
    Case("logo-symlink-escape", ["build", "first-call", "-p", "prospects/link.yaml", "-o", "build/x.pptx"],
         "logo file 'logos/link.png' is outside the folders logos may be read from",
         lambda p: (_outside_logo(p), (p / "prospects" / "logos" / "link.png").symlink_to(p.parent / "outside.png"),
                    _write(p / "prospects" / "link.yaml", "company: A\nsegment: smb\nlogo: logos/link.png\n"))),
    Case("logo-policy-unknown", ["build", "first-call", *GLOBEX, "-o", "build/x.pptx"],
         "'logos' must be one of inside, anywhere, or a list of folders", lambda p: _write(p / "deckgen.yaml",
                          (p / "deckgen.yaml").read_text().replace("logos: inside", "logos: everywhere"))),
    Case("image-value-outside", ["build", "first-call", *GLOBEX, "--set", "values.photo=../outside.png",
                                 "-o", "build/x.pptx"],
         "image file '../outside.png' is outside the folders logos may be read from",
         lambda p: (_outside_logo(p), _rewrite_member(p / DECK, "ppt/slides/slide1.xml", _photo_picture))),
    Case("include-outside-recipes", ["build", "first-call", *GLOBEX, "-o", "build/x.pptx"], "same recipes folder",
         lambda p: _write(p / "recipes" / "first-call.yaml",
                          (p / "recipes" / "first-call.yaml").read_text() + "  - include: ../prospects/evil\n")),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = copy_example_project(tmp_path / "project")
    (root / "build").mkdir()
    (tmp_path / "outside.txt").write_text("not deckgen's\n")
    return root


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input_is_one_line_and_touches_nothing(project: Path, case: Case) -> None:
    if case.setup is not None:
        case.setup(project)
    skip = {project / folder for folder in (*case.may_write, ".cache")}
    before = snapshot(project.parent, skip)

    result = run_deckgen(case.args, project)

    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-2000:]
    assert "Traceback" not in output, output[-3000:]
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: "), result.stderr[-2000:]
    assert case.expect in errors[0], errors[0]
    assert len(errors[0]) < 600, errors[0]
    assert snapshot(project.parent, skip) == before


# -- one bad row fails one deck -----------------------------------------------------------------

def test_bad_rows_fail_their_own_decks_only(project: Path) -> None:
    _write(project / "prospects" / "bomb.png", _png_header(65535, 65535))
    rows = [json.loads(_prospect(company="Good Co")),
            json.loads(_prospect(company="Surrogate Co", **{"contact.name": "Ha\udc80nk"})),
            json.loads(_prospect(company="Bomb Co", logo="bomb.png")),
            json.loads(_prospect(company="Long Co", logo="x" * 300 + ".png")),
            json.loads(_prospect(company="Outside Co", logo=str(project.parent / "outside.png")))]
    _outside_logo(project)
    _write(project / "prospects" / "rows.json", json.dumps(rows))

    result = run_deckgen(["batch", "first-call", "-p", "prospects/rows.json", "-o", "build", "-j", "1"], project)

    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "1 deck built, 0 up to date, 4 failed" in result.stdout + result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert [line.split(":")[1].strip() for line in failed] == [
        "prospects/rows.json#2", "prospects/rows.json#3", "prospects/rows.json#4", "prospects/rows.json#5"]
    assert "surrogate" in failed[0] and "pixels" in failed[1] and "too long" in failed[2]
    assert "is outside the folders logos may be read from" in failed[3]
    manifest = json.loads((project / "build" / "deckgen-manifest.json").read_text())
    assert list(manifest["decks"]) == ["good-co-first-call.pptx"]
    assert sorted(p.name for p in (project / "build").glob("*.pptx")) == ["good-co-first-call.pptx"]


# -- killed at random moments -------------------------------------------------------------------

def _processes_with(marker: str) -> list[int]:
    """Pids of live processes whose environment holds ``marker`` (the run and all it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _start(args: list[str], cwd: Path, marker: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO), DECKGEN_CACHE_DIR=str(cwd / ".cache"),
               DECKGEN_FAULT_MARK=marker)
    return subprocess.Popen([sys.executable, "-m", "deckgen", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_limit_memory)


def _assert_consistent(folder: Path) -> None:
    """Every deck the manifest names is on disk with the bytes its record says."""
    manifest = json.loads((folder / "deckgen-manifest.json").read_text())
    for name, entry in manifest["decks"].items():
        deck = folder / name
        assert deck.is_file(), f"the manifest names {name}, which is not on disk"
        assert hashlib.sha256(deck.read_bytes()).hexdigest() == entry["record"]["output"], name


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_run_killed_at_a_random_moment_leaves_no_process_and_a_consistent_folder(project: Path, seed: int) -> None:
    import random
    import time

    chance = random.Random(seed)
    command = ["batch", "first-call", "-p", "prospects/crm-export.csv", "-o", "build", "-j", "2"]
    if seed % 2 == 0:       # a rebuild of a folder built before
        assert run_deckgen(command, project).returncode == 0
        command = ["rebuild", "build", "--force", "-j", "2"]
    marker = f"deckgen-fault-{seed}-{os.getpid()}-{time.time_ns()}"
    skip = {project / "build", project / ".cache"}
    before = snapshot(project.parent, skip)

    run = _start(command, project, marker)
    time.sleep(chance.uniform(0.5, 5.0))
    run.kill()          # SIGKILL: no handler runs, no cleanup
    run.wait()

    deadline = time.monotonic() + 15
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(marker) == [], "processes of the killed run are still alive"
    assert snapshot(project.parent, skip) == before
    if (project / "build" / "deckgen-manifest.json").exists():
        _assert_consistent(project / "build")

    again = run_deckgen(["batch", "first-call", "-p", "prospects/crm-export.csv", "-o", "build", "-j", "2"], project)
    assert again.returncode == 0, again.stderr[-2000:]
    _assert_consistent(project / "build")
    assert len(list((project / "build").glob("*.pptx"))) == 8
    assert not list((project / "build").rglob("*.part"))


def test_sigterm_stops_a_batch_cleanly(project: Path) -> None:
    import time

    # A batch long enough that no machine finishes it before the signal: the signal is sent once the
    # first deck is on disk, so the run is surely mid-way (a fixed sleep raced fast machines).
    export = (project / "prospects" / "crm-export.csv").read_text().splitlines()
    rows = [line.replace('"', f'"Copy {n} ', 1) for n in range(40) for line in export[1:]]
    (project / "prospects" / "many.csv").write_text("\n".join([export[0], *rows]) + "\n")
    marker = f"deckgen-term-{os.getpid()}-{time.time_ns()}"
    run = _start(["batch", "first-call", "-p", "prospects/many.csv", "-o", "build", "-j", "2"], project, marker)
    deadline = time.monotonic() + 120
    while not list((project / "build").glob("*.pptx")) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.poll() is None, "the batch ended before it was signalled"
    run.terminate()
    assert run.wait(timeout=60) != 0
    assert len(list((project / "build").glob("*.pptx"))) < len(rows)
    deadline = time.monotonic() + 15
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(marker) == []
    assert not list((project / "build").rglob("*.part"))
    if (project / "build" / "deckgen-manifest.json").exists():
        _assert_consistent(project / "build")


# -- in-process checks of single bounds ---------------------------------------------------------

def test_a_full_disk_while_copying_names_the_output_not_the_module(tmp_path, monkeypatch) -> None:
    import errno

    import deckgen.ooxml.outpackage as outpackage
    from deckgen.errors import OutputError
    from deckgen.pipeline.merge import merge

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outpackage, "copy_raw", disk_full)
    with pytest.raises(OutputError) as caught:
        merge([str(REPO / "slide_library" / "corporate.pptx")], tmp_path / "out.pptx")
    assert "out.pptx" in str(caught.value) and "No space left" in str(caught.value)
    assert "corporate.pptx" not in str(caught.value)
    assert not list(tmp_path.iterdir())


def test_a_template_that_loops_for_ever_is_stopped_by_the_time_bound() -> None:
    from deckgen.render.environment import make_environment
    from deckgen.sandbox import EvaluationTimeout, render_bounded

    env = make_environment()
    source = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    with pytest.raises(EvaluationTimeout):
        render_bounded(env.template(source), {})


@pytest.mark.parametrize("source", ["{{ 'x' * 10**9 }}", "{{ 'x'|center(10**9) }}", "{{ '%0999999999d' % 1 }}",
                                    "{{ '{:>999999999}'.format(1) }}", "{{ 10**(10**10) }}",
                                    "{{ 'x'.ljust(100000000) }}", "{{ range(100000)|join('x' * 1000) }}"],
                         ids=["repeat", "center", "percent-width", "format-width", "power", "ljust", "join"])
def test_expressions_that_would_exhaust_memory_are_refused(source: str) -> None:
    from deckgen.render.environment import make_environment
    from deckgen.sandbox import LimitExceeded, render_bounded

    env = make_environment()
    with pytest.raises(LimitExceeded):
        render_bounded(env.template(source), {})


def test_slug_of_a_name_without_latin_letters_is_stable_and_not_empty() -> None:
    from deckgen.render import slug

    assert slug("株式会社ニッポン") == slug("株式会社ニッポン") != ""
    assert slug("株式会社ニッポン").startswith("id-") and slug("Globex Corp") == "globex-corp"


def test_terminal_escapes_in_data_are_not_echoed_raw(project: Path) -> None:
    _write(project / "prospects" / "evil.json", _prospect(company="Evil\x1b]0;pwned\x07\x1b[31m"))
    result = run_deckgen(["build", "first-call", "-p", "prospects/evil.json", "-o", "build/x.pptx"], project)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr and "\\x1b" in result.stdout


def test_a_garbage_or_short_pdf_from_the_renderer_is_not_kept(tmp_path) -> None:
    from PIL import Image

    from deckgen.preview.libreoffice import pdf_problem

    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\nnot really")
    assert pdf_problem(garbage, 3) == "it is not a complete PDF file"
    one_page = tmp_path / "one.pdf"
    Image.new("RGB", (20, 20), "white").save(one_page, format="PDF")
    assert pdf_problem(one_page, 1) is None
    if shutil.which("pdfinfo"):
        assert pdf_problem(one_page, 2) == "1 pages for 2 slides"


def test_a_module_replaced_between_planning_and_copying_is_not_copied(project: Path, monkeypatch) -> None:
    from deckgen.config import project_config
    from deckgen.errors import PackageError
    from deckgen.pipeline.deck import build_deck
    from deckgen.pipeline.workspace import Workspace
    from deckgen.prospect import load_prospect

    monkeypatch.chdir(project)
    workspace = Workspace(project_config(project))
    prospect = load_prospect(project / "prospects" / "globex.yaml")
    plan = workspace.plan("first-call", prospect)
    # another module saved over corporate.pptx after the plan was made from the index
    shutil.copy(project / "slide_library" / "pricing.pptx", project / "slide_library" / "corporate.pptx")
    assert plan.items[0].path.name == "corporate.pptx"
    with pytest.raises(PackageError, match="changed while deckgen was using it"):
        build_deck(workspace, "first-call", prospect, project / "build" / "x.pptx")
    assert not (project / "build" / "x.pptx").exists()


# -- where logos and images may come from (deckgen.yaml `logos:`) -------------------------------

def _logo_blobs(deck: Path) -> list[bytes]:
    from pptx import Presentation

    def walk(shapes):
        for shape in shapes:
            yield from walk(shape.shapes) if shape.shape_type == 6 else (shape,)
    return [shape.image.blob for shape in walk(Presentation(deck).slides[0].shapes) if shape.shape_type == 13]


def test_logos_and_image_values_are_read_where_the_config_allows(project: Path) -> None:
    _outside_logo(project)
    _rewrite_member(project / DECK, "ppt/slides/slide1.xml", _photo_picture)
    outside = project.parent / "outside.png"
    _write(project / "prospects" / "abs.yaml", f"company: A\nsegment: smb\nlogo: {outside}\n"
                                               f"values: {{photo: {outside}}}\n")

    # inside the prospects folder: used
    done = run_deckgen(["build", "first-call", *GLOBEX, "--set", "values.photo=prospects/logos/globex.png",
                        "-o", "build/inside.pptx"], project)
    assert done.returncode == 0, done.stderr
    assert (project / "prospects" / "logos" / "globex.png").read_bytes() in _logo_blobs(project / "build" / "inside.pptx")
    # outside: refused by default, used once deckgen.yaml lists its folder or says anywhere
    refused = run_deckgen(["build", "first-call", "-p", "prospects/abs.yaml", "-o", "build/abs.pptx"], project)
    assert refused.returncode == 1 and "prospects/abs.yaml:3: logo file" in refused.stderr
    config = project / "deckgen.yaml"
    original = config.read_text()
    for policy in (f"logos: [{project.parent}]", "logos: anywhere"):
        config.write_text(original.replace("logos: inside", policy))
        for args in (["-p", "prospects/abs.yaml"], [*GLOBEX, "--set", "values.photo=../outside.png"]):
            done = run_deckgen(["build", "first-call", *args, "-o", "build/out.pptx"], project)
            assert done.returncode == 0, (policy, done.stderr)
            assert outside.read_bytes() in _logo_blobs(project / "build" / "out.pptx")
