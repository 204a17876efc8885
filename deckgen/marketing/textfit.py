"""Does a slide's text fit its box? Real font metrics via pillow, font files found through fontconfig.

Lines are laid out the way PowerPoint does it closely enough for a linter: greedy word wrap at the
box width minus insets and paragraph indents, a line as tall as its tallest run (the font's
ascent + descent at that size, times the paragraph's line spacing), spacing before and after
paragraphs, and the fontScale/lnSpcReduction PowerPoint stored for shrink-on-overflow boxes.
A family that is not installed is measured with the font fontconfig substitutes for it.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from PIL import ImageFont

from deckgen.ooxml.inspect import EMU_PER_PT, TextBox, TextParagraph, TextRun

# Fonts are loaded at SCALE pixels per point so pillow's integer sizes lose no precision.
_SCALE = 16
_WORDS = re.compile(r"(\s+)")
_FALLBACK_FAMILY = "sans-serif"


@dataclass(frozen=True)
class FontMatch:
    """The font file fontconfig gives for a family (and weight), and whether it is that family."""

    requested: str
    bold: bool
    path: Path
    family: str           # the family measured: ``requested`` when installed, else the stand-in
    exact: bool           # False: the family is not installed and ``family`` stands in for it


class FontconfigMissing(RuntimeError):
    """fc-match is not installed, so no font file can be found."""


class FontBook:
    """Finds font files with ``fc-match`` and loads them with pillow, caching both."""

    def __init__(self, fc_match: str | None = None):
        self._fc_match = fc_match or shutil.which("fc-match")
        self._matches: dict[tuple[str, bool], FontMatch] = {}

    @property
    def available(self) -> bool:
        return self._fc_match is not None

    def match(self, family: str | None, bold: bool) -> FontMatch:
        """Return the font file for ``family`` (None: fontconfig's default sans) in that weight."""
        requested = family or _FALLBACK_FAMILY
        key = (requested.casefold(), bold)
        if key not in self._matches:
            self._matches[key] = self._lookup(requested, bold)
        return self._matches[key]

    def _lookup(self, family: str, bold: bool) -> FontMatch:
        if self._fc_match is None:
            raise FontconfigMissing("fc-match (fontconfig) is not installed")
        pattern = family.replace("-", r"\-").replace(":", r"\:") + (":bold" if bold else "")
        result = subprocess.run([self._fc_match, "-f", "%{file}\n%{family}\n", pattern],
                                capture_output=True, text=True, check=False, timeout=30)
        lines = result.stdout.splitlines()
        if result.returncode != 0 or len(lines) < 2 or not lines[0]:
            raise FontconfigMissing(f"fc-match found no font for {family!r}")
        families = [name.strip() for name in lines[1].split(",") if name.strip()]
        exact = family.casefold() in {name.casefold() for name in families} or family == _FALLBACK_FAMILY
        found = family if exact else (families[0] if families else family)
        return FontMatch(requested=family, bold=bold, path=Path(lines[0]), family=found, exact=exact)

    def measure(self, family: str | None, bold: bool, size_pt: float) -> _Metrics:
        """Return width and line-height measures of the font at ``size_pt``."""
        return _metrics(str(self.match(family, bold).path), round(size_pt * _SCALE))


@dataclass(frozen=True)
class _Metrics:
    font: ImageFont.FreeTypeFont
    line_pt: float                 # ascent + descent in points (single line spacing)

    def width(self, text: str) -> float:
        return self.font.getlength(text) / _SCALE


@lru_cache(maxsize=512)
def _metrics(path: str, pixels: int) -> _Metrics:
    font = ImageFont.truetype(path, max(1, pixels))
    ascent, descent = font.getmetrics()
    return _Metrics(font=font, line_pt=(ascent + descent) / _SCALE)


@dataclass(frozen=True)
class Fit:
    """How much room a box's text needs against what it has, in points."""

    needed_height_pt: float
    available_height_pt: float
    widest_line_pt: float
    available_width_pt: float
    lines: int
    fonts: tuple[FontMatch, ...]   # every font file used to measure

    @property
    def overflow_height_pt(self) -> float:
        return self.needed_height_pt - self.available_height_pt

    @property
    def overflow_width_pt(self) -> float:
        return self.widest_line_pt - self.available_width_pt


def fit_text(box: TextBox, book: FontBook,
             skip: Callable[[TextParagraph], bool] = lambda paragraph: False) -> Fit:
    """Lay out the box's paragraphs (except those ``skip`` says) and return what they need."""
    scale = box.font_scale if box.autofit == "shrink" else 1.0
    reduction = box.line_reduction if box.autofit == "shrink" else 0.0
    left, top, right, bottom = (value / EMU_PER_PT for value in box.insets_emu)
    inner_width = box.width_emu / EMU_PER_PT - left - right
    column_width = inner_width / box.columns
    available_height = (box.height_emu / EMU_PER_PT - top - bottom) * box.columns
    used: dict[tuple[str, bool], FontMatch] = {}

    def metrics(run: TextRun, size: float) -> _Metrics:
        match = book.match(run.font, run.bold)
        used[(match.requested.casefold(), match.bold)] = match
        return book.measure(run.font, run.bold, size * scale)

    paragraphs = [p for p in box.paragraphs if not skip(p)]
    height = 0.0
    widest = 0.0
    line_count = 0
    for index, paragraph in enumerate(paragraphs):
        lines = _layout(paragraph, column_width if box.wrap else float("inf"), metrics, scale)
        spacing = paragraph.line_spacing if paragraph.line_spacing is not None else 1.0
        spacing = max(0.0, spacing - reduction)
        for width, tallest_pt, tallest_size in lines:
            widest = max(widest, width)
            if paragraph.line_spacing_pt is not None:
                height += paragraph.line_spacing_pt * scale
            else:
                height += tallest_pt * spacing
        line_count += len(lines)
        size = max((run.size_pt for run in paragraph.runs), default=paragraph.end_size_pt) * scale
        if index > 0:
            height += paragraph.space_before_pt + paragraph.space_before_pct / 100 * size * 1.2
        if index < len(paragraphs) - 1:
            height += paragraph.space_after_pt + paragraph.space_after_pct / 100 * size * 1.2
    return Fit(needed_height_pt=height, available_height_pt=available_height, widest_line_pt=widest,
               available_width_pt=column_width, lines=line_count, fonts=tuple(used.values()))


def _layout(paragraph: TextParagraph, width: float, metrics: Callable[[TextRun, float], _Metrics],
            scale: float) -> list[tuple[float, float, float]]:
    """Return (line width, line height at single spacing, largest size) for each laid-out line."""
    runs = list(paragraph.runs)
    if not any(run.text and run.text != "\n" for run in runs):
        end = TextRun("", paragraph.end_font, paragraph.end_size_pt, False)
        lines = max(1, 1 + sum(run.text == "\n" for run in runs))
        line_pt = metrics(end, end.size_pt).line_pt
        return [(0.0, line_pt, end.size_pt * scale)] * lines

    lines: list[tuple[float, float, float]] = []
    first_indent = paragraph.margin_left_pt + paragraph.first_line_indent_pt
    rest_indent = paragraph.margin_left_pt
    # "space" holds the width of the spaces after the last word: they count only when another
    # word follows on the same line (spaces at a line end hang past the edge, as in PowerPoint).
    state = {"width": 0.0, "space": 0.0, "height": 0.0, "size": 0.0, "indent": first_indent}

    def close_line() -> None:
        lines.append((state["width"] + state["indent"], state["height"], state["size"]))
        state.update(width=0.0, space=0.0, height=0.0, size=0.0, indent=rest_indent)

    def room() -> float:
        return width - state["indent"]

    def add(piece: float, run_metrics: _Metrics, size: float) -> None:
        state["width"] += state["space"] + piece
        state["space"] = 0.0
        state["height"] = max(state["height"], run_metrics.line_pt)
        state["size"] = max(state["size"], size)

    for word in _words(runs):
        if word is None:                     # a line break
            if state["height"] == 0.0:
                state["height"] = metrics(runs[0], runs[0].size_pt).line_pt
            close_line()
            continue
        pieces = [(text, run, metrics(run, run.size_pt)) for text, run in word]
        word_width = sum(m.width(text) for text, run, m in pieces if not text.isspace())
        trailing = sum(m.width(text) for text, run, m in pieces if text.isspace())
        if state["width"] > 0 and state["width"] + state["space"] + word_width > room():
            close_line()
        if word_width > room():              # longer than a whole line: break between characters
            for text, run, m in pieces:
                if text.isspace():
                    continue
                for char in text:
                    char_width = m.width(char)
                    if state["width"] > 0 and state["width"] + state["space"] + char_width > room():
                        close_line()
                    add(char_width, m, run.size_pt * scale)
        else:
            for text, run, m in pieces:
                if not text.isspace():
                    add(m.width(text), m, run.size_pt * scale)
        for text, run, m in pieces:          # a run of spaces only still sets the line height
            if text.isspace():
                state["height"] = max(state["height"], m.line_pt)
        state["space"] += trailing
    if state["height"] > 0.0 or not lines:
        close_line()
    return lines


def _words(runs: Iterable[TextRun]) -> Iterable[list[tuple[str, TextRun]] | None]:
    """Yield words (non-space pieces across runs plus the spaces after them); None is a line break."""
    word: list[tuple[str, TextRun]] = []
    ended = False                            # the current word has its trailing spaces
    for run in runs:
        if run.text == "\n":
            if word:
                yield word
            word, ended = [], False
            yield None
            continue
        for piece in _WORDS.split(run.text):
            if not piece:
                continue
            if piece.isspace():
                word.append((piece, run))
                ended = True
            else:
                if ended and word:
                    yield word
                    word, ended = [], False
                word.append((piece, run))
    if word:
        yield word


__all__ = ["Fit", "FontBook", "FontMatch", "FontconfigMissing", "fit_text"]
