"""`deckgen build`: one personalised deck for one prospect."""
from __future__ import annotations

import json

import click

from deckgen.cli import main
from deckgen.config import HIDDEN_POLICIES, NOTES_POLICIES
from deckgen.pipeline.deck import build


def output_policy_options(command):
    """Add --notes and --hidden (the project's output.notes/output.hidden when not given)."""
    command = click.option("--hidden", type=click.Choice(HIDDEN_POLICIES),
                           help="Keep or drop slides hidden in the library [default: output.hidden "
                                "in deckgen.yaml, else drop; rebuild: as each deck was built].")(command)
    command = click.option("--notes", type=click.Choice(NOTES_POLICIES),
                           help="Keep or strip speaker notes [default: output.notes in deckgen.yaml, "
                                "else strip; rebuild: as each deck was built].")(command)
    return command


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
@output_policy_options
@click.option("--strict", is_flag=True, help="Fail (writing nothing) when personalised text overflows its box.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Result format (json: output, slides, shrunk boxes, overflows, warnings).")
def build_command(recipe, prospect, sets, output, pdf, library, recipes, allow_drafts, notes, hidden, strict,
                  output_format):
    """Build the deck of RECIPE for a prospect into OUTPUT."""
    if prospect is None and not sets:
        raise click.UsageError("give a prospect: --prospect FILE and/or --set key=value")
    result = build(recipe, output, prospect=prospect, sets=sets, library=library, recipes=recipes,
                   pdf=pdf, allow_drafts=allow_drafts, notes=notes, hidden=hidden, strict=strict)
    if output_format == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    for warning in result.warnings:
        click.echo(f"warning: {result.output}: {warning}", err=True)
    click.echo(f"{result.output}: {len(result.plan.items) - len(result.dropped)} slides for {result.plan.prospect}")
    if result.pdf:
        click.echo(f"{result.pdf}: PDF")
