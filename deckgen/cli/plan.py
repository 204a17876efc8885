"""`deckgen plan`: print the slides a recipe chooses for a prospect, each with the rule that chose it."""
from __future__ import annotations

from pathlib import Path

import click

from deckgen.cli import flag_hint, main
from deckgen.cli.options import (format_option, library_option, look_option, prospect_option, recipe_argument,
                                 recipes_option)
from deckgen.pipeline.plan import plan_deck, plan_json, plan_notices, plan_text


@main.command("plan")
@recipe_argument
@prospect_option
@format_option()
@click.option("--json", "as_json", is_flag=True, hidden=True, help="Same as --format json (kept for scripts).")
@library_option
@recipes_option
@click.option("--allow-drafts", is_flag=True, help="Let draft slides into the plan (for previews).")
@click.option("--strict", is_flag=True, help="Fail on library problems and plan warnings too.")
@click.option("--raw-titles", is_flag=True, help="Show slide titles as written, template tags included.")
@look_option
def plan_command(recipe: str, prospect: Path | None, sets: tuple[str, ...], output_format: str, as_json: bool,
                 library: Path | None, recipes: Path | None, allow_drafts: bool, strict: bool,
                 raw_titles: bool, look: str | None) -> None:
    """Show which slides RECIPE (a name in the recipes folder, or a path) picks, in order, and why."""
    outcome = plan_deck(recipe, prospect=prospect, sets=sets, library=library, recipes=recipes,
                        allow_drafts=allow_drafts, strict=strict, look=look)
    for notice in plan_notices(outcome):
        click.echo(notice, err=True)
    # a skipped slide shows the flag that lets it in (--allow-drafts)
    click.echo(plan_json(outcome, flag_hint) if as_json or output_format == "json"
               else plan_text(outcome, raw_titles, flag_hint))
