"""`deckgen --help` and command-name completion: listed without importing any command (nor SQLAlchemy),
with each command's own short help."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.utils import make_default_short_help

from deckgen.cli import COMMANDS, main

REPO = Path(__file__).resolve().parents[1]

# In a fresh process: the help and completions with no command imported, what that imported, and the
# same help and completions once every command is imported (click then asks the commands themselves).
_LIST_THEN_IMPORT = """
import json, sys
from deckgen.cli import main

def listing():
    ctx = main.make_context("deckgen", [], resilient_parsing=True, terminal_width=100)
    return {"help": ctx.get_help(),
            "complete": [[item.value, item.help] for item in main.shell_complete(ctx, "")],
            "complete_re": [[item.value, item.help] for item in main.shell_complete(ctx, "re")]}

lazy = listing()
imported = sorted(name for name in sys.modules if name.startswith("deckgen.cli.") or name.split(".")[0] == "sqlalchemy")
ctx = main.make_context("deckgen", [], resilient_parsing=True)
for name in main.list_commands(ctx):
    main.get_command(ctx, name)
print(json.dumps({"lazy": lazy, "imported": imported, "eager": listing()}))
"""


@pytest.fixture(scope="module")
def listings() -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", _LIST_THEN_IMPORT], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_help_and_completion_import_no_command(listings):
    assert listings["imported"] == []
    assert [value for value, _ in listings["lazy"]["complete"]] == sorted(COMMANDS)
    assert [value for value, _ in listings["lazy"]["complete_re"]] == ["rebuild", "report"]


def test_the_listing_is_the_one_the_commands_give(listings):
    assert listings["lazy"] == listings["eager"]
    commands = listings["lazy"]["help"].split("\nCommands:\n")[1].splitlines()
    assert [line.split()[0] for line in commands] == sorted(COMMANDS)
    assert "  build     Build the deck of RECIPE for a prospect into OUTPUT." in commands


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_summary_shortens_to_the_commands_own_short_help(name):
    ctx = click.Context(main)
    command = main.get_command(ctx, name)
    for limit in (30, 45, 66, 94, 200):       # completion's 45; help's at 80 and 100 columns
        assert make_default_short_help(COMMANDS[name].summary, limit) == command.get_short_help_str(limit), limit
    # the command is defined by the modules the table imports for it
    assert command.callback.__module__.rpartition(".")[2] in COMMANDS[name].modules
