"""A small deckgen project in a temporary folder, for the batch, rebuild, watch and executor tests.

Four module decks (core, value, proof, battle), one recipe, a CRM-style CSV with one bad row.
Which decks use which slide is known, so tests can assert exactly which decks a change hits.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image
from pptx import Presentation
from pptx.util import Inches

MODULES = {
    "core": [("title", "Northwind for {{ prospect.company }}", "{kind: title}"),
             ("closing", "Next steps with {{ prospect.company }}", "{kind: closing}")],
    "value": [("vp-platform", "One platform", "{kind: value-prop, segment: [enterprise, mid-market]}"),
              ("vp-fast", "Live in weeks", "{kind: value-prop, segment: smb}")],
    "proof": [("case-enterprise", "Globex saved 20%", "{kind: case-study, segment: [enterprise, mid-market]}"),
              ("case-smb", "Small shop wins", "{kind: case-study, segment: smb}")],
    "battle": [("battle-acme", "Why not Acme", "{kind: battle-card, competitor: acme}"),
               ("battle-initech", "Why not Initech", "{kind: battle-card, competitor: initech}")],
}

RECIPE = """\
name: First call
sections:
  - name: opening
    slides: [title]
  - name: value
    select: {kind: value-prop, segment: $segment}
  - name: proof
    select: {kind: case-study, segment: $segment}
    limit: 1
  - name: competition
    for_each: competitors
    select: {kind: battle-card, competitor: $item}
  - name: closing
    slides: [closing]
"""

CONFIG = """\
library: slide_library
recipes: recipes
prospects: prospects
output: build
batch:
  filename: "{{ prospect.company | slug }}-{{ recipe }}.pptx"
  columns:
    "Account Name": company
    "Segment": segment
    "Competitor": competitors
    "Employees": values.employees
    "Logo": logo
"""

# line 1 is the header; the row of "Account Name" "" (line 6) is the bad one
ACCOUNTS = """\
Account Name,Segment,Competitor,Employees,Logo
Globex Corporation,enterprise,acme;initech,12000,logos/globex.png
Initrode,enterprise,acme,5400,
Vandelay Industries,mid-market,initech,850,
Bluth Machine Works,smb,,48,
,smb,acme,10,
Stark Tooling,smb,acme,120,
"""

GOOD_DECKS = ["bluth-machine-works-first-call.pptx", "globex-corporation-first-call.pptx",
              "initrode-first-call.pptx", "stark-tooling-first-call.pptx",
              "vandelay-industries-first-call.pptx"]
USES_BATTLE_ACME = ["globex-corporation-first-call.pptx", "initrode-first-call.pptx",
                    "stark-tooling-first-call.pptx"]
USES_BATTLE_INITECH = ["globex-corporation-first-call.pptx", "vandelay-industries-first-call.pptx"]


def write_module(path: Path, slides: list[tuple[str, str, str]]) -> None:
    """Save a module deck (a title and a body text box per slide) and its sidecar."""
    prs = Presentation()
    for _, title, _ in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        slide.shapes.title.text = title
        box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
        box.text_frame.text = f"About {title}"
    path.parent.mkdir(parents=True, exist_ok=True)
    prs.save(path)
    ids = [slide.slide_id for slide in Presentation(path).slides]
    entries = "".join(f"  - key: {key}\n    slide_id: {slide_id}\n    tags: {tags}\n"
                      for (key, _, tags), slide_id in zip(slides, ids))
    path.with_suffix(".yaml").write_text(f"status: approved\nslides:\n{entries}", encoding="utf-8")


def make_project(root: Path) -> Path:
    """Write the project under ``root`` and return ``root``."""
    for name, slides in MODULES.items():
        write_module(root / "slide_library" / f"{name}.pptx", slides)
    (root / "recipes").mkdir(parents=True)
    (root / "recipes" / "first-call.yaml").write_text(RECIPE, encoding="utf-8")
    (root / "deckgen.yaml").write_text(CONFIG, encoding="utf-8")
    logos = root / "prospects" / "logos"
    logos.mkdir(parents=True)
    Image.new("RGB", (40, 20), (200, 40, 40)).save(logos / "globex.png")
    (root / "prospects" / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    return root


def set_slide_text(module: Path, title: str, new_title: str) -> None:
    """Change a slide's title text in a module deck, as someone editing it would, and save."""
    prs = Presentation(module)
    for slide in prs.slides:
        if slide.shapes.title is not None and slide.shapes.title.text == title:
            slide.shapes.title.text_frame.paragraphs[0].runs[0].text = new_title
            prs.save(module)
            return
    raise AssertionError(f"no slide titled {title!r} in {module}")


def deck_titles(path: Path) -> list[str]:
    """Return the title text of every slide of a deck (re-opened with python-pptx)."""
    return [slide.shapes.title.text if slide.shapes.title is not None else ""
            for slide in Presentation(path).slides]


def manifest(folder: Path) -> dict:
    """Return the parsed build manifest of an output folder."""
    return json.loads((folder / "deckgen-manifest.json").read_text(encoding="utf-8"))


def decks_on_disk(folder: Path) -> list[str]:
    """Return the .pptx files of a folder, sorted."""
    return sorted(path.name for path in folder.glob("*.pptx"))


def assert_manifest_consistent(folder: Path) -> None:
    """Every deck the manifest names is on disk, whole, with the bytes its record says."""
    for name, entry in manifest(folder)["decks"].items():
        path = folder / name
        assert path.is_file(), f"manifest names {name}, which is not on disk"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["record"]["output"], name
        Presentation(path)   # opens: a whole package


KILL_AFTER = """
import contextlib, os, signal, sys
import deckgen.pipeline.deck as build

real_atomic_output = build.atomic_output
count = 0

@contextlib.contextmanager
def write_then_die(path, **options):
    # deck KILL_AT dies half-written: its temporary file is on disk, the deck is not
    global count
    count += 1
    with real_atomic_output(path, **options) as handle:
        if count != int(os.environ["KILL_AT"]):
            yield handle
            return
        yield _HalfWriter(handle)
        handle.flush()
        os.kill(os.getpid(), signal.SIGKILL)

class _HalfWriter:
    # passes writes through until half the deck's first megabyte, then drops them
    def __init__(self, handle):
        self.handle, self.left = handle, 1 << 19
    def write(self, data):
        kept = data[: max(self.left, 0)]
        self.left -= len(data)
        self.handle.write(kept)
        return len(data)
    def __getattr__(self, name):
        return getattr(self.handle, name)

build.atomic_output = write_then_die
from deckgen.cli import main
main(sys.argv[1:])
"""


def run_killed(args: list[str], cwd: Path, kill_at: int) -> subprocess.CompletedProcess:
    """Run the deckgen CLI in a child process that SIGKILLs itself while writing deck ``kill_at``."""
    env = dict(os.environ, KILL_AT=str(kill_at))
    return subprocess.run([sys.executable, "-c", KILL_AFTER, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
