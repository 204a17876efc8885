"""The `deckgen` command line: click commands only, each parsing options and calling one API function."""
from __future__ import annotations

import importlib
import logging
import signal
import threading
from dataclasses import replace
from typing import Container, Iterable

import click

from deckgen import __version__
from deckgen.yamlio import printable
from deckgen.errors import DeckgenError
from deckgen.problems import Problem


# Command name -> the modules of deckgen.cli that define it (and its subcommands). Each is imported
# only when its command runs or help lists it, so a command pays only for its own imports.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "batch": ("batch",), "rebuild": ("batch",), "watch": ("batch",),
    "build": ("build",), "catalog": ("catalog",), "check": ("check",), "coverage": ("coverage",), "diff": ("diff",),
    "library": ("library", "library_browse"), "map": ("message_map",), "merge": ("merge",), "plan": ("plan",),
    "preview": ("preview",), "serve": ("serve",), "outcomes": ("scoreboard",), "report": ("scoreboard",),
}


# What a user types to fix an error, by the error's code: the core names no flags. "{subject}" is
# the field or input the problem is about. FLAG_HINTS go before the core's own hint,
# LAST_RESORT_FLAGS (loosening a check) after it; CLI_HINTS replace a hint that names the API's way.
FLAG_HINTS = {
    "no-prospect": "pass --prospect FILE, or --set company=... --set segment=...",
    "no-project": "pass --library DIR and --recipes DIR",
    "no-library-folder": "pass --library DIR",
    "no-recipes-folder": "pass --recipes DIR",
    "draft": "pass --allow-drafts to preview",
    "cache-folder": "use --cache-dir or --no-cache",
    "render-timeout": "use --timeout",
    "missing-field": "pass --set {subject}=...",
    "workers": "pass --jobs 1 or more",
    "scheduler-without-dask": "pass --executor dask, or drop --scheduler",
    "jobs-with-dask": "drop --jobs",
    "bad-revision": "pass --against with a commit, branch or tag (default HEAD)",
    "format-suffix": "pass the --format the file name ends with",
    "template-look": "pass --look source",
}
CLI_HINTS = {
    "prospects-export": "build a deck per row with `deckgen batch RECIPE --prospects {subject} -o DIR`, or write "
                        "the prospect as YAML or JSON",
    "no-scheduler": "pass --scheduler tcp://HOST:8786 (printed by `dask scheduler`)",
    "manifest-format": "run the deckgen version that wrote it, or rebuild the folder with `deckgen batch --force`",
}
LAST_RESORT_FLAGS = {
    "strict": "drop --strict to let them pass",
    "strict-overflow": "build without --strict",
    "all-hidden": "build with --hidden keep",
}


def flag_hint(code: str, hint: str | None = None, subject: str = "") -> str | None:
    """``hint`` with the command-line way to fix a problem of ``code`` added (``hint`` when there is none)."""
    if code in CLI_HINTS:
        return CLI_HINTS[code].format(subject=subject)
    if code in FLAG_HINTS:
        flag = FLAG_HINTS[code].format(subject=subject)
        return f"{flag} or {hint}" if hint else flag
    if code in LAST_RESORT_FLAGS:
        return f"{hint}, or {LAST_RESORT_FLAGS[code]}" if hint else LAST_RESORT_FLAGS[code]
    return hint


def with_flag_hints(problems: Iterable[Problem], codes: Container[str]) -> list[Problem]:
    """``problems`` with the flag hint of those whose code is among ``codes`` (the flags of a command)."""
    return [replace(p, hint=flag_hint(p.code, p.hint, p.subject)) if p.code in codes else p for p in problems]


def with_flag_hint(error: DeckgenError) -> DeckgenError:
    """Return ``error`` with the command-line way to fix it (and each of its problems) in its hints."""
    error.hint = flag_hint(error.code, error.hint, error.subject)
    error.problems = [replace(p, hint=flag_hint(p.code, p.hint, p.subject)) for p in error.problems]
    return error


class UserError(click.ClickException):
    """A DeckgenError as the CLI shows it: ``error: <message>`` on stderr and the error's exit code."""

    def __init__(self, error: DeckgenError):
        super().__init__(str(with_flag_hint(error)))
        self.exit_code = error.exit_code

    def show(self, file=None) -> None:
        # data (a company name, a file name) can hold terminal escapes: shown escaped, line by line
        text = "\n".join(printable(line) for line in str(self).split("\n"))
        click.echo(f"error: {text}", err=True, file=file)


class _LazyGroup(click.Group):
    """A click group whose commands register themselves when their module is first imported; it
    turns the core's errors into one-line messages and exit codes (the core does not know click)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DeckgenError as exc:
            raise UserError(exc) from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        for module in COMMAND_MODULES.get(name, ()):
            importlib.import_module(f"deckgen.cli.{module}")
        return super().get_command(ctx, name)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deckgen")
@click.option("-v", "--verbose", is_flag=True, help="Show progress details and warnings.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and warnings, not results.")
@click.pass_context
def main(ctx: click.Context, verbose: bool, quiet: bool) -> None:
    """Assemble tailored PowerPoint decks from a modular slide library.

    Shell completion (recipe names, prospect files, slide keys): add
    eval "$(_DECKGEN_COMPLETE=bash_source deckgen)" to ~/.bashrc (zsh_source, fish_source for
    other shells).
    """
    # SIGTERM (a scheduler stopping the run, `kill`) stops as Ctrl-C does: temporary files are
    # removed, LibreOffice children killed, the pool stopped and the manifest saved
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
        # put back when the command ends: a program calling the CLI in-process (tests) keeps its own
        ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, previous))
    ctx.meta["deckgen.quiet"] = quiet
    handler = logging.StreamHandler()
    handler.setFormatter(_LowercaseLevelFormatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])


class _LowercaseLevelFormatter(logging.Formatter):
    """'warning: ...' as every other deckgen message, not logging's 'WARNING: ...'."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace(f"{record.levelname}:", f"{record.levelname.lower()}:", 1)
