"""`deckgen coverage`: click options for printing or writing the message map."""
from __future__ import annotations

import json
from pathlib import Path

import click

from deckgen.cli import main
from deckgen.cli.options import library_option
from deckgen.marketing.coverage import coverage_map, to_text, write_coverage
from deckgen.config import project_config
from deckgen.fsutil import display_path


@main.command("coverage")
@click.option("--format", "output_format", type=click.Choice(["text", "html", "png", "json"]), default="text",
              show_default=True, help="text prints a table; html and png are pages to share.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (required for html and png).")
@library_option
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Count slides as expired as of this day (default: today).")
def coverage_command(output_format: str, output: Path | None, library: Path | None, today) -> None:
    """Show which segment / competitor / objection / kind cells have approved slides, and the gaps."""
    if output is None and output_format in ("html", "png"):
        raise click.UsageError(f"--format {output_format} needs -o FILE")
    config = project_config(library=library)
    coverage = coverage_map(config, today=today.date() if today else None)
    if output is None:
        text = to_text(coverage) if output_format == "text" else json.dumps(coverage.to_dict(), indent=2) + "\n"
        click.echo(text, nl=False)
        return
    written = write_coverage(coverage, output_format, output, protected=config.input_folders)
    covered, total = coverage.totals()
    click.echo(f"Wrote {display_path(written)}: {covered} of {total} cells covered")
