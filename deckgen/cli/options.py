"""Options every command shares, so each flag has one spelling, one help text and one completion."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import click
from click.shell_completion import CompletionItem

from deckgen.config import project_config
from deckgen.library.metadata import LOOKS

PROSPECT_SUFFIXES = (".yaml", ".yml", ".json", ".csv")


def _complete_recipes(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    try:
        folder = project_config(recipes=ctx.params.get("recipes")).recipes
        names = sorted(path.stem for path in folder.glob("*.y*ml") if not path.stem.startswith("_"))
    except Exception:   # completion must never print a traceback into the user's shell
        return []
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def _complete_prospects(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    try:
        folder = project_config().prospects
        root = Path.cwd()
        found = sorted(path for path in folder.rglob("*") if path.suffix.lower() in PROSPECT_SUFFIXES)
        names = [str(path.relative_to(root)) if path.is_relative_to(root) else str(path) for path in found]
    except Exception:
        return [CompletionItem(incomplete, type="file")]
    matches = [CompletionItem(name) for name in names if name.startswith(incomplete)]
    return matches or [CompletionItem(incomplete, type="file")]


def complete_slide_keys(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Complete the keys of the project's library slides."""
    try:
        from deckgen.library import load_library
        from deckgen.library.cache import IndexCache

        folder = project_config(library=ctx.params.get("library")).library
        keys = sorted(slide.key for slide in load_library(folder, cache=IndexCache.for_library(folder)))
    except Exception:
        return []
    return [CompletionItem(key) for key in keys if key.startswith(incomplete)]


def recipe_argument(command: Callable) -> Callable:
    return click.argument("recipe", shell_complete=_complete_recipes)(command)


def prospect_option(command: Callable) -> Callable:
    """-p/--prospect FILE and --set KEY=VALUE: the prospect of a one-deck command."""
    command = click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                           help="Override a prospect field (dotted path; value parsed as YAML). "
                                "Repeatable.")(command)
    return click.option("-p", "--prospect", "prospect", type=click.Path(dir_okay=False, path_type=Path),
                        shell_complete=_complete_prospects,
                        help="Prospect YAML or JSON file.")(command)


def prospects_option(command: Callable) -> Callable:
    """-p/--prospects FILE: the many prospects of a batch."""
    return click.option("-p", "--prospects", required=True, type=click.Path(dir_okay=False, path_type=Path),
                        shell_complete=_complete_prospects,
                        help="CRM export (.csv, columns mapped by batch.columns in deckgen.yaml) or a "
                             "YAML/JSON list of prospects.")(command)


def library_option(command: Callable) -> Callable:
    return click.option("--library", type=click.Path(file_okay=False, path_type=Path),
                        help="Slide library folder (default: from deckgen.yaml, else ./slide_library).")(command)


def recipes_option(command: Callable) -> Callable:
    return click.option("--recipes", type=click.Path(file_okay=False, path_type=Path),
                        help="Recipes folder (default: from deckgen.yaml, else ./recipes).")(command)


def look_option(command: Callable) -> Callable:
    return click.option("--look", type=click.Choice(LOOKS), default=None,
                        help="template: put every slide on brand.template's layouts (the default when "
                             "deckgen.yaml sets it); source: each slide keeps its own master.")(command)


def strict_copy_option(command: Callable) -> Callable:
    return click.option("--strict", is_flag=True,
                        help="Refuse slides of another size than the output's instead of scaling them, "
                             "and sources with relationships to missing parts instead of repairing "
                             "them.")(command)


def format_option(*extra: str, default: str = "text") -> Callable[[Callable], Callable]:
    """--format text|json (plus ``extra`` formats): how a command reports."""
    def decorate(command: Callable) -> Callable:
        return click.option("--format", "output_format", type=click.Choice(["text", "json", *extra]),
                            default=default, show_default=True,
                            help="Report as text for people or JSON for scripts.")(command)
    return decorate


def print_json(data: Any) -> None:
    """Print ``data`` as the JSON report of a command (UTF-8, indented, one trailing newline)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def quiet() -> bool:
    """True when the user asked for -q/--quiet: print errors and warnings only."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().meta.get("deckgen.quiet"))


def info(message: str) -> None:
    """Print a result line unless -q/--quiet was given."""
    if not quiet():
        click.echo(message)


def output_policy_options(command: Callable) -> Callable:
    """--notes keep|strip, --hidden keep|drop and --strict: what a built deck may carry."""
    from deckgen.config import HIDDEN_POLICIES, NOTES_POLICIES

    command = click.option("--strict", is_flag=True,
                           help="Fail a deck (writing nothing, keeping an older file) when personalised "
                                "text overflows its box.")(command)
    command = click.option("--hidden", type=click.Choice(HIDDEN_POLICIES),
                           help="Keep or drop slides hidden in the library [default: output.hidden in "
                                "deckgen.yaml, else drop; rebuild: as each deck was built].")(command)
    return click.option("--notes", type=click.Choice(NOTES_POLICIES),
                        help="Keep or strip speaker notes [default: output.notes in deckgen.yaml, else strip; "
                             "rebuild: as each deck was built].")(command)
