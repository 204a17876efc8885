"""`deckgen diff`: click options for showing what a library, recipe or map edit does to decks."""
from __future__ import annotations

from pathlib import Path

import click

from deckgen.cli import main
from deckgen.cli.options import format_option
from deckgen.config import project_config
from deckgen.ops.impact import impact


@main.command("diff")
@click.argument("folders", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--against", default="HEAD", show_default=True, metavar="REV",
              help="Git revision the prospects folder's decks are compared with.")
@click.option("--no-prospects", is_flag=True, help="Compare only the decks of build manifests.")
@click.option("-r", "--recipe", "recipes", multiple=True, metavar="NAME",
              help="Recipes to try on the folder prospects (default: every recipe); repeatable.")
@format_option()
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Plan as of this day (default: today).")
def diff_command(folders: tuple[Path, ...], against: str, no_prospects: bool, recipes: tuple[str, ...],
                 output_format: str, today) -> None:
    """Show which slides the current library, recipes and message map add to, remove from or
    change in each deck, and why (section and rule).

    Decks in FOLDERS (default: the output folder, when it has a build manifest) are compared with
    their last build; every recipe for every prospect of the prospects folder is compared with the
    project as committed at --against. Exit status 1 when a deck cannot be planned.
    """
    report = impact(project_config(), folders=list(folders) if folders else None,
                    against=None if no_prospects else against, recipes=list(recipes) or None,
                    today=today.date() if today else None)
    click.echo(report.to_json() if output_format == "json" else report.to_text(), nl=False)
    raise SystemExit(report.exit_code)
