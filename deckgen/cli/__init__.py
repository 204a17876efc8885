"""The `deckgen` command line: click commands only, each parsing options and calling one API function."""
from __future__ import annotations

import logging

import click

from deckgen import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deckgen")
@click.option("-v", "--verbose", is_flag=True, help="Show progress details and warnings.")
def main(verbose: bool) -> None:
    """Assemble tailored PowerPoint decks from a modular slide library."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s")


# Each module below adds its commands to `main` (one module per command family).
from deckgen.cli import preview as _preview  # noqa: E402,F401
from deckgen.cli import plan as _plan  # noqa: E402,F401
from deckgen.cli import library as _library  # noqa: E402,F401
from deckgen.cli import merge as _merge  # noqa: E402,F401
from deckgen.cli import build as _build  # noqa: E402,F401
from deckgen.cli import batch as _batch  # noqa: E402,F401
from deckgen.cli import check as _check  # noqa: E402,F401
from deckgen.cli import library_browse as _library_browse  # noqa: E402,F401
from deckgen.cli import catalog as _catalog  # noqa: E402,F401
from deckgen.cli import coverage as _coverage  # noqa: E402,F401
