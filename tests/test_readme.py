"""The README's promises: the two set-up commands, its picture, and an up-to-date CLI reference."""
from __future__ import annotations

import re
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
    command = re.search(r"```sh\n(.*?)\n", README, re.S).group(1)
    build_part = command.split("&&", 1)[1].strip().replace("build/globex.pptx", str(tmp_path / "g.pptx"))
    run = subprocess.run(build_part, shell=True, cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "g.pptx").stat().st_size > 10_000
