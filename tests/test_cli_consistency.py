"""One consistent command line: every reporting command speaks JSON, and every project command
says the same thing outside a project."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckgen.cli import main

# every command that reports, as a user runs it in the example project, and what its JSON holds
JSON_COMMANDS = [
    (["build", "first-call", "-p", "prospects/globex.yaml", "-o", "out/globex.pptx"], "output"),
    (["plan", "first-call", "-p", "prospects/globex.yaml"], "slides"),
    (["batch", "first-call", "-p", "prospects/crm-export.csv", "-o", "decks", "-j", "1"], "built"),
    (["rebuild", "decks", "-j", "1"], "up_to_date"),
    (["diff", "decks"], "summary"),
    (["check"], "problems"),
    (["coverage"], None),
    (["library", "list"], None),
    (["library", "search", "downtime"], None),
    (["library", "show", "title"], "key"),
    (["library", "ids", "slide_library/corporate.pptx"], None),
    (["library", "check"], "problems"),
    (["merge", "slide_library/corporate.pptx#1-2", "-o", "out/merged.pptx"], "slides"),
]


def deckgen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deckgen", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_every_reporting_command_prints_json_a_script_can_parse(example_project):
    for args, key in JSON_COMMANDS:
        done = deckgen(*args, "--format", "json", cwd=example_project)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        data = json.loads(done.stdout)        # the whole of stdout is one JSON document
        assert data, args
        if key is not None:
            assert key in data, (args, sorted(data))


def test_quiet_prints_no_result_lines(example_project):
    done = deckgen("-q", "build", "first-call", "-p", "prospects/globex.yaml", "-o", "out/q.pptx",
                   cwd=example_project)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and (example_project / "out" / "q.pptx").is_file()


def test_build_without_output_uses_the_config_output_folder_and_batch_names(example_project):
    done = deckgen("build", "first-call", "-p", "prospects/globex.yaml", cwd=example_project)
    assert done.returncode == 0, done.stderr
    assert (example_project / "build" / "globex-corporation-first-call.pptx").is_file()


@pytest.mark.parametrize("args", [
    ["plan", "first-call", "-p", "x.yaml"], ["build", "first-call", "-p", "x.yaml", "-o", "a.pptx"],
    ["check"], ["coverage"], ["catalog", "-o", "site"], ["batch", "first-call", "-p", "x.csv", "-o", "out"],
    ["rebuild"], ["library", "list"], ["library", "check"], ["diff"], ["map", "init"],
], ids=lambda args: " ".join(args[:2]))
def test_every_project_command_outside_a_project_says_the_same(tmp_path, monkeypatch, args):
    # in-process: the message and exit code are the CLI's, with no process start per command
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 1
    assert done.stderr == ("error: no deckgen project here: no deckgen.yaml in . or its parent folders, and no "
                           "slide_library/ folder (pass --library DIR and --recipes DIR or run deckgen in your "
                           "project's folder)\n")
