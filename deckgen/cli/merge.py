"""`deckgen merge`: click options for copying slides of several decks into one."""
from __future__ import annotations

import click

from deckgen.cli import main
from deckgen.cli.options import format_option, info, print_json, strict_copy_option
from deckgen.pipeline.merge import merge
from deckgen.ooxml import BASE_SLIDES


@main.command("merge")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE[#RANGES]...")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output .pptx path (written atomically).")
@click.option("--base", type=click.Path(dir_okay=False),
              help="Deck whose slide size and presentation properties the output takes.")
@click.option("--base-slides", type=click.Choice(BASE_SLIDES), default="none", show_default=True,
              help="Also use the base deck's first and/or last slide around the others.")
@click.option("--template", type=click.Path(dir_okay=False),
              help="Put every slide on this .potx/.pptx template's layouts (its masters, theme "
                   "colours and fonts) instead of keeping each slide's own look.")
@strict_copy_option
@format_option()
def merge_command(sources: tuple[str, ...], output: str, base: str | None,
                  base_slides: str, template: str | None, strict: bool, output_format: str) -> None:
    """Copy slides from SOURCE decks into OUTPUT, keeping each slide's own look (or --template's).

    SOURCE is a .pptx/.pptm/.ppsx/.potx/.potm file, optionally followed by #RANGES of 1-based
    slide numbers (deck.pptx#1,3-5); without #RANGES every slide is taken. Slides appear in
    argument order. Slides whose size differs from the output's are scaled to fit it and
    centred (an error with --strict).
    """
    if base_slides != "none" and base is None:
        raise click.UsageError("--base-slides needs --base")
    deck = merge(list(sources), output, base=base, base_slides=base_slides, strict=strict,
                 template=template)
    for warning in deck.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output_format == "json":
        print_json({"output": output, "slides": deck.slide_count, "warnings": list(deck.warnings)})
    else:
        info(f"{output}: {deck.slide_count} slide{'' if deck.slide_count == 1 else 's'}")
