"""`deckgen check`: click options for linting the library and recipes (text or JSON report)."""
from __future__ import annotations

from pathlib import Path

import click

from deckgen.cli import main
from deckgen.cli.options import library_option, recipes_option
from deckgen.marketing.check import check_project
from deckgen.config import project_config


@main.command("check")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report format (json for CI).")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (notes never fail).")
@library_option
@recipes_option
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Check review and expiry dates as of this day (default: today).")
def check_command(output_format: str, strict: bool, library: Path | None, recipes: Path | None,
                  today) -> None:
    """Lint the whole library and every recipe; report every problem with its file and a fix.

    Exit status: 0 clean (warnings allowed unless --strict), 1 errors.
    """
    config = project_config(library=library, recipes=recipes)
    report = check_project(config, today=today.date() if today else None)
    if output_format == "json":
        click.echo(report.to_json(strict), nl=False)
    else:
        click.echo(report.to_text(), nl=False)
    raise SystemExit(report.exit_code(strict))
