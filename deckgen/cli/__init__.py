"""The `deckgen` command line: click commands only, each parsing options and calling one API function."""
from __future__ import annotations

import importlib
import logging

import click

from deckgen import __version__


# Command name -> the modules of deckgen.cli that define it (and its subcommands). Each is imported
# only when its command runs or help lists it, so a command pays only for its own imports.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "batch": ("batch",), "rebuild": ("batch",), "watch": ("batch",),
    "build": ("build",), "catalog": ("catalog",), "check": ("check",), "coverage": ("coverage",), "diff": ("diff",),
    "library": ("library", "library_browse"), "map": ("message_map",), "merge": ("merge",), "plan": ("plan",),
    "preview": ("preview",),
}


class _LazyGroup(click.Group):
    """A click group whose commands register themselves when their module is first imported."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        for module in COMMAND_MODULES.get(name, ()):
            importlib.import_module(f"deckgen.cli.{module}")
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deckgen")
@click.option("-v", "--verbose", is_flag=True, help="Show progress details and warnings.")
def main(verbose: bool) -> None:
    """Assemble tailored PowerPoint decks from a modular slide library."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s")
