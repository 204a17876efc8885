"""`deckgen catalog`: click options for writing the static HTML catalog of the library."""
from __future__ import annotations

from pathlib import Path

import click

from deckgen.cli import main
from deckgen.cli.options import library_option, recipes_option
from deckgen.cli.progress import StepBar
from deckgen.marketing.catalog import THUMB_WIDTH, build_catalog
from deckgen.config import project_config
from deckgen.fsutil import display_path


@main.command("catalog")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for index.html and thumbs/.")
@library_option
@recipes_option
@click.option("--no-thumbnails", is_flag=True, help="Skip rendering thumbnails (no LibreOffice needed).")
@click.option("--width", type=click.IntRange(16, 4096), default=THUMB_WIDTH, show_default=True,
              help="Thumbnail width in pixels.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Render cache folder [default: $XDG_CACHE_HOME/deckgen].")
@click.option("--no-cache", is_flag=True, help="Render thumbnails again even if slides are unchanged.")
def catalog_command(out_dir: Path, library: Path | None, recipes: Path | None, no_thumbnails: bool, width: int,
                    cache_dir: Path | None, no_cache: bool) -> None:
    """Write a static HTML catalog of the library (open OUTPUT/index.html; no server needed)."""
    config = project_config(library=library, recipes=recipes)
    with StepBar("thumbnails") as bar:
        result = build_catalog(config, out_dir, thumbnails=not no_thumbnails, cache_dir=cache_dir,
                               use_cache=not no_cache, width=width, progress=bar)
        bar.finish()
    thumbs = f", {len(result.thumbnails)} thumbnails" if result.thumbnails else ""
    click.echo(f"Wrote {display_path(result.index)}: {result.slides} slides{thumbs}")
