"""The `deckgen` command line: click commands only, each parsing options and calling one API function."""
from __future__ import annotations

import importlib
import logging
import signal
import threading
from dataclasses import replace
from typing import Container, Iterable, NamedTuple

import click
from click.shell_completion import CompletionItem
from click.utils import make_default_short_help

from deckgen import __version__
from deckgen.yamlio import printable
from deckgen.errors import DeckgenError
from deckgen.problems import Problem


class LazyCommand(NamedTuple):
    """A command as `deckgen --help` and completion list it before its module is imported."""

    modules: tuple[str, ...]    # the modules of deckgen.cli that define it (and its subcommands)
    summary: str                # the first sentence of its help: click shortens it to the short help


# Each command's modules are imported only when it runs (or its own help is asked for), so a command
# pays only for its own imports and `deckgen --help` or a completed command name for none of them.
# tests/test_cli_help.py checks each summary gives the short help the command itself gives.
COMMANDS: dict[str, LazyCommand] = {
    "batch": LazyCommand(("batch",), "Build the deck of RECIPE for every prospect in a file, in parallel."),
    "build": LazyCommand(("build",), "Build the deck of RECIPE for a prospect into OUTPUT."),
    "catalog": LazyCommand(("catalog",), "Write a static HTML catalog of the library (open OUTPUT/index.html; "
                                         "no server needed)."),
    "check": LazyCommand(("check",), "Lint the whole library and every recipe; report every problem with its "
                                     "file and a fix."),
    "coverage": LazyCommand(("coverage",), "Show which segment / competitor / objection / kind cells have "
                                           "approved slides, and the gaps."),
    "diff": LazyCommand(("diff",), "Show which slides the current library, recipes and message map add to, "
                                   "remove from or change in each deck, and why (section and rule)."),
    "library": LazyCommand(("library", "library_browse"), "Inspect the slide library and write its metadata "
                                                          "sidecars."),
    "map": LazyCommand(("message_map",), "Write and inspect the message map (message_map.yaml)."),
    "merge": LazyCommand(("merge",), "Copy slides from SOURCE decks into OUTPUT, keeping each slide's own look "
                                     "(or --template's)."),
    "outcomes": LazyCommand(("scoreboard",), "Bring CRM opportunity outcomes into the scoreboard."),
    "plan": LazyCommand(("plan",), "Show which slides RECIPE (a name in the recipes folder, or a path) picks, "
                                   "in order, and why."),
    "preview": LazyCommand(("preview",), "Render DECK.pptx to one PNG per slide in OUTPUT (through LibreOffice, "
                                         "cached)."),
    "rebuild": LazyCommand(("batch",), "Rebuild the decks in FOLDER whose inputs changed since their last build."),
    "report": LazyCommand(("scoreboard",), "Write the scoreboard: slide usage, unused collateral, message-map use, "
                                           "win rates, content health."),
    "serve": LazyCommand(("serve",), "Serve the project's decks to a web page and an HTTP API (OpenAPI at "
                                     "/openapi.json)."),
    "watch": LazyCommand(("batch",), "Rebuild the affected decks in FOLDER whenever the library or recipes "
                                     "change (Ctrl-C or SIGTERM stops)."),
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
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        for module in COMMANDS[name].modules if name in COMMANDS else ():
            importlib.import_module(f"deckgen.cli.{module}")
        return super().get_command(ctx, name)

    def visible_commands(self, ctx: click.Context) -> list[str]:
        """The names help and completion list: every command but the hidden ones already imported."""
        return [name for name in self.list_commands(ctx) if name not in self.commands or not self.commands[name].hidden]

    def listed_help(self, name: str, limit: int = 45) -> str:
        """The short help listed for ``name``, without importing its module if it is not imported yet."""
        command = self.commands.get(name)
        return command.get_short_help_str(limit) if command else make_default_short_help(COMMANDS[name].summary, limit)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own asks every command for its short help, importing them all
        names = self.visible_commands(ctx)
        if names:
            limit = formatter.width - 6 - max(map(len, names))  # click's: three times the default spacing
            with formatter.section("Commands"):
                formatter.write_dl([(name, self.listed_help(name, limit)) for name in names])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        # click's imports every command whose name starts with ``incomplete`` to ask whether it is hidden
        items = [CompletionItem(name, help=self.listed_help(name))
                 for name in self.visible_commands(ctx) if name.startswith(incomplete)]
        return items + click.Command.shell_complete(self, ctx, incomplete)


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
