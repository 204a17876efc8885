"""`deckgen preview`: click options for rendering a deck to PNG slides, PDF and a contact sheet."""
from __future__ import annotations

from pathlib import Path

import click

from deckgen.cli import main
from deckgen.cli.progress import StepBar
from deckgen.preview.deck_preview import preview_deck
from deckgen.preview import DEFAULT_WIDTH


@main.command("preview")
@click.argument("deck", metavar="DECK[#RANGES]")
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for slide-NN.png (and the PDF and contact sheet).")
@click.option("--pdf", is_flag=True, help="Also write DECK.pdf (hidden slides included).")
@click.option("--contact-sheet", "with_contact_sheet", is_flag=True,
              help="Also write contact-sheet.png: every slide in one captioned grid.")
@click.option("--width", type=click.IntRange(16, 8192), default=DEFAULT_WIDTH, show_default=True,
              help="Width of each slide PNG in pixels.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Render cache folder [default: $XDG_CACHE_HOME/deckgen].")
@click.option("--no-cache", is_flag=True, help="Render again even if the deck is unchanged.")
@click.option("--timeout", type=click.FloatRange(1), default=300, show_default=True,
              help="Seconds LibreOffice may take for the deck.")
def preview(deck: str, out_dir: Path, pdf: bool, with_contact_sheet: bool, width: int,
            cache_dir: Path | None, no_cache: bool, timeout: float) -> None:
    """Render DECK.pptx to one PNG per slide in OUTPUT (through LibreOffice, cached).

    DECK may name slides as deck.pptx#1,3-5 (1-based numbers): only those are rendered, each
    cached by its content, so a library module's unchanged slides are not rendered again.
    Files are named slide-NN.png after the slide's number; hidden slides are rendered too.
    """
    with StepBar(Path(deck).name) as bar:
        result = preview_deck(deck, out_dir, width=width, pdf=pdf,
                              with_contact_sheet=with_contact_sheet, cache_dir=cache_dir,
                              use_cache=not no_cache, progress=bar, timeout=timeout)
        bar.finish()
    count = len(result.slides)
    click.echo(f"Wrote {count} slide PNG{'' if count == 1 else 's'} to {out_dir}")
    for extra in (result.pdf, result.contact_sheet):
        if extra is not None:
            click.echo(f"Wrote {extra}")
