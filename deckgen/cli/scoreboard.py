"""`deckgen outcomes import` and `deckgen report`: click options over the scoreboard API."""
from __future__ import annotations

import datetime
from pathlib import Path

import click

from deckgen.cli import main
from deckgen.cli.options import format_option, info, print_json
from deckgen.config import project_config
from deckgen.scoreboard.options import (DEFAULT_DAYS, DEFAULT_EXPIRY_DAYS, DEFAULT_MIN_SAMPLE, DEFAULT_RARE,
                                        ReportOptions)
from deckgen.fsutil import display_path


@main.group("outcomes")
def outcomes_group() -> None:
    """Bring CRM opportunity outcomes into the scoreboard."""


@outcomes_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@format_option()
def import_command(file: Path, output_format: str) -> None:
    """Import an opportunity export (CSV or JSON) and link each opportunity to its account's decks.

    Columns are mapped by scoreboard.outcomes.columns in deckgen.yaml (account, account_id,
    opportunity, stage, won, amount, close_date). Importing the same file again changes nothing.
    Bad rows are reported by line and skipped; the exit code is then 1.
    """
    from deckgen.scoreboard.outcomes import import_outcomes

    report = import_outcomes(project_config(), file)
    if output_format == "json":
        print_json({"file": report.file, "new": report.new, "updated": report.updated,
                    "unchanged": report.unchanged, "linked": report.linked, "decided": report.decided,
                    "skipped": [{"where": p.where, "message": p.message} for p in report.skipped]})
    else:
        for problem in report.skipped:
            click.echo(f"skipped: {problem}", err=True)
        total = report.new + report.updated + report.unchanged
        info(f"{report.file}: {total} opportunities ({report.new} new, {report.updated} updated, "
                   f"{report.unchanged} unchanged), {len(report.skipped)} rows skipped; {report.linked} have "
                   f"decks ({report.decided} won or lost)")
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


def report_options(command):
    """Add the window and sample-size options shared by `report` and `library show`."""
    command = click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
                           help="Count the usage window up to this day (default: today).")(command)
    command = click.option("--days", type=click.IntRange(min=1), default=DEFAULT_DAYS, show_default=True,
                           help="Usage window: the last N days.")(command)
    command = click.option("--min-sample", type=click.IntRange(min=1), default=DEFAULT_MIN_SAMPLE,
                           show_default=True,
                           help="Show a win rate only with at least N decided opportunities.")(command)
    return command


def make_options(today: datetime.datetime | None, days: int, min_sample: int, rare_below: int = DEFAULT_RARE,
                 expiry_days: int = DEFAULT_EXPIRY_DAYS) -> ReportOptions:
    """Return the ReportOptions of parsed click options."""
    return ReportOptions(today=today.date() if today else datetime.date.today(), days=days,
                         min_sample=min_sample, rare_below=rare_below, expiry_days=expiry_days)


@main.command("report")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for index.html [default: scoreboard.report in deckgen.yaml]; with --format json, "
                   "a file (default: print).")
@click.option("--format", "output_format", type=click.Choice(["html", "json"]), default="html", show_default=True,
              help="html: a static page with charts (works offline); json: the same figures as data.")
@report_options
@click.option("--rare-below", type=click.IntRange(min=1), default=DEFAULT_RARE, show_default=True,
              help="Call a slide rarely used when fewer than N decks used it in the window.")
@click.option("--expiry-days", type=click.IntRange(min=0), default=DEFAULT_EXPIRY_DAYS, show_default=True,
              help="Content health lists slides expiring within N days.")
def report_command(output: Path | None, output_format: str, today, days: int, min_sample: int,
                   rare_below: int, expiry_days: int) -> None:
    """Write the scoreboard: slide usage, unused collateral, message-map use, win rates, content health.

    Reads the deck log and imported outcomes (scoreboard.database in deckgen.yaml) and the library.
    """
    from deckgen.fsutil import write_bytes_atomic
    from deckgen.scoreboard.report import json_report, report_data, write_report

    config = project_config()
    options = make_options(today, days, min_sample, rare_below, expiry_days)
    if output_format == "json":
        text = json_report(report_data(config, options))
        if output is None:
            click.echo(text)
        else:
            write_bytes_atomic(output, (text + "\n").encode("utf-8"))
            info(f"Wrote {display_path(output)}")
        return
    folder = output or config.scoreboard.report
    if folder is None:
        raise click.UsageError("give a folder: -o DIR (or set scoreboard.report in deckgen.yaml)")
    result = write_report(config, folder, options)
    totals = result.data["totals"]
    info(f"Wrote {display_path(result.index)}: {totals['decks']} decks, {totals['slide_uses']} slide uses, "
               f"{totals['opportunities']} opportunities")
