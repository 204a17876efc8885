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
from typing import Callable, Iterable, Sequence

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


class _Metrics:
    """One font file at one size: line height, and the widths of the strings measured so far."""

    _MAX_WIDTHS = 20_000        # a long-running server measures many names: the memo stays bounded

    def __init__(self, font: ImageFont.FreeTypeFont):
        self.font = font
        ascent, descent = font.getmetrics()
        self.line_pt = (ascent + descent) / _SCALE       # ascent + descent in points (single spacing)
        self._widths: dict[str, float] = {}

    def width(self, text: str) -> float:
        width = self._widths.get(text)
        if width is None:
            if len(self._widths) >= self._MAX_WIDTHS:
                self._widths.clear()
            width = self._widths[text] = self.font.getlength(text) / _SCALE
        return width


@lru_cache(maxsize=512)
def _metrics(path: str, pixels: int) -> _Metrics:
    return _Metrics(ImageFont.truetype(path, max(1, pixels)))


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
    layout = TextLayout(box, book, skip)
    if box.autofit == "shrink":
        return layout.fit(box.font_scale, box.line_reduction)
    return layout.fit(1.0, 0.0)


@dataclass(slots=True)        # (not frozen: a fit builds thousands, and frozen ones cost twice as much)
class _Word:
    """A word as laid out: non-space pieces across runs plus the spaces after them, measured."""

    solid: bool            # it has non-space pieces (a paragraph may start with spaces only)
    width: float           # of its non-space pieces
    trailing: float        # of the spaces after it (they hang past a line end)
    line_pt: float         # the tallest of its non-space pieces, single spacing
    space_line_pt: float   # the tallest of its spaces (a run of spaces still sets the line height)
    pieces: tuple[tuple[str, _Metrics], ...]   # non-space (text, metrics): to break a word longer than a line


@dataclass(slots=True)
class _Break:
    """A line break inside a paragraph; an empty line is as tall as the paragraph's first run."""

    line_pt: float


