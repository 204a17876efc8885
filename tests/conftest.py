"""Shared pytest fixtures."""
from __future__ import annotations

import compileall
import os
import shutil
import tempfile
import textwrap
from pathlib import Path
from typing import Callable

import pytest
from pptx import Presentation

_CACHE_HOME = tempfile.mkdtemp(prefix="deckgen-test-cache-")


def _compile_deckgen() -> None:
    """Write deckgen's bytecode once, so the CLI processes the tests start do not each recompile it.

    With PYTHONDONTWRITEBYTECODE set (as on the development machine) no process writes .pyc files,
    and every `python -m deckgen` compiled the whole package from source (about 0.5 s a process);
    compileall writes them whatever that variable says, and only for sources newer than their .pyc.
    """
    import deckgen

    compileall.compile_dir(Path(deckgen.__file__).parent, quiet=2)


def pytest_configure(config):
    # deckgen's caches (index, renders) go to a folder of this run, not the user's ~/.cache
    os.environ["DECKGEN_CACHE_DIR"] = _CACHE_HOME
    # every build of the run is logged (so logging is exercised everywhere), into a database of
    # this run rather than the project's; scoreboard tests unset it to use deckgen.yaml's
    os.environ["DECKGEN_SCOREBOARD"] = os.path.join(_CACHE_HOME, "scoreboard.sqlite")
    _compile_deckgen()


def pytest_unconfigure(config):
    shutil.rmtree(_CACHE_HOME, ignore_errors=True)


# --- slide library helpers (library, recipes, plan tests) -------------------------------------

def write_module_deck(path: Path, titles: list[str], hidden: frozenset[int] = frozenset()) -> list[int]:
    """Save a module .pptx with one "Title Only" slide per title; return the slide ids in order.

    ``hidden`` holds 1-based slide numbers to mark hidden (show="0").
    """
    prs = Presentation()
    for number, title in enumerate(titles, start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        slide.shapes.title.text = title
        if number in hidden:
            slide._element.set("show", "0")
    path.parent.mkdir(parents=True, exist_ok=True)
    prs.save(path)
    return [slide.slide_id for slide in Presentation(path).slides]


def write_text(path: Path, text: str) -> Path:
    """Write dedented ``text`` to ``path`` (so tests can count lines as they read them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def make_module() -> Callable[..., list[int]]:
    """Return make(folder, name, titles, sidecar=None, hidden=()) -> slide ids.

    Writes FOLDER/NAME.pptx and, when ``sidecar`` text is given, FOLDER/NAME.yaml (dedented).
    """
    def make(folder: Path, name: str, titles: list[str], sidecar: str | None = None,
             hidden: tuple[int, ...] = ()) -> list[int]:
        ids = write_module_deck(Path(folder) / f"{name}.pptx", titles, frozenset(hidden))
        if sidecar is not None:
            write_text(Path(folder) / f"{name}.yaml", sidecar)
        return ids

    return make


SAMPLE_SIDECARS = {
    "core": (["Northwind for {{ prospect.company }}", "Agenda", "Next steps"], """
        owner: maria@northwind.example
        status: approved
        slides:
          - key: title
            slide_id: 256
            tags: {kind: title}
          - key: agenda
            slide_id: 257
            tags: {kind: agenda}
          - key: closing
            slide_id: 258
            tags: {kind: closing}
        """),
    "objections": (["Worth every cent", "Secure by design", "Beat Acme", "Beat Initech"], """
        status: approved
        slides:
          - key: obj-price
            slide_id: 256
            tags: {kind: objection, objection: price}
          - key: obj-security
            slide_id: 257
            tags: {kind: objection, objection: [security, compliance]}
          - key: battle-acme
            slide_id: 258
            tags: {kind: battle-card, competitor: acme}
          - key: battle-initech
            slide_id: 259
            tags: {kind: battle-card, competitor: initech}
        """),
    "proof": (["Globex saved 20%", "Customers everywhere", "Small shop wins", "Preview"], """
        status: approved
        tags: {kind: case-study}
        slides:
          - key: case-enterprise
            slide_id: 256
            tags: {segment: enterprise, industry: manufacturing}
          - key: case-generic
            slide_id: 257
          - key: case-smb
            slide_id: 258
            tags: {segment: smb}
          - key: case-draft
            slide_id: 259
            status: draft
            tags: {segment: enterprise}
        """),
    "value": (["One platform", "Fast start", "For everyone", "Old promise"], """
        status: approved
        tags: {kind: value-prop}
        slides:
          - key: vp-platform
            slide_id: 256
            tags: {segment: [enterprise, mid-market]}
          - key: vp-fast
            slide_id: 257
            tags: {segment: smb}
          - key: vp-everyone
            slide_id: 258
            tags: {segment: "*"}
          - key: vp-old
            slide_id: 259
            expires: 2020-01-31
            tags: {segment: "*"}
        """),
}


REPO = Path(__file__).resolve().parents[1]


EXAMPLE_FOLDERS = ("slide_library", "recipes", "prospects", "crm", "brand")
EXAMPLE_FILES = ("deckgen.yaml", "message_map.yaml")


def copy_example_project(target: Path) -> Path:
    """Copy the shipped example project (config, message map, library, recipes, prospects, CRM
    files) into ``target``: the one list of what the example project is."""
    for folder in EXAMPLE_FOLDERS:
        shutil.copytree(REPO / folder, target / folder)
    for name in EXAMPLE_FILES:
        shutil.copy(REPO / name, target / name)
    return target


@pytest.fixture
def example_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped example project, as the current folder, so reports name paths as a
    user running in the project sees them."""
    copy_example_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def _sample_library_master(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample") / "slide_library"
    for name, (titles, sidecar) in SAMPLE_SIDECARS.items():
        write_module_deck(folder / f"{name}.pptx", titles)
        write_text(folder / f"{name}.yaml", sidecar)
    return folder


@pytest.fixture
def sample_library(tmp_path: Path, _sample_library_master: Path) -> Path:
    """A small library: core, objections, proof and value modules with sidecars; returns its folder.

    Each test gets its own copy at TMP_PATH/slide_library, free to change.
    """
    folder = tmp_path / "slide_library"
    shutil.copytree(_sample_library_master, folder)
    return folder


def headless_chromium(*, window: str = "1400,1000", downloads: Path | None = None):
    """Return (driver, profile folder) of a headless Chromium found on PATH (Debian's chromium and
    chromedriver, installed by scripts/install-deps); skip the test when they are not installed.
    With ``downloads``, files the page downloads land there without a prompt."""
    pytest.importorskip("selenium.webdriver")
    from headless_browser import BrowserNotFound, start_chromium

    try:
        return start_chromium(window=window, downloads=downloads)
    except BrowserNotFound as exc:
        pytest.skip(str(exc))

