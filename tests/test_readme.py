"""The README's promises: the two set-up commands, its picture, and an up-to-date CLI reference."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
sys.path.insert(0, str(ROOT / "scripts"))

import cli_reference  # noqa: E402


def test_cli_reference_matches_the_commands():
    assert cli_reference.render_readme(README) == README, "run: python scripts/cli_reference.py"


def test_first_lines_give_exactly_two_setup_commands():
    block = re.search(r"```sh\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert len(block) == 2
    assert "deckgen build" in block[0] and "pytest" in block[1]
    assert block[1].strip() == (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1].strip()


def test_images_the_readme_shows_exist():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert images
    for image in images:
        assert (ROOT / image).is_file(), image


def test_main_command_runs_as_written(tmp_path):
    """The first set-up line, run as written in a fresh copy of the repository (a new venv)."""
    command = re.search(r"```sh\n(.*?)\n", README, re.S).group(1)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    clone = tmp_path / "clone"
    for name in filter(None, files.stdout.split("\0")):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    # as a new user runs it: deckgen comes from the venv, not from a PYTHONPATH of the session
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    run = subprocess.run(command, shell=True, cwd=clone, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (clone / "build" / "globex.pptx").stat().st_size > 10_000
