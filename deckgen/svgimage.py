"""SVG pictures: checked (bounded, no external references) and rasterised to a PNG fallback with resvg."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

MAX_SVG_BYTES = 5 * 1024 * 1024        # a logo, not a map
FALLBACK_PIXELS = 1200                 # the PNG fallback's longer side, for old Office and LibreOffice
_SVG_NS = "http://www.w3.org/2000/svg"
_HREFS = ("href", "{http://www.w3.org/1999/xlink}href")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class SvgError(ValueError):
    """An SVG that cannot be used; the message says why in one line."""


@dataclass(frozen=True)
class SvgImage:
    """An SVG file's bytes and the PNG rendered from it (PowerPoint shows the SVG, others the PNG)."""

    svg: bytes
    png: bytes
    size: tuple[int, int]              # the PNG's pixels (the SVG's aspect ratio)


def is_svg(name: str | Path, data: bytes | None = None) -> bool:
    """True for a ``.svg`` file name, or bytes that start like an SVG document."""
    if str(name).lower().endswith(".svg"):
        return True
    head = (data or b"")[:512].lstrip()
    return head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head)


def load_svg(data: bytes) -> SvgImage:
    """Check ``data`` and render its PNG fallback; raise SvgError naming the problem."""
    if len(data) > MAX_SVG_BYTES:
        raise SvgError(f"the SVG is {len(data) // 1024} KB, more than the {MAX_SVG_BYTES // 1024 // 1024} MB "
                       f"a picture may have")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SvgError(f"it is not well-formed SVG ({exc.msg})") from exc
    if root.tag != f"{{{_SVG_NS}}}svg":
        raise SvgError("its root element is not <svg> in the SVG namespace")
    for element in root.iter():
        for attribute in _HREFS:
            target = (element.get(attribute) or "").strip()
            if target and not target.startswith(("#", "data:")):
                # data is never a path to anywhere: a logo may not pull in other files or URLs
                raise SvgError(f"it refers to another file or URL ({target[:80]!r})")
    import resvg_py   # imported here: only decks with SVG pictures need it

    try:
        png = bytes(resvg_py.svg_to_bytes(svg_string=data.decode("utf-8"), skip_system_fonts=False))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SvgError(f"resvg cannot render it ({' '.join(str(exc).split())})") from exc
    size = _png_size(png)
    scale = FALLBACK_PIXELS / max(size)
    if scale < 0.5 or scale > 2:
        width, height = max(1, round(size[0] * scale)), max(1, round(size[1] * scale))
        png = bytes(resvg_py.svg_to_bytes(svg_string=data.decode("utf-8"), width=width, height=height))
        size = _png_size(png)
    return SvgImage(svg=data, png=png, size=size)


def _png_size(png: bytes) -> tuple[int, int]:
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        raise SvgError("resvg rendered no image (is the SVG empty or without a size?)")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    if not width or not height:
        raise SvgError("it has no size to render (set width/height or a viewBox)")
    return width, height
