"""`deckgen plan`: print the slides a recipe chooses for a prospect, each with the rule that chose it."""
from __future__ import annotations

from pathlib import Path

import click

from deckgen.cli import main
from deckgen.library.metadata import LOOKS
from deckgen.pipeline.plan import plan_deck, plan_json, plan_notices, plan_text


@main.command("plan")
@click.argument("recipe")
@click.option("--prospect", "prospect", type=click.Path(dir_okay=False, path_type=Path),
              help="Prospect YAML or JSON file.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="Override a prospect field (dotted key, YAML value); repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option("--library", type=click.Path(file_okay=False, path_type=Path),
              help="Slide library folder (default: from deckgen.yaml, else ./slide_library).")
@click.option("--recipes", type=click.Path(file_okay=False, path_type=Path),
              help="Recipes folder (default: from deckgen.yaml, else ./recipes).")
@click.option("--allow-drafts", is_flag=True, help="Let draft slides into the plan (for previews).")
@click.option("--strict", is_flag=True, help="Fail on library problems and plan warnings too.")
@click.option("--look", type=click.Choice(LOOKS), default=None,
              help="template: also say which brand.template layout each slide goes to (the default "
                   "when it is set); source: slides keep their own look.")
def plan_command(recipe: str, prospect: Path | None, sets: tuple[str, ...], as_json: bool,
                 library: Path | None, recipes: Path | None, allow_drafts: bool, strict: bool,
                 look: str | None) -> None:
    """Show which slides RECIPE (a name in the recipes folder, or a path) picks, in order, and why."""
    outcome = plan_deck(recipe, prospect=prospect, sets=sets, library=library, recipes=recipes,
                        allow_drafts=allow_drafts, strict=strict, look=look)
    for notice in plan_notices(outcome):
        click.echo(notice, err=True)
    click.echo(plan_json(outcome) if as_json else plan_text(outcome))
