"""Filling picture placeholders (fitted, aspect ratio kept) and native charts from template values."""
from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Mapping, Sequence
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PIL import UnidentifiedImageError

from deckgen.clock import build_time
from deckgen.errors import TemplateError
from deckgen.svgimage import SvgError, is_svg, load_svg
from deckgen.images import ImageProblem, open_image, read_image_file
from deckgen.ooxml.pptx_private import category_chart_data
from deckgen.ooxml.shapes import set_picture_image

if TYPE_CHECKING:
    from pptx.chart.data import CategoryChartData

# Formats python-pptx can embed as they are; pillow converts anything else it reads to PNG.
_EMBEDDABLE = {"PNG", "JPEG", "GIF", "BMP", "TIFF"}


def fit_inside(box: tuple[int, int, int, int], image_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Return (left, top, width, height) of the largest ``image_size``-shaped rectangle centred in ``box``."""
    left, top, width, height = box
    img_w, img_h = image_size
    scale = min(width / img_w, height / img_h)
    new_w, new_h = round(img_w * scale), round(img_h * scale)
    return left + (width - new_w) // 2, top + (height - new_h) // 2, new_w, new_h


# why an image file (resolved path) may not be read, or None when it may
ImageRefusal = Callable[[Path], "str | None"]


class MediaCache:
    """Images already read and embedded while rendering one deck (a logo shows on many slides).

    ``refusal`` says why a file named by a template value may not be read (None: any file may);
    a build passes the project's ``logos:`` policy, so ``image:values.photo`` holding
    ``/etc/...`` is refused like a prospect's logo would be."""

    def __init__(self, refusal: ImageRefusal | None = None) -> None:
        self.images: dict[Any, tuple[bytes, tuple[int, int], bytes | None]] = {}
        self.image_parts: dict[str, Any] = {}
        self.refusal = refusal

    def image(self, value: Any, where: str, label: str) -> tuple[bytes, tuple[int, int], bytes | None]:
        """(embeddable bytes, pixel size, the SVG when the image is one) of an image path or bytes."""
        key = value if isinstance(value, (str, os.PathLike, bytes)) else None
        if key is None or key not in self.images:
            loaded = _load_image(value, where, label, self.refusal)
            if key is None:
                return loaded
            self.images[key] = loaded
        return self.images[key]


def _load_image(value: Any, where: str, label: str,
                refusal: ImageRefusal | None = None) -> tuple[bytes, tuple[int, int], bytes | None]:
    """Return the image as embeddable bytes, its pixel size and, for an SVG, the SVG (the bytes
    are then its PNG fallback); raise TemplateError when unusable or refused by ``refusal``."""
    if isinstance(value, (bytes, bytearray)):
        data, name = bytes(value), "the image data"
    elif isinstance(value, (str, os.PathLike)):
        path = Path(value)
        name = f"image file '{path}'"
        try:
            why = refusal(path.resolve()) if refusal is not None else None
        except (OSError, RuntimeError, ValueError) as exc:     # a symlink loop, a NUL
            raise TemplateError(f"{label}: {name} cannot be used ({exc})", where) from exc
        if why:
            raise TemplateError(f"{label}: {name} {why}", where,
                                "copy the image into one of them, or add its folder to 'logos:' in deckgen.yaml")
        try:
            data = read_image_file(path)
        except ImageProblem as exc:
            raise TemplateError(f"{label}: {name} cannot be used: {exc}", where) from exc
        except OSError as exc:
            raise TemplateError(f"{label}: {name} cannot be read ({exc.strerror or exc})", where,
                                "check the path in the prospect file") from exc
    else:
        raise TemplateError(f"{label}: expected an image file path, got {value!r}", where)
    if is_svg(value if isinstance(value, (str, os.PathLike)) else "", data):
        try:
            svg = load_svg(data)
        except SvgError as exc:
            raise TemplateError(f"{label}: {name} is not a usable SVG: {exc}", where,
                                "save it again from a vector editor as plain SVG, or use a PNG") from exc
        return svg.png, svg.size, svg.svg
    try:
        with open_image(data) as image:
            size, fmt = image.size, image.format
            if fmt not in _EMBEDDABLE:
                converted = io.BytesIO()
                image.save(converted, format="PNG")
                data = converted.getvalue()
    except ImageProblem as exc:
        raise TemplateError(f"{label}: {name} cannot be used: {exc}", where,
                            "use a PNG or JPEG file of ordinary size") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise TemplateError(f"{label}: {name} is not an image pillow can read", where,
                            "use a PNG, JPEG or SVG file") from exc
    return data, size, None


def place_image(shape: Any, value: Any, where: str, cache: MediaCache | None = None) -> None:
    """Show the image ``value`` (path or bytes) in picture ``shape``, fitted in its frame and centred."""
    label = f"picture {shape.name!r}"
    cache = cache or MediaCache()
    data, size, svg = cache.image(value, where, label)
    box = (shape.left, shape.top, shape.width, shape.height)
    if None in box:
        raise TemplateError(f"{label} has no position or size to fit the image into", where)
    picture = set_picture_image(shape, data, cache.image_parts, svg=svg)
    picture.left, picture.top, picture.width, picture.height = fit_inside(box, size)


# characters XML 1.0 cannot hold (a chart's names are written into its XML and its workbook)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, Real) and not isinstance(value, bool))


def chart_data(value: Any, where: str, label: str) -> CategoryChartData:
    """Return chart data for ``{categories: [...], series: {NAME: [numbers...]}}``; raise TemplateError otherwise."""
    expected = "expected a mapping {categories: [...], series: {NAME: [numbers...]}}"
    if not isinstance(value, Mapping) or "categories" not in value or "series" not in value:
        raise TemplateError(f"{label}: {expected}, got {value!r}", where)
    categories, series = value["categories"], value["series"]
    if isinstance(categories, (str, bytes)) or not isinstance(categories, Sequence) or not categories:
        raise TemplateError(f"{label}: 'categories' must be a non-empty list, got {categories!r}", where)
    if not isinstance(series, Mapping) or not series:
        raise TemplateError(f"{label}: 'series' must map series names to lists of numbers, got {series!r}",
                            where)
    for name in [*categories, *series]:
        if isinstance(name, str) and _NOT_XML.search(name):
            raise TemplateError(f"{label}: the name {_short(name)} has a control character, which a chart "
                                "cannot hold", where, "remove it from the prospect data")
    # the workbook carries the build time, not the current time, so builds stay reproducible
    # under SOURCE_DATE_EPOCH
    data = category_chart_data(categories, build_time().replace(tzinfo=None))
    for name, values in series.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) \
                or not all(_is_number(v) for v in values):
            raise TemplateError(f"{label}: series {_short(name)} must be a list of numbers, got {_short(values)}",
                                where)
        if not all(v is None or math.isfinite(v) for v in values):
            raise TemplateError(f"{label}: series {_short(name)} must hold finite numbers, got "
                                f"{_short(values)}", where, "replace inf/NaN by a number or leave the value out")
        if len(values) != len(categories):
            raise TemplateError(f"{label}: series {name!r} has {len(values)} values for "
                                f"{len(categories)} categories", where)
        data.add_series(str(name), list(values))
    return data


def fill_chart(shape: Any, value: Any, where: str) -> None:
    """Replace the data of the chart in graphic frame ``shape`` (formatting per series index is kept)."""
    from pptx.chart.plot import BubblePlot, XyPlot

    label = f"chart {shape.name!r}"
    chart = shape.chart
    if any(isinstance(plot, (XyPlot, BubblePlot)) for plot in chart.plots):
        raise TemplateError(f"{label} is an XY or bubble chart; chart: marks fill category charts only",
                            where, "use a bar, column, line, area or pie chart")
    had_title = chart.has_title
    chart.replace_data(chart_data(value, where, label))
    if not had_title:
        # a chart drawn without a title keeps none: PowerPoint would show the series name as an
        # automatic title once it has a single series
        chart.has_title = False
