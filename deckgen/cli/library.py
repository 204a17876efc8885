"""`deckgen library ...`: the command group for the slide library, and its ids/init/check commands.

Other modules add subcommands with ``@library_group.command("NAME")`` after importing
``library_group`` from here (and one import line in deckgen/cli/__init__.py).
"""
from __future__ import annotations

from pathlib import Path

import click

from deckgen.cli import main
from deckgen.cli.options import format_option, info, library_option, print_json
from deckgen.config import project_config
from deckgen.errors import ConfigError
from deckgen.library import load_library
from deckgen.library.sidecars import module_slides, update_sidecar, write_starter_sidecar
from deckgen.fsutil import display_path


@main.group("library")
def library_group() -> None:
    """Inspect the slide library and write its metadata sidecars."""


@library_group.command("ids", short_help="List a module's slide ids, keys and titles.")
@click.argument("module", type=click.Path(dir_okay=False, path_type=Path))
@format_option()
def ids_command(module: Path, output_format: str) -> None:
    """List the slides of MODULE.pptx: number, slide_id, key in its sidecar ('-' if none), title."""
    slides = module_slides(module)
    if output_format == "json":
        print_json([{"number": slide.number, "slide_id": slide.slide_id, "key": slide.key, "title": slide.title,
                     "hidden": slide.hidden} for slide in slides])
        return
    key_width = max([len("key")] + [len(slide.key or "-") for slide in slides])
    click.echo(f"{'#':>3}  {'slide_id':>8}  {'key':<{key_width}}  title")
    for slide in slides:
        hidden = "  (hidden)" if slide.hidden else ""
        click.echo(f"{slide.number:>3}  {slide.slide_id:>8}  {slide.key or '-':<{key_width}}  "
                   f"{slide.title}{hidden}".rstrip())


@library_group.command("init", short_help="Write (or --update) a module's sidecar.")
@click.argument("module", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--update", is_flag=True,
              help="Add draft entries for slides the existing sidecar does not describe, and list "
                   "entries whose slide is gone; nothing written by hand changes.")
def init_command(module: Path, update: bool) -> None:
    """Write a starter sidecar MODULE.yaml (draft entries, keys from titles) beside MODULE.pptx."""
    if not update:
        target = write_starter_sidecar(module)
        info(f"wrote {display_path(target)}: check the keys, add tags, then set status: approved")
        return
    result = update_sidecar(module)
    for key, slide_id in result.gone:
        click.echo(f"warning: {display_path(result.sidecar)}: key '{key}': slide_id {slide_id} is no longer in "
                   f"{module.name}; remove the entry or point it at the slide's new id", err=True)
    if result.added:
        info(f"updated {display_path(result.sidecar)}: added {len(result.added)} draft entr"
             f"{'y' if len(result.added) == 1 else 'ies'} ({', '.join(result.added)}); add tags, then "
             f"set status: approved")
    else:
        info(f"{display_path(result.sidecar)}: every slide of {module.name} already has an entry")


@library_group.command("check", short_help="Report every problem of the library.")
@library_option
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@format_option()
def check_command(library: Path | None, strict: bool, output_format: str) -> None:
    """Report every problem of the library index (exit 1 if any is an error)."""
    index = load_library(project_config(library=library).library)
    failing = index.problems if strict else index.errors
    if output_format == "json":
        print_json({"ok": not failing, "slides": len(index), "modules": len(index.modules),
                    "problems": [problem.to_dict() for problem in index.problems]})
        raise click.exceptions.Exit(1 if failing else 0)
    for problem in index.problems:
        click.echo(f"{problem.severity}: {problem}", err=True)
    if failing:
        raise ConfigError(f"{len(failing)} problem{'s' if len(failing) != 1 else ''} in the slide library "
                          f"{display_path(index.folder)}")
    info(f"{display_path(index.folder)}: {len(index)} slides in {len(index.modules)} modules"
               + (f", {len(index.warnings)} warnings" if index.warnings else ""))
