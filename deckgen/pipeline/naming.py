"""Deck file names: the batch.filename pattern of deckgen.yaml rendered for a prospect, made unique."""
from __future__ import annotations

from pathlib import PurePosixPath

import jinja2

from deckgen.errors import ConfigError
from deckgen.prospect import Prospect
from deckgen.render import slug
from deckgen.sandbox import render_bounded, time_limit, user_sandbox


class DeckNamer:
    """Names decks from the config's filename pattern; a name already taken gets -2, -3, ..."""

    def __init__(self, pattern: str, recipe: str):
        with time_limit():
            self.template = user_sandbox(slug=slug).from_string(pattern)
        self.pattern = pattern
        self.recipe = recipe
        self.taken: set[str] = set()

    def render(self, prospect: Prospect, row: int = 1, index: int = 1) -> str:
        """Return the deck's path relative to the output folder (POSIX); ConfigError when unusable.

        ``row`` is the prospect's line in its file (or its position), ``index`` its position.
        """
        try:
            text = render_bounded(self.template, dict(prospect=prospect.as_context(), recipe=self.recipe,
                                                      row=row, index=index)).strip()
        except jinja2.TemplateError as exc:
            raise ConfigError(f"the file name pattern {self.pattern!r} (batch.filename in deckgen.yaml) "
                              f"fails: {exc.message}") from exc
        name = PurePosixPath(text.replace("\\", "/"))
        if not text or name.is_absolute() or any(part in ("", ".", "..") for part in name.parts):
            raise ConfigError(f"the file name pattern {self.pattern!r} gives {text!r}, which is not a "
                              f"file name inside the output folder",
                              hint="fix batch.filename in deckgen.yaml or the prospect's data")
        if name.suffix.lower() != ".pptx":
            name = name.with_name(name.name + ".pptx")
        return name.as_posix()

    def unique(self, names: list[str | None]) -> list[str | None]:
        """Return ``names`` with repeats made unique in order: the second "x.pptx" is "x-2.pptx".

        Case is ignored when comparing (macOS and Windows file systems ignore it), and a made-up
        name never takes one that another row asks for itself.
        """
        wanted = {name.casefold() for name in names if name}
        used: set[str] = set()
        result = []
        for name in names:
            if name is None:
                result.append(None)
                continue
            candidate, number = name, 1
            while candidate.casefold() in used or (candidate != name and candidate.casefold() in wanted):
                number += 1
                path = PurePosixPath(name)
                candidate = path.with_name(f"{path.stem}-{number}{path.suffix}").as_posix()
            used.add(candidate.casefold())
            result.append(candidate)
        return result
