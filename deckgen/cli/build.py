"""`deckgen build`: one personalised deck for one prospect."""
from __future__ import annotations

from pathlib import Path

import click

from deckgen.cli import main
from deckgen.cli.options import (format_option, info, library_option, look_option, output_policy_options,
                                 print_json, prospect_option, recipe_argument, recipes_option)
from deckgen.pipeline.deck import build
from deckgen.yamlio import printable


@main.command("build")
@recipe_argument
@prospect_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Output .pptx path [default: the output folder of deckgen.yaml, named by batch.filename].")
@click.option("--pdf", is_flag=True, help="Also write a PDF beside the deck (LibreOffice headless).")
@library_option
@recipes_option
@click.option("--allow-drafts", is_flag=True, help="Allow draft slides (for previewing work in progress).")
@output_policy_options
@look_option
@format_option()
def build_command(recipe, prospect, sets, output, pdf, library, recipes, allow_drafts, notes, hidden, strict, look,
                  output_format):
    """Build the deck of RECIPE for a prospect into OUTPUT."""
    result = build(recipe, output, prospect=prospect, sets=sets, library=library, recipes=recipes,
                   pdf=pdf, allow_drafts=allow_drafts, notes=notes, hidden=hidden, strict=strict, look=look)
    for warning in result.warnings:
        click.echo(f"warning: {printable(str(result.output))}: {printable(str(warning))}", err=True)
    if output_format == "json":
        print_json(result.to_dict())
        return
    info(f"{result.output}: {len(result.plan.items) - len(result.dropped)} slides for {printable(result.plan.prospect)}")
    if result.pdf:
        info(f"{result.pdf}: PDF")
