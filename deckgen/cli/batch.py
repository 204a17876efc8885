"""`deckgen batch`, `deckgen rebuild` and `deckgen watch`: click options over the incremental build API."""
from __future__ import annotations

import logging
import signal
from dataclasses import replace
from pathlib import Path

import click

from deckgen.cli import main, with_flag_hints
from deckgen.cli.progress import StepBar
from deckgen.cli.options import (format_option, info, output_policy_options, print_json, prospects_option,
                                 recipe_argument)
from deckgen.ops.batch import run_batch
from deckgen.ops.executors import EXECUTORS
from deckgen.ops.incremental import RunReport
from deckgen.ops.rebuild import run_rebuild
from deckgen.ops.watch import DEFAULT_DEBOUNCE, WatchCycle, watch
from deckgen.config import project_config
from deckgen.yamlio import printable


def _executor_options(command):
    """Add --jobs, --executor and --scheduler to a command."""
    command = click.option("--scheduler", metavar="ADDRESS", envvar="DECKGEN_SCHEDULER",
                           help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 "
                                "[env DECKGEN_SCHEDULER].")(command)
    command = click.option("--executor", "executor_kind", type=click.Choice(EXECUTORS), default="local",
                           show_default=True,
                           help="Where decks are built: a local process pool, or a Dask cluster.")(command)
    command = click.option("-j", "--jobs", type=click.IntRange(min=1),
                           help="Local worker processes [default: batch.workers in deckgen.yaml, "
                                "else one per CPU].")(command)
    return command


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _verbose() -> bool:
    return logging.getLogger().isEnabledFor(logging.INFO)


# the codes of a deck's problems that --strict and --hidden of batch, rebuild and watch change
# (a row's missing field is fixed in its file: these commands have no --set)
_DECK_FLAG_CODES = ("strict-overflow", "all-hidden")


def _echo_failures_and_notices(report: RunReport) -> None:
    for name, warnings in sorted(report.warnings.items()):
        for warning in warnings:
            click.echo(f"warning: {name}: {warning}", err=True)
    for notice in report.notices:
        click.echo(f"warning: {notice}", err=True)
    for notice in report.removed:
        click.echo(f"warning: {notice}; {'it would be' if report.dry_run else 'it was'} rebuilt "
                   f"without it", err=True)
    pruned = set(report.pruned)
    for name in report.vanished:
        click.echo(f"deleted {name}: its prospect row is gone" if name in pruned else
                   f"warning: {name}: its prospect row is gone from its prospects file; the deck is kept "
                   f"(rebuild --prune deletes it)", err=True)
    for failure in report.failed:
        failure = replace(failure, problems=tuple(with_flag_hints(failure.problems, _DECK_FLAG_CODES)))
        click.echo(f"failed: {printable(str(failure))}", err=True)
        if failure.detail and _verbose():
            click.echo(failure.detail, err=True)


def _run(call, label: str):
    """Run ``call(progress)``; on Ctrl-C say how to finish and exit 130 without a traceback."""
    with StepBar(label) as progress:
        try:
            return call(progress)
        except KeyboardInterrupt:
            progress.close()
            click.echo("interrupted: decks built so far are recorded; run the same command again to "
                       "finish", err=True)
            raise click.exceptions.Exit(130) from None


@main.command("batch")
@recipe_argument
@prospects_option
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: output in deckgen.yaml].")
@_executor_options
@click.option("--pdf", is_flag=True, help="Also write a PDF beside each deck (LibreOffice headless).")
@click.option("--allow-drafts", is_flag=True, help="Allow draft slides.")
@click.option("--force", is_flag=True, help="Build every deck, also those already up to date.")
@output_policy_options
@format_option()
def batch_command(recipe, prospects, output, jobs, executor_kind, scheduler, pdf, allow_drafts, force,
                  notes, hidden, strict, output_format):
    """Build the deck of RECIPE for every prospect in a file, in parallel.

    Decks are named by batch.filename in deckgen.yaml and recorded in OUTPUT/deckgen-manifest.json;
    decks already up to date are skipped. A bad row fails its own deck only; the exit code is 1
    when any deck failed.
    """
    if output is None:
        output = project_config().output
    report = _run(lambda progress: run_batch(recipe, prospects, output, jobs=jobs, executor_kind=executor_kind,
                                             scheduler=scheduler, pdf=pdf, allow_drafts=allow_drafts,
                                             force=force, notes=notes, hidden=hidden, strict=strict,
                                             progress=progress), "building decks")
    if output_format == "json":
        print_json(report.to_dict())
        raise click.exceptions.Exit(report.exit_code)
    _echo_failures_and_notices(report)
    info(f"{_plural(len(report.built), 'deck')} built, {len(report.up_to_date)} up to date, "
               f"{len(report.failed)} failed in {report.folder}")
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


