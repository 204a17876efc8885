"""`deckgen map ...`: the message map's commands (write a starter map from the library's tags, show it)."""
from __future__ import annotations

from pathlib import Path

import click

from deckgen.cli import main
from deckgen.config import project_config
from deckgen.library.starter_map import write_starter_map
from deckgen.fsutil import display_path


@main.group("map")
def map_group() -> None:
    """Write and inspect the message map (message_map.yaml)."""


@map_group.command("init", short_help="Write a starter message map from the library's tags.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write [default: message_map.yaml beside deckgen.yaml].")
def init_command(output: Path | None) -> None:
    """Write a message map declaring every tag name and value the library uses, with the
    near-duplicates it found flagged for a person to merge into aliases. Never overwrites a file."""
    config = project_config()
    target = write_starter_map(config, output or config.root / "message_map.yaml")
    text = target.read_text(encoding="utf-8")
    duplicates = text.count("NEAR-DUPLICATE of")
    click.echo(f"wrote {display_path(target)}" + (f": {duplicates} near-duplicate{'s' if duplicates != 1 else ''} "
                                                 f"to merge (search for NEAR-DUPLICATE)" if duplicates else ""))
    if config.message_map is None:
        click.echo(f"add 'message_map: {display_path(target)}' to deckgen.yaml to enforce it")


@map_group.command("show", short_help="List the dimensions, values and aliases of the message map.")
def show_command() -> None:
    """Print the declared message map: each dimension with its values, labels and aliases."""
    config = project_config()
    message_map = config.message_map
    if message_map is None:
        raise click.ClickException("no message map is declared in deckgen.yaml (`deckgen map init` writes one)")
    for dimension in [*message_map.dimensions.values(), message_map.kinds]:
        fed = f" (prospect field '{dimension.prospect_field}')" if dimension.prospect_field else ""
        click.echo(f"{dimension.name}: {dimension.label}{fed}")
        for value in dimension.values.values():
            aliases = f"  aliases: {', '.join(value.aliases)}" if value.aliases else ""
            click.echo(f"  {value.name}: {value.label}{aliases}")
