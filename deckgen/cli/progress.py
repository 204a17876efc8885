"""The one progress bar of long runs (batch, rebuild, preview, catalog): on stderr, opened by the first report."""
from __future__ import annotations

import sys

import click

_STEPS = 1000   # reports give (done, total) per phase; the bar shows the share done


class StepBar:
    """A click progress bar fed with ``bar(done, total, label)`` reports.

    It opens with the first report, so a command that fails before any work prints its one error
    line only; use it as a context manager and call ``finish`` when the work is done.
    """

    def __init__(self, label: str):
        self.label = label
        self._bar = None
        self._shown = 0

    def __call__(self, done: int, total: int, label: str) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=_STEPS, label=self.label, item_show_func=lambda s: s,
                                          file=sys.stderr)
            self._bar.__enter__()
        target = _STEPS * done // total if total else 0
        self._bar.update(max(0, target - self._shown), label)
        self._shown = max(self._shown, target)

    def finish(self) -> None:
        """Fill the bar (when it was shown at all)."""
        if self._bar is not None:
            self._bar.update(_STEPS - self._shown, "done")
            self._shown = _STEPS

    def __enter__(self) -> StepBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc_info)
            self._bar = None

    def close(self) -> None:
        """Take the bar off the terminal now (before a message that must not mix with it)."""
        self.__exit__(None, None, None)