def _echo_rebuild(report: RunReport) -> None:
    if report.dry_run:
        for stale in report.stale:
            click.echo(f"{stale.entry.name}: {'; '.join(stale.reasons)}")
        _echo_failures_and_notices(report)
        click.echo(f"{_plural(len(report.stale), 'deck')} to rebuild, {len(report.up_to_date)} up to date"
                   + (f", {len(report.failed)} cannot be rebuilt" if report.failed else ""))
        return
    built = set(report.built)
    for stale in report.stale:
        if stale.entry.name in built:
            click.echo(f"rebuilt {stale.entry.name}: {'; '.join(stale.reasons)}")
    _echo_failures_and_notices(report)
    if not report.stale and not report.failed:
        info(f"0 decks to rebuild ({len(report.up_to_date)} up to date)")
    else:
        info(f"{_plural(len(report.built), 'deck')} rebuilt, {len(report.up_to_date)} up to date, "
                   f"{len(report.failed)} failed in {report.folder}")


@main.command("rebuild")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("-n", "--dry-run", is_flag=True, help="List the decks that would be rebuilt, and why.")
@click.option("--force", is_flag=True, help="Rebuild every deck of the folder.")
@click.option("--prune", is_flag=True, help="Delete the decks whose prospect row is gone from its file.")
@_executor_options
@output_policy_options
@format_option()
def rebuild_command(folder, dry_run, force, prune, jobs, executor_kind, scheduler, notes, hidden, strict,
                    output_format):
    """Rebuild the decks in FOLDER whose inputs changed since their last build.

    FOLDER defaults to output in deckgen.yaml. Compares the hashes in FOLDER/deckgen-manifest.json
    with the library, recipes and prospects now; exit code 1 when a deck failed, 3 when another
    deckgen run holds the folder.
    """
    report = _run(lambda progress: run_rebuild(folder, dry_run=dry_run, force=force, prune=prune, jobs=jobs,
                                               executor_kind=executor_kind, scheduler=scheduler,
                                               notes=notes, hidden=hidden, strict=strict,
                                               progress=progress), "rebuilding decks")
    if output_format == "json":
        print_json(report.to_dict())
    else:
        _echo_rebuild(report)
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


@main.command("watch")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--debounce", type=click.FloatRange(min=0), default=DEFAULT_DEBOUNCE, show_default=True,
              help="Seconds without further changes before a rebuild starts.")
@_executor_options
def watch_command(folder, debounce, jobs, executor_kind, scheduler):
    """Rebuild the affected decks in FOLDER whenever the library or recipes change (Ctrl-C or
    SIGTERM stops)."""

    def on_cycle(cycle: WatchCycle) -> None:
        if cycle.changed:
            click.echo("changed: " + ", ".join(cycle.changed))
        if cycle.error:
            click.echo(f"error: {cycle.error}", err=True)
        elif cycle.report is not None:
            _echo_rebuild(cycle.report)

    # a service manager (systemd, docker stop) sends SIGTERM: stop as cleanly as after Ctrl-C
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        watch(folder, debounce=debounce, on_cycle=on_cycle, jobs=jobs, executor_kind=executor_kind,
              scheduler=scheduler,
              on_ready=lambda: click.echo("watching the library and recipes (Ctrl-C to stop)", err=True))
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
