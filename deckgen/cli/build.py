"""`deckgen build`: one personalised deck for one prospect."""
from __future__ import annotations

import click

from deckgen.cli import main
from deckgen.library.metadata import LOOKS
from deckgen.pipeline.deck import build


@main.command("build")
@click.argument("recipe")
@click.option("-p", "--prospect", "prospect", type=click.Path(dir_okay=False),
              help="Prospect YAML or JSON file.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="Override a prospect field (dotted path; value parsed as YAML). Repeatable.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Output .pptx path.")
@click.option("--pdf", is_flag=True, help="Also write a PDF beside the deck (LibreOffice headless).")
@click.option("--library", type=click.Path(file_okay=False), help="Slide library folder (default: from deckgen.yaml).")
@click.option("--recipes", type=click.Path(file_okay=False), help="Recipes folder (default: from deckgen.yaml).")
@click.option("--allow-drafts", is_flag=True, help="Allow draft slides (for previewing work in progress).")
@click.option("--look", type=click.Choice(LOOKS), default=None,
              help="template: put every slide on brand.template's layouts (the default when it is set); "
                   "source: each slide keeps its own master.")
@click.option("--strict", is_flag=True, help="Refuse slides whose size differs from the output's instead of scaling them.")
def build_command(recipe, prospect, sets, output, pdf, library, recipes, allow_drafts, look, strict):
    """Build the deck of RECIPE for a prospect into OUTPUT."""
    if prospect is None and not sets:
        raise click.UsageError("give a prospect: --prospect FILE and/or --set key=value")
    result = build(recipe, output, prospect=prospect, sets=sets, library=library, recipes=recipes,
                   pdf=pdf, allow_drafts=allow_drafts, look=look, strict=strict)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{result.output}: {len(result.plan.items)} slides for {result.plan.prospect}")
    if result.pdf:
        click.echo(f"{result.pdf}: PDF")
