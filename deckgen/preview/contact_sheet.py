"""Contact sheets: a grid of slide thumbnails with a caption under each, drawn with pillow."""
from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from deckgen.errors import InputFileError
from deckgen.fsutil import atomic_output

_MARGIN = 24
_GAP = 16
_CAPTION_SIZE = 16
_BACKGROUND = (255, 255, 255)
_BORDER = (200, 200, 200)
_TEXT = (46, 46, 46)


def contact_sheet(images: Sequence[str | os.PathLike], out_png: str | os.PathLike, *,
                  captions: Sequence[str] | None = None, columns: int | None = None,
                  thumb_width: int = 320, title: str | None = None) -> Path:
    """Draw ``images`` in a grid (row by row) with ``captions`` under them; write ``out_png``.

    Captions default to "1", "2", ...; each is shortened with "..." to fit its cell. Cells are
    as tall as the tallest thumbnail so rows line up even when slide sizes differ.
    """
    if not images:
        raise ValueError("a contact sheet needs at least one image")
    captions = list(captions) if captions is not None else [str(i + 1) for i in range(len(images))]
    if len(captions) != len(images):
        raise ValueError(f"{len(captions)} captions for {len(images)} images")
    columns = columns or min(len(images), 4)
    rows = math.ceil(len(images) / columns)
    thumbs = [_thumbnail(Path(p), thumb_width) for p in images]
    font = ImageFont.load_default(size=_CAPTION_SIZE)
    line_height = _CAPTION_SIZE + 8
    cell_height = max(t.height for t in thumbs) + line_height
    title_height = (_CAPTION_SIZE * 2) if title else 0
    width = 2 * _MARGIN + columns * thumb_width + (columns - 1) * _GAP
    height = 2 * _MARGIN + title_height + rows * cell_height + (rows - 1) * _GAP
    sheet = Image.new("RGB", (width, height), _BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    if title:
        draw.text((_MARGIN, _MARGIN), _fit(title, font, width - 2 * _MARGIN), font=font,
                  fill=_TEXT)
    for index, (thumb, caption) in enumerate(zip(thumbs, captions)):
        row, column = divmod(index, columns)
        x = _MARGIN + column * (thumb_width + _GAP)
        y = _MARGIN + title_height + row * (cell_height + _GAP)
        sheet.paste(thumb, (x, y))
        draw.rectangle((x - 1, y - 1, x + thumb.width, y + thumb.height), outline=_BORDER)
        draw.text((x, y + thumb.height + 4), _fit(caption, font, thumb_width), font=font,
                  fill=_TEXT)
    target = Path(out_png)
    with atomic_output(target) as handle:
        sheet.save(handle, format="PNG", optimize=True)
    return target


def _thumbnail(path: Path, width: int) -> Image.Image:
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            height = max(1, round(image.height * width / image.width))
            return image.resize((width, height), Image.Resampling.LANCZOS)
    except (OSError, ValueError) as exc:
        raise InputFileError(f"cannot read image ({exc})", where=str(path)) from exc


def _fit(text: str, font: ImageFont.ImageFont | ImageFont.FreeTypeFont, width: int) -> str:
    """``text`` on one line, cut with '...' so it is at most ``width`` pixels wide."""
    text = " ".join(text.split())
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."