class TextLayout:
    """A box's text split into words once, then fitted at any font scale and line-spacing reduction.

    ``fit(scale, reduction)`` measures with the fonts at the scaled sizes, as PowerPoint draws them;
    ``fit(..., exact=False)`` scales the widths measured at full size instead, which is what a
    search over many scales needs (advance widths grow linearly with the size, to well under 1%).
    """

    def __init__(self, box: TextBox, book: FontBook,
                 skip: Callable[[TextParagraph], bool] = lambda paragraph: False):
        self.box = box
        self.book = book
        self.paragraphs = [paragraph for paragraph in box.paragraphs if not skip(paragraph)]
        self._pieces = [_split_words(paragraph.runs) for paragraph in self.paragraphs]
        # a paragraph with no text (line breaks at most) is as many lines as it has breaks plus one
        self._empty = [not any(run.text and run.text != "\n" for run in paragraph.runs)
                       for paragraph in self.paragraphs]
        self._used: dict[tuple[str, bool], FontMatch] = {}
        self._fonts: dict[tuple[str | None, bool, float], _Metrics] = {}
        self._by_scale: dict[float, list[list[_Word | _Break]]] = {}

    def fit(self, scale: float, reduction: float, *, exact: bool = True) -> Fit:
        box = self.box
        left, top, right, bottom = (value / EMU_PER_PT for value in box.insets_emu)
        column_width = (box.width_emu / EMU_PER_PT - left - right) / box.columns
        available_height = (box.height_emu / EMU_PER_PT - top - bottom) * box.columns
        words, factor = (self._measured(scale), 1.0) if exact else (self._measured(1.0), scale)
        height = widest = 0.0
        line_count = 0
        last = len(self.paragraphs) - 1
        for index, paragraph in enumerate(self.paragraphs):
            lines = self._lines(paragraph, words[index], column_width if box.wrap else float("inf"), factor,
                                self._empty[index])
            spacing = max(0.0, (paragraph.line_spacing if paragraph.line_spacing is not None else 1.0) - reduction)
            for width, tallest_pt in lines:
                widest = max(widest, width)
                height += paragraph.line_spacing_pt * scale if paragraph.line_spacing_pt is not None \
                    else tallest_pt * spacing
            line_count += len(lines)
            size = max((run.size_pt for run in paragraph.runs), default=paragraph.end_size_pt) * scale
            if index > 0:
                height += paragraph.space_before_pt + paragraph.space_before_pct / 100 * size * 1.2
            if index < last:
                height += paragraph.space_after_pt + paragraph.space_after_pct / 100 * size * 1.2
        return Fit(needed_height_pt=height, available_height_pt=available_height, widest_line_pt=widest,
                   available_width_pt=column_width, lines=line_count, fonts=tuple(self._used.values()))

    def _font(self, run: TextRun | None, family: str | None, bold: bool, size: float) -> _Metrics:
        if run is not None:
            family, bold = run.font, run.bold
        metrics = self._fonts.get((family, bold, size))
        if metrics is None:
            match = self.book.match(family, bold)
            self._used[(match.requested.casefold(), match.bold)] = match
            metrics = self._fonts[(family, bold, size)] = self.book.measure(family, bold, size)
        return metrics

    def _measured(self, scale: float) -> list[list[_Word | _Break]]:
        """Each paragraph's words measured with the fonts at ``scale`` times their sizes."""
        if scale in self._by_scale:
            return self._by_scale[scale]
        measured = self._by_scale[scale] = []
        for paragraph, words, empty in zip(self.paragraphs, self._pieces, self._empty):
            runs = paragraph.runs
            if empty:
                end = self._font(None, paragraph.end_font, False, paragraph.end_size_pt * scale)
                measured.append([_Break(end.line_pt)] * (1 + sum(run.text == "\n" for run in runs)))
                continue
            # a paragraph has a few runs and many words: each run's font is looked up once
            fonts = [self._font(run, None, False, run.size_pt * scale) for run in runs]
            row: list[_Word | _Break] = []
            for word in words:
                if word is None:
                    row.append(_Break(fonts[0].line_pt))
                    continue
                solid, spaces = word
                if len(solid) == 1 and len(spaces) <= 1:      # most words: one piece, then a space or none
                    (text, run), = solid
                    font = fonts[run]
                    space_font = fonts[spaces[0][1]] if spaces else None
                    row.append(_Word(solid=True, width=font.width(text),
                                     trailing=space_font.width(spaces[0][0]) if space_font else 0.0,
                                     line_pt=font.line_pt, space_line_pt=space_font.line_pt if space_font else 0.0,
                                     pieces=((text, font),)))
                    continue
                row.append(_Word(solid=bool(solid), width=sum(fonts[run].width(text) for text, run in solid),
                                 trailing=sum(fonts[run].width(text) for text, run in spaces),
                                 line_pt=max((fonts[run].line_pt for _, run in solid), default=0.0),
                                 space_line_pt=max((fonts[run].line_pt for _, run in spaces), default=0.0),
                                 pieces=tuple((text, fonts[run]) for text, run in solid)))
            measured.append(row)
        return measured

    @staticmethod
    def _lines(paragraph: TextParagraph, words: list[_Word | _Break], width: float, factor: float,
               empty: bool) -> list[tuple[float, float]]:
        """(line width, line height at single spacing) of each line: greedy word wrap at ``width``,
        with every measure of ``words`` multiplied by ``factor``; an ``empty`` paragraph's lines are
        its breaks."""
        if empty:
            return [(0.0, word.line_pt * factor) for word in words]
        lines: list[tuple[float, float]] = []
        first_indent = paragraph.margin_left_pt + paragraph.first_line_indent_pt
        rest_indent = paragraph.margin_left_pt
        # "space" is the width of the spaces after the last word: it counts only when another word
        # follows on the same line (spaces at a line end hang past the edge, as in PowerPoint)
        line_width = space = line_height = 0.0
        indent = first_indent
        for word in words:
            if isinstance(word, _Break):
                lines.append((line_width + indent, line_height or word.line_pt * factor))
                line_width = space = line_height = 0.0
                indent = rest_indent
                continue
            word_width = word.width * factor
            if line_width > 0 and line_width + space + word_width > width - indent:
                lines.append((line_width + indent, line_height))
                line_width = space = line_height = 0.0
                indent = rest_indent
            # (comparisons rather than max(): this loop runs for every word of every fit tried)
            if word_width > width - indent:      # longer than a whole line: break between characters
                for text, metrics in word.pieces:
                    for char in text:
                        char_width = metrics.width(char) * factor
                        if line_width > 0 and line_width + space + char_width > width - indent:
                            lines.append((line_width + indent, line_height))
                            line_width = space = line_height = 0.0
                            indent = rest_indent
                        line_width += space + char_width
                        space = 0.0
                        if metrics.line_pt * factor > line_height:
                            line_height = metrics.line_pt * factor
            elif word.solid:
                line_width += space + word_width
                space = 0.0
                if word.line_pt * factor > line_height:
                    line_height = word.line_pt * factor
            if word.space_line_pt * factor > line_height:
                line_height = word.space_line_pt * factor
            space += word.trailing * factor
        if line_height > 0.0 or not lines:
            lines.append((line_width + indent, line_height))
        return lines


_Pieces = tuple[tuple[str, int], ...]      # (text, index of its run in the paragraph)


def _split_words(runs: Sequence[TextRun]) -> list[tuple[_Pieces, _Pieces] | None]:
    """A paragraph's words as (non-space pieces, spaces after them), pieces naming their run by
    index; None is a line break."""
    index = {id(run): number for number, run in enumerate(runs)}
    return [None if word is None else
            (tuple((text, index[id(run)]) for text, run in word if not text.isspace()),
             tuple((text, index[id(run)]) for text, run in word if text.isspace()))
            for word in _words(runs)]


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


__all__ = ["Fit", "FontBook", "FontMatch", "FontconfigMissing", "TextLayout", "fit_text"]
