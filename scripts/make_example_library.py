"""Generate the shipped Northwind Ops example library: module decks, sidecars, recipes, prospects, config.

Northwind Ops is a fictional industrial-operations SaaS company (machine monitoring, predictive
maintenance, maintenance workflows, an edge gateway). This script writes, under ``--out`` (default:
the repository root):

  slide_library/*.pptx + *.yaml   module decks (what marketing edits) and their sidecars
  recipes/*.yaml                  base, closing, first-call, executive-briefing
  prospects/                      example prospects (YAML + JSON), logos, a CRM CSV export
  deckgen.yaml                    the project config

Output is deterministic: the same script gives byte-identical files (zip timestamps and embedded
workbook dates are pinned), so regenerating does not churn the committed .pptx files.

    python scripts/make_example_library.py [--out DIR]
"""
from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Sequence

import yaml
from lxml import etree
from PIL import Image, ImageDraw, ImageFont
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from deckgen.fsutil import write_bytes_atomic

REPO_ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# Brand: every colour and font a slide uses comes from here (and is listed in deckgen.yaml).
# ---------------------------------------------------------------------------------------------


class C:
    """Northwind Ops brand palette (RGB hex)."""

    INK = "13243B"       # deep navy: dark backgrounds
    NAVY = "1F3A5F"      # primary navy: panels, light-theme titles
    DUSK = "2A4A73"      # lighter navy: cards on dark backgrounds
    ORANGE = "F26B3A"    # accent on the corporate theme
    TEAL = "2A9D8F"      # accent on the proof theme
    AMBER = "F2B33D"     # third data colour
    WHITE = "FFFFFF"
    PAPER = "F6F8FA"     # light background tint
    MIST = "E8EDF3"      # light cards
    LINE = "C9D3DF"      # dividers on light backgrounds
    STEEL = "8FA3BA"     # muted text on dark backgrounds
    SLATE = "5B6B7F"     # muted text on light backgrounds
    CHARCOAL = "2E2E2E"  # body text on light backgrounds


BRAND_COLORS = [C.INK, C.NAVY, C.DUSK, C.ORANGE, C.TEAL, C.AMBER, C.WHITE, C.PAPER, C.MIST,
                C.LINE, C.STEEL, C.SLATE, C.CHARCOAL]
HEADING_FONT = "DejaVu Sans Condensed"   # installed with fonts-dejavu, so LibreOffice renders it
BODY_FONT = "Liberation Sans"            # metric-compatible with Arial
BRAND_FONTS = [HEADING_FONT, BODY_FONT]
HEADING = "+mj-lt"                       # theme font references, resolved per master
BODY = "+mn-lt"

SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)   # 13.333 x 7.5 in, PowerPoint's 16:9
MARGIN = 0.6                             # inches, left and right
CONTENT_W = 13.333 - 2 * MARGIN
FIXED_ZIP_TIME = (2025, 1, 6, 9, 0, 0)
FIXED_DOC_TIME = dt.datetime(2025, 1, 6, 9, 0, 0)


def rgb(hex_value: str) -> RGBColor:
    return RGBColor.from_string(hex_value)


@dataclass(frozen=True)
class Theme:
    """A slide master's look: theme colour/font scheme plus the colours slides draw with."""

    name: str
    scheme: dict[str, str]
    dark: bool
    background: str
    title: str        # title text
    text: str         # body text
    muted: str        # secondary text
    accent: str       # bars, numbers, bullets
    card: str         # card fill
    card_text: str
    line: str         # dividers, table rules
    accent_text: str  # text on an accent fill


CORPORATE = Theme(
    name="Northwind Corporate",
    scheme={"dk1": C.INK, "lt1": C.WHITE, "dk2": C.NAVY, "lt2": C.MIST, "accent1": C.ORANGE,
            "accent2": C.TEAL, "accent3": C.AMBER, "accent4": C.STEEL, "accent5": C.DUSK,
            "accent6": C.SLATE, "hlink": C.AMBER, "folHlink": C.STEEL},
    dark=True, background=C.INK, title=C.WHITE, text=C.WHITE, muted=C.STEEL, accent=C.ORANGE,
    card=C.DUSK, card_text=C.WHITE, line=C.DUSK, accent_text=C.WHITE,
)
PROOF = Theme(
    name="Northwind Proof",
    scheme={"dk1": C.CHARCOAL, "lt1": C.WHITE, "dk2": C.NAVY, "lt2": C.PAPER, "accent1": C.TEAL,
            "accent2": C.NAVY, "accent3": C.ORANGE, "accent4": C.AMBER, "accent5": C.SLATE,
            "accent6": C.STEEL, "hlink": C.TEAL, "folHlink": C.SLATE},
    dark=False, background=C.WHITE, title=C.NAVY, text=C.CHARCOAL, muted=C.SLATE, accent=C.TEAL,
    card=C.PAPER, card_text=C.CHARCOAL, line=C.LINE, accent_text=C.WHITE,
)

# ---------------------------------------------------------------------------------------------
# Images (pillow): the Northwind wordmark, the neutral logo placeholder, prospect logos.
# ---------------------------------------------------------------------------------------------


def _font(pattern: str, size: int) -> ImageFont.FreeTypeFont:
    """Load the font fontconfig finds for ``pattern`` ("DejaVu Sans Condensed:bold"): Debian, other
    distributions and fonts-liberation vs fonts-liberation2 keep the files in different folders."""
    family = pattern.split(":")[0]
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise SystemExit("fc-match (fontconfig) is not installed: run scripts/install-deps")
    found = subprocess.run([fc_match, "-f", "%{file}\n%{family}\n", pattern], capture_output=True,
                           text=True, check=False, timeout=30).stdout.splitlines()
    families = {name.strip().casefold() for name in (found[1] if len(found) > 1 else "").split(",")}
    if not found or not found[0] or family.casefold() not in families:
        raise SystemExit(f"font {family!r} is not installed (fc-list lists the installed fonts): "
                         f"run scripts/install-deps")
    return ImageFont.truetype(found[0], size)


def _hex(value: str) -> tuple[int, int, int]:
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _compass_mark(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], ring: str, needle: str) -> None:
    """Draw the Northwind compass mark: a ring with a needle pointing north-east."""
    x0, y0, x1, y1 = box
    size = x1 - x0
    draw.ellipse(box, fill=_hex(ring))
    cx, cy = x0 + size / 2, y0 + size / 2
    r = size * 0.34
    # needle: a long north-east point and a short south-west tail, split along its axis
    tip = (cx + r * 0.75, cy - r * 0.75)
    tail = (cx - r * 0.45, cy + r * 0.45)
    left = (cx - r * 0.22, cy - r * 0.22)
    right = (cx + r * 0.22, cy + r * 0.22)
    draw.polygon([tip, left, right], fill=_hex(needle))
    draw.polygon([tail, left, right], fill=_hex(needle) + (150,))


def northwind_wordmark(text_color: str) -> bytes:
    """Return the Northwind Ops wordmark (compass mark + name) as a transparent PNG."""
    image = Image.new("RGBA", (1500, 220), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image, "RGBA")
    _compass_mark(draw, (10, 20, 190, 200), C.ORANGE, C.WHITE)
    bold = _font("DejaVu Sans Condensed:bold", 120)
    regular = _font("DejaVu Sans Condensed", 120)
    draw.text((225, 110), "NORTHWIND", font=bold, fill=_hex(text_color), anchor="lm")
    width = draw.textlength("NORTHWIND", font=bold)
    draw.text((225 + width + 28, 110), "OPS", font=regular, fill=_hex(C.ORANGE), anchor="lm")
    return _png(image.crop(image.getbbox()))


def logo_placeholder() -> bytes:
    """Return the neutral picture that stands in for the prospect's logo on title slides."""
    image = Image.new("RGBA", (750, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rounded_rectangle((4, 4, 745, 295), radius=28, fill=_hex(C.MIST))
    dash, gap = 22, 14
    for x in range(30, 720, dash + gap):
        draw.line((x, 4, min(x + dash, 720), 4), fill=_hex(C.STEEL), width=5)
        draw.line((x, 295, min(x + dash, 720), 295), fill=_hex(C.STEEL), width=5)
    for y in range(30, 270, dash + gap):
        draw.line((4, y, 4, min(y + dash, 270)), fill=_hex(C.STEEL), width=5)
        draw.line((745, y, 745, min(y + dash, 270)), fill=_hex(C.STEEL), width=5)
    # a small "image" glyph: frame, sun, mountain
    draw.rounded_rectangle((95, 100, 215, 200), radius=10, outline=_hex(C.STEEL), width=7)
    draw.ellipse((170, 115, 195, 140), fill=_hex(C.STEEL))
    draw.polygon([(105, 192), (145, 140), (175, 175), (190, 160), (207, 192)], fill=_hex(C.STEEL))
    font = _font("DejaVu Sans Condensed:bold", 54)
    draw.text((250, 150), "Customer logo", font=font, fill=_hex(C.SLATE), anchor="lm")
    return _png(image)


@dataclass(frozen=True)
class ProspectLogo:
    """A fictional prospect's logo: a coloured mark and a wordmark, wide or stacked."""

    file: str
    wordmark: str
    mark: str          # circle | hexagon | triangle | diamond | square | bars | ring | chevron
    color: str         # mark colour (any colour: this is the prospect's brand, not ours)
    text_color: str
    font: str
    stacked: bool = False
    tagline: str = ""


def _draw_mark(draw: ImageDraw.ImageDraw, kind: str, box: tuple[int, int, int, int], color: str) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx, cy = x0 + w / 2, y0 + h / 2
    fill = _hex(color)
    if kind == "circle":
        draw.ellipse(box, fill=fill)
        draw.ellipse((x0 + w * .3, y0 + h * .3, x1 - w * .3, y1 - h * .3), fill=(255, 255, 255, 255))
    elif kind == "ring":
        draw.ellipse(box, outline=fill, width=int(w * .14))
        draw.ellipse((x0 + w * .38, y0 + h * .38, x1 - w * .38, y1 - h * .38), fill=fill)
    elif kind == "hexagon":
        draw.regular_polygon((cx, cy, w / 2), 6, fill=fill)
        draw.regular_polygon((cx, cy, w / 4.2), 6, fill=(255, 255, 255, 255))
    elif kind == "triangle":
        draw.polygon([(cx, y0), (x1, y1), (x0, y1)], fill=fill)
        draw.polygon([(cx, y0 + h * .45), (cx + w * .22, y1 - h * .08), (cx - w * .22, y1 - h * .08)],
                     fill=(255, 255, 255, 255))
    elif kind == "diamond":
        draw.polygon([(cx, y0), (x1, cy), (cx, y1), (x0, cy)], fill=fill)
        draw.polygon([(cx, y0 + h * .3), (x1 - w * .3, cy), (cx, y1 - h * .3), (x0 + w * .3, cy)],
                     fill=(255, 255, 255, 255))
    elif kind == "square":
        draw.rounded_rectangle(box, radius=int(w * .18), fill=fill)
        draw.rounded_rectangle((x0 + w * .28, y0 + h * .28, x1 - w * .28, y1 - h * .28),
                               radius=int(w * .06), fill=(255, 255, 255, 255))
    elif kind == "bars":
        bar = w / 5
        for i, frac in enumerate((.45, .7, 1.0)):
            left = x0 + i * bar * 1.9
            draw.rounded_rectangle((left, y1 - h * frac, left + bar * 1.3, y1), radius=int(bar * .3), fill=fill)
    elif kind == "chevron":
        for i in range(2):
            off = i * w * .34
            draw.polygon([(x0 + off, y0), (x0 + off + w * .36, cy), (x0 + off, y1),
                          (x0 + off + w * .22, y1), (x0 + off + w * .58, cy), (x0 + off + w * .22, y0)], fill=fill)
    else:
        raise ValueError(f"unknown mark {kind!r}")


def prospect_logo(spec: ProspectLogo) -> bytes:
    """Return a prospect logo PNG (transparent background), wide (~3:1) or stacked (~1:1)."""
    font = _font(spec.font, 110)
    small = _font("Liberation Sans", 40)
    if spec.stacked:
        image = Image.new("RGBA", (760, 700), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image, "RGBA")
        _draw_mark(draw, spec.mark, (250, 40, 510, 300), spec.color)
        draw.text((380, 420), spec.wordmark, font=font, fill=_hex(spec.text_color), anchor="mm")
        if spec.tagline:
            draw.text((380, 530), spec.tagline, font=small, fill=_hex(spec.color), anchor="mm")
    else:
        image = Image.new("RGBA", (1500, 420), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image, "RGBA")
        _draw_mark(draw, spec.mark, (30, 80, 290, 340), spec.color)
        draw.text((340, 200 if spec.tagline else 210), spec.wordmark, font=font,
                  fill=_hex(spec.text_color), anchor="lm")
        if spec.tagline:
            draw.text((345, 300), spec.tagline, font=small, fill=_hex(spec.color), anchor="lm")
    return _png(image.crop(image.getbbox()))


# ---------------------------------------------------------------------------------------------
# Masters and layouts: theme XML, background, text styles, decorations.
# ---------------------------------------------------------------------------------------------

A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS = {"a": A_NS, "p": "http://schemas.openxmlformats.org/presentationml/2006/main"}


def _set_theme(part, theme: Theme, heading_font: str, body_font: str) -> None:
    """Rewrite a theme part's colour and font schemes.

    python-pptx loads a template's theme as a plain blob part but creates the notes master's theme
    as an XML part; both are handled.
    """
    root = part._element if hasattr(part, "_element") else etree.fromstring(part.blob)
    root.set("name", theme.name)
    scheme = root.find(".//a:clrScheme", NS)
    scheme.set("name", theme.name)
    for slot, value in theme.scheme.items():
        slot_el = scheme.find(f"a:{slot}", NS)
        for child in list(slot_el):
            slot_el.remove(child)
        etree.SubElement(slot_el, qn("a:srgbClr"), val=value)
    fonts = root.find(".//a:fontScheme", NS)
    fonts.set("name", "Northwind")
    fonts.find("a:majorFont/a:latin", NS).set("typeface", heading_font)
    fonts.find("a:minorFont/a:latin", NS).set("typeface", body_font)
    if not hasattr(part, "_element"):
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _ph_type(sp) -> str | None:
    ph = sp.find(".//p:nvPr/p:ph", NS)
    if ph is None:
        return None
    return ph.get("type", "body")


def _set_xfrm(sp, x: float, y: float, w: float, h: float) -> None:
    """Give a shape element an explicit position (inches), creating spPr/xfrm as needed."""
    sp_pr = sp.find(qn("p:spPr"))
    xfrm = sp_pr.find(qn("a:xfrm"))
    if xfrm is None:
        xfrm = etree.Element(qn("a:xfrm"))
        sp_pr.insert(0, xfrm)
    for child in list(xfrm):
        xfrm.remove(child)
    etree.SubElement(xfrm, qn("a:off"), x=str(Inches(x)), y=str(Inches(y)))
    etree.SubElement(xfrm, qn("a:ext"), cx=str(Inches(w)), cy=str(Inches(h)))


def _solid(color: str) -> etree._Element:
    fill = etree.Element(qn("a:solidFill"))
    etree.SubElement(fill, qn("a:srgbClr"), val=color)
    return fill


def _style_level(ppr, size: int, color: str, bold: bool = False, bullet: str | None = None,
                 bullet_color: str | None = None, font: str = BODY, space_before: int = 0,
                 mar_l: float | None = None) -> None:
    """Rewrite one a:lvlNpPr of a text style: size (pt), colour, bold, bullet."""
    for child in list(ppr):
        ppr.remove(child)
    if mar_l is not None:
        ppr.set("marL", str(Inches(mar_l)))
        ppr.set("indent", str(-Inches(0.25)))
    ln_spc = etree.SubElement(ppr, qn("a:lnSpc"))
    etree.SubElement(ln_spc, qn("a:spcPct"), val="100000")
    spc = etree.SubElement(ppr, qn("a:spcBef"))
    etree.SubElement(spc, qn("a:spcPts"), val=str(space_before * 100))
    if bullet:
        bu_clr = etree.SubElement(ppr, qn("a:buClr"))
        etree.SubElement(bu_clr, qn("a:srgbClr"), val=bullet_color or color)
        etree.SubElement(ppr, qn("a:buFont"), typeface=BODY_FONT)
        etree.SubElement(ppr, qn("a:buChar"), char=bullet)
    else:
        etree.SubElement(ppr, qn("a:buNone"))
    rpr = etree.SubElement(ppr, qn("a:defRPr"), sz=str(size * 100), b="1" if bold else "0", kern="1200")
    rpr.append(_solid(color))
    etree.SubElement(rpr, qn("a:latin"), typeface=font)
    etree.SubElement(rpr, qn("a:ea"), typeface=font.replace("lt", "ea"))
    etree.SubElement(rpr, qn("a:cs"), typeface=font.replace("lt", "cs"))


def _style_text_styles(master, theme: Theme) -> None:
    styles = master._element.find(qn("p:txStyles"))
    title = styles.find("p:titleStyle/a:lvl1pPr", NS)
    title.set("algn", "l")
    _style_level(title, 28, theme.title, bold=True, font=HEADING)
    body = styles.find("p:bodyStyle", NS)
    sizes = [20, 17, 15, 14, 14, 14, 14, 14, 14]
    for level in range(1, 10):
        ppr = body.find(f"a:lvl{level}pPr", NS)
        _style_level(ppr, sizes[level - 1], theme.text, bullet="•" if level % 2 else "–",
                     bullet_color=theme.accent, space_before=8 if level == 1 else 4,
                     mar_l=0.3 + 0.3 * (level - 1))


def _remove_sp(sp) -> None:
    sp.getparent().remove(sp)


def _clear_lst_style(sp) -> None:
    lst = sp.find(".//a:lstStyle", NS)
    if lst is not None:
        for child in list(lst):
            lst.remove(child)


def _move_decorations(prs, target, draw: Callable) -> None:
    """Draw shapes with python-pptx on a scratch slide, then move them behind ``target``'s placeholders.

    Masters and layouts have no add_shape API; drawing on a slide and moving the elements keeps all
    the styling code in one place. Pictures get a relationship from the target part.
    """
    scratch = prs.slides.add_slide(prs.slide_layouts[0])
    for ph in list(scratch.placeholders):
        _remove_sp(ph._element)
    draw(scratch)
    tree = target.shapes._spTree
    next_id = max(int(e.get("id")) for e in tree.iter(qn("p:cNvPr"))) + 1
    position = 2  # after nvGrpSpPr and grpSpPr: decorations sit behind the placeholders
    for element in list(scratch.shapes._spTree)[2:]:
        for blip in element.iter(qn("a:blip")):
            image_part = scratch.part.related_part(blip.get(qn("r:embed")))
            blip.set(qn("r:embed"), target.part.relate_to(image_part, RT.IMAGE))
        element.find(".//" + qn("p:cNvPr")).set("id", str(next_id))
        next_id += 1
        tree.insert(position, element)
        position += 1
    _drop_slide(prs, scratch)


def _drop_slide(prs, slide) -> None:
    id_list = prs.slides._sldIdLst
    for sld_id in list(id_list):
        if prs.part.related_part(sld_id.rId) is slide.part:
            prs.part.drop_rel(sld_id.rId)
            id_list.remove(sld_id)


LAYOUT_NAMES = {"Title Slide": "Title", "Title and Content": "Title and Content",
                "Section Header": "Section", "Title Only": "Title Only", "Blank": "Blank"}


def new_deck(theme: Theme) -> Presentation:
    """Return an empty 16:9 presentation whose master and layouts carry ``theme``."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    props = prs.core_properties
    props.author = "Northwind Ops Marketing"
    props.last_modified_by = "Northwind Ops Marketing"
    props.title = theme.name
    props.created = props.modified = FIXED_DOC_TIME
    props.revision = 1

    master = prs.slide_master
    _set_theme(master.part.part_related_by(RT.THEME), theme, HEADING_FONT, BODY_FONT)
    clr_map = master._element.find(qn("p:clrMap"))
    if theme.dark:
        # dark theme: text maps to the light colour, background to the dark one
        clr_map.attrib.update({"bg1": "dk1", "tx1": "lt1", "bg2": "dk2", "tx2": "lt2"})
    master.background.fill.solid()
    master.background.fill.fore_color.rgb = rgb(theme.background)
    master._element.cSld.set("name", theme.name)

    for layout in list(prs.slide_layouts):
        if layout.name not in LAYOUT_NAMES:
            prs.slide_layouts.remove(layout)

    for sp in list(master.shapes._spTree.iter(qn("p:sp"))):
        kind = _ph_type(sp)
        if kind == "title":
            _set_xfrm(sp, MARGIN, 0.55, CONTENT_W, 0.85)
            sp.find(".//a:bodyPr", NS).set("anchor", "b")
        elif kind == "body":
            _set_xfrm(sp, MARGIN, 1.65, CONTENT_W, 4.95)
        elif kind in ("dt", "ftr"):
            _remove_sp(sp)
        elif kind == "sldNum":
            _set_xfrm(sp, 13.333 - MARGIN - 1.2, 6.98, 1.2, 0.35)
            _clear_lst_style(sp)
            lvl = etree.SubElement(sp.find(".//a:lstStyle", NS), qn("a:lvl1pPr"), algn="r")
            rpr = etree.SubElement(lvl, qn("a:defRPr"), sz="1000")
            rpr.append(_solid(theme.muted))
    _style_text_styles(master, theme)
    _move_decorations(prs, master, lambda s: _master_decorations(s, theme))

    for layout in prs.slide_layouts:
        original = layout.name
        layout._element.cSld.set("name", LAYOUT_NAMES[original])
        for sp in list(layout.shapes._spTree.iter(qn("p:sp"))):
            kind = _ph_type(sp)
            if kind in ("dt", "ftr"):
                _remove_sp(sp)
            elif kind in ("sldNum", "title", "body") and original in ("Title and Content", "Title Only"):
                xfrm = sp.find(".//a:xfrm", NS)
                if xfrm is not None:  # inherit the master's position
                    xfrm.getparent().remove(xfrm)
        if original == "Title Slide":
            _style_title_layout(prs, layout, theme)
        elif original == "Section Header":
            _style_section_layout(prs, layout, theme)
    _style_notes_master(prs)
    return prs


def _master_decorations(slide, theme: Theme) -> None:
    """Shapes every slide of the theme shows: accent bar, footer rule, wordmark."""
    if theme.dark:
        # a large quarter-circle glow in the top-right corner, the corporate signature
        add_box(slide, 11.35, -1.9, 3.9, 3.9, C.NAVY, shape=MSO_SHAPE.OVAL)
        add_box(slide, 12.35, -0.85, 1.9, 1.9, C.DUSK, shape=MSO_SHAPE.OVAL)
        add_box(slide, 0, 0, 0.14, 7.5, C.ORANGE)
    else:
        add_box(slide, 0, 0, 13.333, 0.12, C.NAVY)
        add_box(slide, 0, 0.12, 3.2, 0.06, C.TEAL)
    add_box(slide, MARGIN, 0.42, 0.7, 0.07, theme.accent)
    add_box(slide, MARGIN, 6.88, CONTENT_W, 0.015, theme.line if theme.dark else C.LINE)
    wordmark = northwind_wordmark(C.WHITE if theme.dark else C.NAVY)
    slide.shapes.add_picture(io.BytesIO(wordmark), Inches(MARGIN), Inches(7.03), height=Inches(0.24))


def _style_title_layout(prs, layout, theme: Theme) -> None:
    layout._element.set("showMasterSp", "0")
    for sp in layout.shapes._spTree.iter(qn("p:sp")):
        kind = _ph_type(sp)
        if kind == "ctrTitle":
            _set_xfrm(sp, MARGIN, 2.05, 7.3, 2.1)
            sp.find(".//a:bodyPr", NS).set("anchor", "b")
            _clear_lst_style(sp)
            lvl = etree.SubElement(sp.find(".//a:lstStyle", NS), qn("a:lvl1pPr"), algn="l")
            _style_level(lvl, 44, theme.title, bold=True, font=HEADING)
        elif kind == "subTitle":
            _set_xfrm(sp, MARGIN, 4.35, 7.3, 1.5)
            _clear_lst_style(sp)
            lst = sp.find(".//a:lstStyle", NS)
            lvl = etree.SubElement(lst, qn("a:lvl1pPr"), marL="0", indent="0", algn="l")
            _style_level(lvl, 20, theme.title, space_before=6)
            lvl2 = etree.SubElement(lst, qn("a:lvl2pPr"), marL="0", indent="0", algn="l")
            _style_level(lvl2, 16, theme.muted, space_before=6)
        elif kind == "sldNum":
            _remove_sp(sp)

    def draw(slide):
        panel = C.NAVY if theme.dark else C.PAPER
        add_box(slide, 8.55, 0, 13.333 - 8.55, 7.5, panel)
        add_box(slide, 10.9, 4.6, 4.2, 4.2, C.DUSK if theme.dark else C.MIST, shape=MSO_SHAPE.OVAL)
        add_box(slide, 8.55, 0, 0.1, 7.5, theme.accent)
        add_box(slide, MARGIN, 1.75, 0.9, 0.08, theme.accent)
        wordmark = northwind_wordmark(C.WHITE if theme.dark else C.NAVY)
        slide.shapes.add_picture(io.BytesIO(wordmark), Inches(MARGIN), Inches(0.6), height=Inches(0.36))
        add_text(slide, MARGIN, 6.75, 7.3, 0.4,
                 ["Northwind Ops · Rotterdam · Chicago · northwind.example"],
                 size=10, color=theme.muted)
    _move_decorations(prs, layout, draw)


def _style_section_layout(prs, layout, theme: Theme) -> None:
    for sp in list(layout.shapes._spTree.iter(qn("p:sp"))):
        kind = _ph_type(sp)
        if kind == "title":
            _set_xfrm(sp, MARGIN + 0.4, 2.4, 10.5, 1.5)
            sp.find(".//a:bodyPr", NS).set("anchor", "b")
            _clear_lst_style(sp)
            lvl = etree.SubElement(sp.find(".//a:lstStyle", NS), qn("a:lvl1pPr"), algn="l")
            _style_level(lvl, 40, theme.title, bold=True, font=HEADING)
        elif kind == "body":
            _set_xfrm(sp, MARGIN + 0.4, 4.05, 10.5, 1.2)
            _clear_lst_style(sp)
            lvl = etree.SubElement(sp.find(".//a:lstStyle", NS), qn("a:lvl1pPr"), marL="0", indent="0")
            _style_level(lvl, 20, theme.muted)

    def draw(slide):
        add_box(slide, MARGIN, 2.5, 0.12, 2.6, theme.accent)
    _move_decorations(prs, layout, draw)


def _style_notes_master(prs) -> None:
    """Give the notes pages the light brand theme (python-pptx's default notes theme is Office's)."""
    _set_theme(prs.notes_master.part.part_related_by(RT.THEME), PROOF, BODY_FONT, BODY_FONT)


# ---------------------------------------------------------------------------------------------
# Slide drawing helpers.
# ---------------------------------------------------------------------------------------------


@dataclass
class R:
    """A run: text plus the formatting that differs from its paragraph."""

    text: str
    color: str | None = None
    bold: bool | None = None
    size: float | None = None
    italic: bool | None = None
    font: str | None = None


@dataclass
class P:
    """A paragraph of runs with paragraph-level formatting."""

    runs: Sequence[R | str]
    size: float | None = None
    color: str | None = None
    bold: bool | None = None
    font: str | None = None
    bullet: bool = False
    align: PP_ALIGN | None = None
    space_before: float = 0
    space_after: float = 0
    line_spacing: float | None = None


def _as_para(item) -> P:
    if isinstance(item, P):
        return item
    if isinstance(item, (str, R)):
        return P([item])
    return P(list(item))


def _set_bullet(paragraph, color: str) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.set("marL", str(Inches(0.25)))
    ppr.set("indent", str(-Inches(0.25)))
    bu_clr = etree.SubElement(ppr, qn("a:buClr"))
    etree.SubElement(bu_clr, qn("a:srgbClr"), val=color)
    etree.SubElement(ppr, qn("a:buFont"), typeface=BODY_FONT)
    etree.SubElement(ppr, qn("a:buChar"), char="•")


def fill_text(text_frame, paragraphs, *, size: float = 14, color: str = C.CHARCOAL, bold: bool = False,
              font: str = BODY, align: PP_ALIGN = PP_ALIGN.LEFT, anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
              bullet_color: str | None = None, margins: tuple[float, float, float, float] = (0, 0, 0, 0),
              line_spacing: float | None = None, shrink: bool = False) -> None:
    """Fill a text frame with paragraphs (str, R, list of runs, or P), replacing what it held.

    ``shrink`` turns on shrink-on-overflow, for boxes whose template text is much longer than the
    value that replaces it (``{{ annual_savings | money }}`` becomes ``$1.25M``).
    """
    text_frame.word_wrap = True
    text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE if shrink else None
    text_frame.vertical_anchor = anchor
    left, top, right, bottom = margins
    text_frame.margin_left, text_frame.margin_top = Inches(left), Inches(top)
    text_frame.margin_right, text_frame.margin_bottom = Inches(right), Inches(bottom)
    items = [_as_para(item) for item in paragraphs]
    for index, para in enumerate(items):
        paragraph = text_frame.paragraphs[0] if index == 0 else text_frame.add_paragraph()
        if index == 0:
            for run in list(paragraph.runs):
                paragraph._p.remove(run._r)
        paragraph.alignment = para.align or align
        if para.space_before:
            paragraph.space_before = Pt(para.space_before)
        if para.space_after:
            paragraph.space_after = Pt(para.space_after)
        if para.line_spacing or line_spacing:
            paragraph.line_spacing = para.line_spacing or line_spacing
        if para.bullet:
            _set_bullet(paragraph, bullet_color or color)
        for item in para.runs:
            spec = item if isinstance(item, R) else R(item)
            run = paragraph.add_run()
            run.text = spec.text
            run.font.size = Pt(spec.size or para.size or size)
            run.font.bold = spec.bold if spec.bold is not None else (
                para.bold if para.bold is not None else bold)
            if spec.italic:
                run.font.italic = True
            run.font.color.rgb = rgb(spec.color or para.color or color)
            run.font.name = spec.font or para.font or font


def add_text(slide, x: float, y: float, w: float, h: float, paragraphs, *, name: str | None = None,
             **style):
    """Add a text box (inches) holding ``paragraphs``; see fill_text for the style keywords."""
    box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    fill_text(box.text_frame, paragraphs, **style)
    if name:
        box.name = name
    return box


def add_box(slide, x: float, y: float, w: float, h: float, fill: str | None, *, line: str | None = None,
            shape: MSO_SHAPE = MSO_SHAPE.RECTANGLE, radius: float | None = None, line_width: float = 1.0,
            name: str | None = None):
    """Add a filled auto shape without the default theme shadow or outline."""
    box = slide.shapes.add_shape(shape, Inches(x), Inches(y), Inches(w), Inches(h))
    # drop the theme style reference: its effect style draws a drop shadow in some renderers
    box._element.remove(box._element.find(qn("p:style")))
    if fill is None:
        box.fill.background()
    else:
        box.fill.solid()
        box.fill.fore_color.rgb = rgb(fill)
    if line is None:
        box.line.fill.background()
    else:
        box.line.color.rgb = rgb(line)
        box.line.width = Pt(line_width)
    if radius is not None:
        box.adjustments[0] = radius
    if name:
        box.name = name
    return box


def add_card(slide, x, y, w, h, paragraphs, *, fill: str, radius: float = 0.06,
             margins=(0.25, 0.2, 0.25, 0.2), line: str | None = None, **style):
    """Add a rounded card with text inside it."""
    box = add_box(slide, x, y, w, h, fill, shape=MSO_SHAPE.ROUNDED_RECTANGLE, radius=radius, line=line)
    fill_text(box.text_frame, paragraphs, margins=margins, **style)
    return box


def set_alt_text(shape, text: str) -> None:
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", text)


def add_slide_number(slide) -> None:
    """Copy the layout's slide-number placeholder onto the slide (python-pptx does not clone it)."""
    for sp in slide.slide_layout.shapes._spTree.iter(qn("p:sp")):
        if _ph_type(sp) == "sldNum":
            number = copy.deepcopy(sp)
            sp_pr = number.find(qn("p:spPr"))
            for child in list(sp_pr):
                sp_pr.remove(child)
            lst = number.find(".//a:lstStyle", NS)
            for child in list(lst):
                lst.remove(child)
            number.find(".//" + qn("p:cNvPr")).set("id", str(slide.shapes._next_shape_id))
            slide.shapes._spTree.append(number)
            return


def set_title(slide, text_or_runs) -> None:
    title = slide.shapes.title
    if isinstance(text_or_runs, str):
        title.text = text_or_runs
        return
    paragraph = title.text_frame.paragraphs[0]
    for text in text_or_runs:  # separate runs with identical formatting, as PowerPoint splits them
        run = paragraph.add_run()
        run.text = text


def set_notes(slide, notes: str) -> None:
    slide.notes_slide.notes_text_frame.text = notes


def _cell_border(cell, color: str, width_pt: float = 0.75, sides: str = "B") -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    for side in "LRTB":
        old = tc_pr.find(qn(f"a:ln{side}"))
        if old is not None:
            tc_pr.remove(old)
    # borders must precede the cell fill inside tcPr
    for index, side in enumerate("LRTB"):
        line = etree.Element(qn(f"a:ln{side}"), w=str(int(Pt(width_pt))), cap="flat", cmpd="sng")
        if side in sides:
            line.append(_solid(color))
        else:
            etree.SubElement(line, qn("a:noFill"))
        tc_pr.insert(index, line)


def style_cell(cell, paragraphs, *, fill: str | None, border: str | None = None, **style) -> None:
    if fill is None:
        cell.fill.background()
    else:
        cell.fill.solid()
        cell.fill.fore_color.rgb = rgb(fill)
    cell.margin_left = cell.margin_right = Inches(0.12)
    cell.margin_top = cell.margin_bottom = Inches(0.06)
    cell.vertical_anchor = style.pop("anchor", MSO_ANCHOR.MIDDLE)
    frame = cell.text_frame
    frame.word_wrap = True
    items = [_as_para(item) for item in paragraphs]
    for index, para in enumerate(items):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = para.align or style.get("align", PP_ALIGN.LEFT)
        for item in para.runs:
            spec = item if isinstance(item, R) else R(item)
            run = paragraph.add_run()
            run.text = spec.text
            run.font.size = Pt(spec.size or para.size or style.get("size", 12))
            run.font.bold = spec.bold if spec.bold is not None else (
                para.bold if para.bold is not None else style.get("bold", False))
            run.font.color.rgb = rgb(spec.color or para.color or style.get("color", C.CHARCOAL))
            run.font.name = spec.font or para.font or style.get("font", BODY)
    _cell_border(cell, border or C.LINE, sides="B" if border else "")


NO_STYLE_TABLE = "{2D5ABB26-0587-4C30-8999-92F81FD0307C}"  # PowerPoint's "No Style, No Grid"


def add_table(slide, x, y, w, col_widths: Sequence[float], row_height: float, rows: int, name: str):
    shape = slide.shapes.add_table(rows, len(col_widths), Inches(x), Inches(y), Inches(w),
                                   Inches(row_height * rows))
    shape.name = name
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    shape._element.graphic.graphicData.tbl.tblPr.find(qn("a:tableStyleId")).text = NO_STYLE_TABLE
    for index, width in enumerate(col_widths):
        table.columns[index].width = Inches(width)
    for row in table.rows:
        row.height = Inches(row_height)
    return table


def layout(prs, name: str):
    for candidate in prs.slide_layouts:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def content_slide(prs, title) -> object:
    """Add a 'Title Only' slide with its title and a slide number."""
    slide = prs.slides.add_slide(layout(prs, "Title Only"))
    set_title(slide, title)
    add_slide_number(slide)
    return slide


def placeholder(slide, kind: str):
    for shape in slide.placeholders:
        if _ph_type(shape._element) == kind:
            return shape
    raise KeyError(kind)


def template_tag(tag: str, color: str) -> P:
    """A paragraph holding only a paragraph-level template tag, set small so the slide stays readable."""
    return P([R(tag)], size=9, color=color)


def eyebrow(slide, x, y, w, text, color, size=11):
    return add_text(slide, x, y, w, 0.3, [P([R(text.upper())], bold=True)], size=size, color=color)


def chip_row(slide, x, y, labels: Sequence[str], fill: str, color: str) -> None:
    for label in labels:
        width = 0.35 + 0.082 * len(label)
        chip = add_card(slide, x, y, width, 0.32, [label], fill=fill, radius=0.5, margins=(0.1, 0, 0.1, 0),
                        size=11, color=color, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
        chip.text_frame.word_wrap = False
        x += width + 0.12


# ---------------------------------------------------------------------------------------------
# Library content. Each module lists its slides in order; each slide has a builder and metadata.
# ---------------------------------------------------------------------------------------------


@dataclass
class SlideDef:
    """One library slide: its sidecar metadata and the function that draws it."""

    key: str
    title: str
    tags: dict
    build: Callable
    extra: dict = field(default_factory=dict)   # sidecar keys besides key/slide_id/title/tags


@dataclass
class Module:
    """One module deck and the defaults of its sidecar."""

    name: str
    theme: Theme
    owner: str
    review_by: dt.date
    kind: str
    description: str
    slides: list[SlideDef] = field(default_factory=list)
    look: str | None = None   # "source": keeps its own look when decks are built on brand.template

    def slide(self, key: str, title: str, tags: dict | None = None, **extra):
        def register(build: Callable) -> Callable:
            self.slides.append(SlideDef(key, title, tags or {}, build, extra))
            return build
        return register


ALL_SEGMENTS = ["enterprise", "mid-market", "smb"]

# The dark corporate look is for covers, battle cards and closings: those keep it (look: source)
# when decks are built on the brand template, the light proof look.
corporate = Module("corporate", CORPORATE, "maria.lopez@northwind.example", dt.date(2027, 12, 31),
                   "corporate", "Title, agenda, company overview, approach and closing slides", look="source")


def _title_slide(prs, t: Theme, eyebrow_text: str, title: str, subtitle: list, notes: str):
    slide = prs.slides.add_slide(layout(prs, "Title"))
    slide.shapes.title.text = title
    sub = placeholder(slide, "subTitle").text_frame
    for index, (level, runs) in enumerate(subtitle):
        paragraph = sub.paragraphs[0] if index == 0 else sub.add_paragraph()
        paragraph.level = level
        for spec in runs:
            spec = spec if isinstance(spec, R) else R(spec)
            run = paragraph.add_run()
            run.text = spec.text
            if spec.bold:
                run.font.bold = True
            if spec.color:
                run.font.color.rgb = rgb(spec.color)
            if spec.size:
                run.font.size = Pt(spec.size)
    eyebrow(slide, MARGIN, 1.85, 7.0, eyebrow_text, t.accent, size=13)
    # the label, the white card and the logo are one group that goes away with the logo: a
    # prospect without one gets no empty card
    group = slide.shapes.add_group_shape()
    group.name = "Prepared for"
    members = SimpleNamespace(shapes=group.shapes)
    eyebrow(members, 9.15, 2.45, 3.6, "Prepared for", C.STEEL, size=11)
    add_box(members, 9.15, 2.8, 3.6, 1.8, C.WHITE, shape=MSO_SHAPE.ROUNDED_RECTANGLE, radius=0.08)
    logo = group.shapes.add_picture(io.BytesIO(logo_placeholder()), Inches(9.45), Inches(3.1),
                                    Inches(3.0), Inches(1.2))
    logo.name = "logo"
    set_alt_text(group, "if: prospect.logo")
    set_notes(slide, notes)
    return slide


@corporate.slide("title", "Keep every line running (title, prospect logo)",
                 {"kind": "title", "stage": ["discovery", "evaluation"]})
def _(prs, t):
    return _title_slide(
        prs, t, "Northwind Ops · Operations platform", "Keep every line running",
        [(0, ["How Northwind Ops helps ", R("{{ prospect.company }}", bold=True, color=C.ORANGE),
              " cut unplanned downtime"]),
         (1, ["{{ presenter }}"])],
        "Welcome and introductions: who is here from {{ prospect.company }}, and what each person wants "
        "from today.\n"
        "Set the frame: 45 minutes, mostly questions from us; slides only where they help.\n"
        "{% if employees is defined %}Context: {{ prospect.company }} has about {{ employees | number }} "
        "employees.{% endif %}\n"
        "Confirm the agenda on the next slide and ask what would make this meeting worth their time.")


@corporate.slide("title-executive", "Less downtime. More output. (executive title, prospect logo)",
                 {"kind": "title", "persona": ["cfo", "coo"], "stage": ["evaluation", "negotiation"]})
def _(prs, t):
    return _title_slide(
        prs, t, "Executive briefing", "Less downtime. More output.",
        [(0, ["The business case for ", R("{{ prospect.company }}", bold=True, color=C.ORANGE)]),
         (1, [R("{%p if prospect.contact is defined and prospect.contact %}", size=9)]),
         (1, ["Prepared for {{ prospect.contact.name }}{% if prospect.contact.title is defined %}, "
              "{{ prospect.contact.title }}{% endif %}"]),
         (1, [R("{%p endif %}", size=9)]),
         (1, ["{{ presenter }}"])],
        "This is a decision meeting, not a demo: confirm who decides and what they need to see.\n"
        "Lead with the business case, then proof, then the commercial proposal.\n"
        "Keep the platform walkthrough for questions; have the demo environment open in a second tab.\n"
        "Goal: agreement on {{ next_step }}.")


@corporate.slide("agenda", "Agenda", {"kind": "agenda"})
def _(prs, t):
    slide = content_slide(prs, "Agenda")
    items = [("Where {{ prospect.company }} is today", "Your lines, your downtime drivers, your goals for the year"),
             ("What Northwind Ops does", "One platform: connect machines, predict failures, run maintenance"),
             ("Proof from plants like yours", "Results, timelines and what it took to get there"),
             ("Next steps", "A plan we agree on before we leave the room")]
    for index, (heading, detail) in enumerate(items):
        y = 1.75 + index * 1.2
        add_text(slide, MARGIN, y - 0.05, 0.95, 0.7, [f"{index + 1:02d}"], size=30, bold=True,
                 color=t.accent, font=HEADING)
        add_text(slide, 1.65, y, 6.6, 0.4, [heading], size=20, bold=True, color=t.text,
                 shrink="prospect" in heading)     # a long company name shrinks, not wraps
        add_text(slide, 1.65, y + 0.45, 6.6, 0.4, [detail], size=14, color=t.muted)
        if index < len(items) - 1:
            add_box(slide, 1.65, y + 1.02, 6.6, 0.015, t.line)
    add_card(slide, 8.9, 1.75, 3.83, 4.55,
             [P([R("OUR GOAL TODAY")], size=12, bold=True, color=t.accent, space_after=10),
              P(["Leave with a shared view of where downtime costs {{ prospect.company }} the most — "
                 "and whether a pilot makes sense."], size=19, line_spacing=1.1)],
             fill=t.card, color=t.card_text, margins=(0.35, 0.35, 0.35, 0.3))
    set_notes(slide,
              "Walk the agenda in one breath, then ask: is there anything you want to add or skip?\n"
              "Spend most of the time on section 1: let {{ prospect.company }} describe their lines and "
              "their worst week of downtime this year.\n"
              "Write down the numbers they mention (lines, shifts, cost of an hour of downtime): the business "
              "case needs them.")
    return slide


@corporate.slide("about-northwind", "Northwind Ops at a glance", {"kind": "about", "stage": ["discovery"]})
def _(prs, t):
    slide = content_slide(prs, "Northwind Ops at a glance")
    add_text(slide, MARGIN, 1.7, 6.3, 4.4, [
        P(["We help manufacturers and logistics operators keep every machine, line and site running."],
          size=22, bold=True, font=HEADING, line_spacing=1.05, space_after=10),
        P(["One platform connects the shop floor to the boardroom: live machine data, failure prediction "
           "and maintenance workflows, without a multi-year IT project."], size=15, color=t.muted,
          space_after=14),
        P(["Founded 2016 in Rotterdam; US headquarters in Chicago"], bullet=True, space_before=4),
        P(["280 people, 60 of them former plant and reliability engineers"], bullet=True, space_before=4),
        P(["SOC 2 Type II and ISO/IEC 27001 certified"], bullet=True, space_before=4),
        P(["Food & beverage, packaging, discrete manufacturing, cold-chain logistics"], bullet=True,
          space_before=4),
    ], size=15, color=t.text, bullet_color=t.accent)
    stats = [("140+", "plants running on Northwind"), ("38", "countries"),
             ("9,500", "machines connected"), ("4.5 mo", "median payback")]
    for index, (number, label) in enumerate(stats):
        x = 7.3 + (index % 2) * 2.83
        y = 1.75 + (index // 2) * 2.1
        add_card(slide, x, y, 2.6, 1.9,
                 [P([R(number)], size=36, bold=True, font=HEADING, color=t.accent if index == 0 else t.text),
                  P([R(label)], size=13, color=t.muted)],
                 fill=t.card, anchor=MSO_ANCHOR.MIDDLE, margins=(0.25, 0.1, 0.2, 0.1))
    add_text(slide, MARGIN, 6.2, CONTENT_W, 0.45, [P([
        R("TRUSTED BY   ", bold=True, color=t.muted, size=10),
        R("Hartwell Foods  ·  Kestrel Aerospace  ·  Meridian Cold Chain  ·  Brightline Packaging  ·  "
          "Alder & Sons Machining")])], size=13, color=t.text, anchor=MSO_ANCHOR.MIDDLE)
    set_notes(slide,
              "Keep this to one minute: who we are, and why we are credible in operations.\n"
              "The stat to land is 4.5 months median payback; everything else supports it.\n"
              "If {{ prospect.company }} asks about company stability: profitable since 2023, "
              "Series C led by an industrial investor.")
    return slide


@corporate.slide("platform-overview", "One platform, four products", {"kind": "feature", "stage": ["discovery"]})
def _(prs, t):
    slide = content_slide(prs, "One platform, four products")
    products = [
        ("Pulse", "Real-time monitoring & OEE", C.ORANGE,
         ["Live OEE per line, shift and SKU", "Downtime reasons logged at the machine",
          "Andon screens and mobile alerts"]),
        ("Predict", "Predictive maintenance", C.TEAL,
         ["Models for motors, pumps, spindles and compressors", "Warnings 18 days before failure on average",
          "Work orders raised automatically"]),
        ("Flow", "Maintenance & shift workflows", C.AMBER,
         ["Work orders, checklists, spare parts", "Digital shift handover", "Works offline on any tablet"]),
    ]
    for index, (name, strap, color, bullets) in enumerate(products):
        x = MARGIN + index * 3.47
        add_card(slide, x, 1.7, 3.25, 3.5,
                 [P([R(name)], size=24, bold=True, font=HEADING),
                  P([R(strap)], size=14, bold=True, color=color, space_after=8)]
                 + [P([b], bullet=True, size=13, space_before=6) for b in bullets],
                 fill=t.card, color=t.card_text, bullet_color=color, margins=(0.3, 0.3, 0.25, 0.2))
        add_box(slide, x + 0.3, 1.7, 0.9, 0.07, color)
    add_card(slide, MARGIN, 5.42, 10.19, 1.15,
             [P([R("Northwind Edge  ", bold=True, size=16),
                 R("plug-and-play gateway: 300+ PLC drivers (OPC UA, Modbus, Siemens S7, Allen-Bradley), "
                   "outbound-only connection, keeps running if the network drops.")])],
             fill=C.NAVY, line=C.DUSK, color=t.text, size=14, anchor=MSO_ANCHOR.MIDDLE,
             margins=(0.3, 0.1, 0.3, 0.1))
    add_card(slide, 11.0, 1.7, 1.73, 4.87,
             [P([R("Open API")], size=18, bold=True, font=HEADING, space_after=10),
              P(["REST, GraphQL and webhooks"], size=13, space_after=12),
              P(["40+ connectors:"], size=13, bold=True),
              P(["SAP PM, Maximo, Initech MES, Ignition"], size=13)],
             fill=t.accent, color=t.accent_text, margins=(0.2, 0.3, 0.15, 0.2))
    set_notes(slide,
              "Three products on one data model, plus the Edge gateway that gets the data in.\n"
              "Most customers start with Pulse on one line, add Predict on critical assets, then roll Flow "
              "out to maintenance.\n"
              "Point at the API bar if IT is in the room: nothing is locked in, every number is exportable.")
    return slide


@corporate.slide("approach-90-days", "From first machine to every plant in 90 days",
                 {"kind": "feature", "stage": ["discovery", "evaluation"], "persona": ["coo", "plant-manager"]})
def _(prs, t):
    slide = content_slide(prs, "From first machine to every plant in 90 days")
    phases = [("Connect", "Week 1", ["Edge gateway installed", "First 10–20 machines live",
                                      "Downtime reasons configured"]),
              ("Baseline", "Weeks 2–4", ["True OEE baseline per line", "Top five loss drivers",
                                          "Success criteria agreed"]),
              ("Improve", "Weeks 5–12", ["Predict models trained", "Daily loss reviews",
                                          "First savings booked"]),
              ("Scale", "Month 4+", ["Site playbook and templates", "KPIs standardised",
                                      "Quarterly value reviews"])]
    for index, (name, when, bullets) in enumerate(phases):
        x = MARGIN + index * 3.05
        shape = MSO_SHAPE.PENTAGON if index == 0 else MSO_SHAPE.CHEVRON
        fill = t.accent if index == len(phases) - 1 else t.card
        arrow = add_box(slide, x, 1.75, 3.2, 0.95, fill, shape=shape)
        fill_text(arrow.text_frame, [P([R(f"{index + 1}  {name}", bold=True, size=17, font=HEADING)]),
                                     P([R(when, size=12)])],
                  color=C.WHITE, anchor=MSO_ANCHOR.MIDDLE, margins=(0.45 if index else 0.25, 0, 0.3, 0))
        add_text(slide, x + 0.25, 2.95, 2.7, 2.2, [P([b], bullet=True, space_before=6) for b in bullets],
                 size=14, color=t.text, bullet_color=t.accent)
    add_card(slide, MARGIN, 5.35, CONTENT_W, 1.15,
             [P([R("What we need from you:  ", bold=True, color=t.accent),
                 R("an executive sponsor, a maintenance lead for about four hours a week, and network "
                   "access for one Edge gateway per site.")])],
             fill=t.card, color=t.text, size=16, anchor=MSO_ANCHOR.MIDDLE, margins=(0.35, 0.1, 0.35, 0.1))
    set_notes(slide,
              "The point: value in weeks, with very little of their team's time.\n"
              "Connect: our engineer installs the gateway with their maintenance lead; no PLC changes.\n"
              "Baseline: most plants discover their real OEE is 10–20 points below the spreadsheet number.\n"
              "Ask who at {{ prospect.company }} would be the sponsor and the maintenance lead.")
    return slide


@corporate.slide("next-steps", "Proposed next steps", {"kind": "closing"})
def _(prs, t):
    slide = content_slide(prs, "Proposed next steps")
    steps = [("{{ next_step }}", "Within the next two weeks: we will send times today"),
             ("Agree success criteria and pilot scope", "We draft from today's notes; your team edits"),
             ("Run the pilot and review results together", "Six to nine weeks, with a go/no-go on agreed numbers")]
    for index, (heading, detail) in enumerate(steps):
        y = 1.8 + index * 1.45
        circle = add_box(slide, MARGIN, y, 0.62, 0.62, t.accent, shape=MSO_SHAPE.OVAL)
        fill_text(circle.text_frame, [str(index + 1)], size=20, bold=True, color=C.WHITE, font=HEADING,
                  align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
        add_text(slide, 1.5, y - 0.04, 6.6, 0.8, [heading], size=19, bold=True, color=t.text)
        add_text(slide, 1.5, y + 0.78, 6.6, 0.4, [detail], size=14, color=t.muted)
    add_card(slide, 8.5, 1.75, 4.23, 4.8,
             [P([R("AFTER TODAY WE WILL SEND")], size=12, bold=True, color=t.accent, space_after=6),
              P(["A written summary of today's discussion"], bullet=True, space_before=8),
              P(["Two reference customers in your segment"], bullet=True, space_before=8),
              template_tag("{%p if prospect.objections is defined and 'security' in prospect.objections %}",
                           t.muted),
              P(["Our security pack: SOC 2 Type II report, pen-test summary, data-flow diagram"],
                bullet=True, space_before=8),
              template_tag("{%p endif %}", t.muted),
              template_tag("{%p if prospect.objections is defined and 'integration' in prospect.objections %}",
                           t.muted),
              P(["Connector spec sheets for the systems you named"], bullet=True, space_before=8),
              template_tag("{%p endif %}", t.muted)],
             fill=t.card, color=t.card_text, size=15, bullet_color=t.accent, margins=(0.35, 0.35, 0.3, 0.3))
    set_notes(slide,
              "Do not leave without a date for step 1. Propose two times before the call ends.\n"
              "Confirm who from {{ prospect.company }} joins step 1 and who signs off the pilot scope.\n"
              "The follow-up list on the right adapts to the objections recorded for this prospect; send it "
              "within 24 hours.")
    return slide


@corporate.slide("closing", "Thank you", {"kind": "closing"})
def _(prs, t):
    slide = prs.slides.add_slide(layout(prs, "Title"))
    slide.shapes.title.text = "Thank you"
    sub = placeholder(slide, "subTitle").text_frame
    sub.paragraphs[0].text = "Questions, ideas, hard problems: we would love to hear them."
    for line in ("{{ presenter }}", "hello@northwind.example  ·  +1 312 555 0142"):
        contact = sub.add_paragraph()
        contact.level = 1
        contact.text = line
    eyebrow(slide, MARGIN, 1.85, 7.0, "Northwind Ops", t.accent, size=13)
    add_text(slide, 9.2, 2.3, 3.6, 2.6, [
        P(["“Every minute a line stands still is a minute you never get back.”"], size=22,
          font=HEADING, bold=True, line_spacing=1.1, space_after=14),
        P(["Northwind Ops founding principle"], size=12, color=C.STEEL)], color=C.WHITE)
    set_notes(slide,
              "Thank everyone by name.\n"
              "Repeat the agreed next step and its date out loud.\n"
              "Leave the contact details up while people ask their last questions.")
    return slide


competition = Module("competition", CORPORATE, "dev.patel@northwind.example", dt.date(2027, 6, 30),
                     "battle-card", "Customer-facing comparisons with the alternatives prospects consider",
                     look="source")


def _battle_card(prs, t: Theme, them: str, tagline: str, rows: list[tuple[str, str, str]],
                 questions: list[str], notes: str):
    slide = content_slide(prs, f"Northwind Ops vs {them}")
    add_text(slide, MARGIN, 1.5, 12.0, 0.5, [tagline], size=16, color=t.muted)
    table = add_table(slide, MARGIN, 2.2, 8.2, [2.4, 2.9, 2.9], 0.62, len(rows) + 1, name="comparison")
    style_cell(table.cell(0, 0), [""], fill=None)
    style_cell(table.cell(0, 1), ["Northwind Ops"], fill=t.accent, bold=True, color=C.WHITE, size=14)
    style_cell(table.cell(0, 2), [them], fill=t.card, bold=True, color=C.WHITE, size=14)
    for index, (criterion, ours, theirs) in enumerate(rows, start=1):
        style_cell(table.cell(index, 0), [criterion], fill=None, border=t.card, bold=True, color=t.muted)
        style_cell(table.cell(index, 1), [ours], fill=None, border=t.card, color=C.WHITE)
        style_cell(table.cell(index, 2), [theirs], fill=None, border=t.card, color=t.muted)
    add_card(slide, 9.1, 2.2, 3.63, 3.72,
             [P([R("QUESTIONS WORTH ASKING")], size=11, bold=True, color=t.accent, space_after=4)]
             + [P([q], bullet=True, space_before=8) for q in questions],
             fill=t.card, color=t.card_text, size=14, bullet_color=t.accent, margins=(0.3, 0.3, 0.25, 0.2))
    add_text(slide, MARGIN, 6.2, CONTENT_W, 0.4,
             ["Based on public product documentation and customer reports, reviewed quarterly by Northwind "
              "competitive intelligence. Tell us if something has changed."], size=10, color=t.muted)
    set_notes(slide, notes)
    return slide


@competition.slide("battle-acme", "Northwind Ops vs Acme Asset Cloud",
                   {"competitor": ["acme"], "segment": ["enterprise", "mid-market"]})
def _(prs, t):
    return _battle_card(
        prs, t, "Acme Asset Cloud", "Acme tracks your assets. Northwind keeps them running.",
        [("Time to first live data", "6–10 days per site", "4–9 months, SI-led project"),
         ("Machine connectivity", "Native Edge gateway, 300+ PLC drivers", "Partner add-on, priced separately"),
         ("Predictive maintenance", "Included from Professional", "Separate APM licence"),
         ("Pricing model", "Per site, unlimited users", "Per named user"),
         ("Shop-floor experience", "Tablet-first, works offline", "Desktop screens built for planners")],
        ["How long until one plant sees live machine data?", "Which modules need a separate licence?",
         "What do 200 technicians cost per year?"],
        "Where Acme wins: incumbent with finance and IT, broad asset register, global SI partners.\n"
        "Do not attack the asset register: position Northwind as the real-time layer that makes it "
        "accurate. We integrate both ways.\n"
        "Landmine: ask who maintains the partner connectivity add-on, and what it costs per site.\n"
        "Proof: Kestrel Aerospace kept Acme as the system of record and added Northwind to 14 plants in "
        "9 months.\n"
        "If {{ prospect.company }} already runs Acme, offer the two-way connector demo.")


@competition.slide("battle-initech", "Northwind Ops vs Initech MES Suite",
                   {"competitor": ["initech"], "segment": ALL_SEGMENTS})
def _(prs, t):
    return _battle_card(
        prs, t, "Initech MES Suite",
        "Initech runs your production orders. Northwind keeps your machines running, alongside it.",
        [("Focus", "Machine performance and maintenance", "Orders, routing, genealogy"),
         ("Deployment", "Weeks, configured by your engineers", "12–18 months, vendor services"),
         ("Changes after go-live", "Self-service in the browser", "Change requests to Initech services"),
         ("Integration", "Certified two-way Initech connector", "Proprietary interfaces"),
         ("Cost to add a site", "One Edge gateway and a site licence", "A full MES rollout per site")],
        ["What does adding a downtime reason cost?", "How long is a typical site rollout?",
         "Who owns change requests after go-live?"],
        "Position as complement, never replacement: MES owns orders, Northwind owns machine health.\n"
        "Where Initech wins: genealogy and regulated batch records. Concede it.\n"
        "Landmine: ask how many open change requests they have with Initech services today.\n"
        "Proof: Brightline Packaging connected Initech MES in the first week of its pilot.")


@competition.slide("battle-umbrella", "Northwind Ops vs Umbrella IoT Platform",
                   {"competitor": ["umbrella"], "segment": ALL_SEGMENTS})
def _(prs, t):
    return _battle_card(
        prs, t, "Umbrella IoT Platform",
        "Umbrella sells a toolkit for building IoT apps. Northwind is the finished operations app.",
        [("What you get", "Finished OEE, maintenance and alerting apps", "Device cloud, rules engine, SDKs"),
         ("Who builds it", "Configured by plant engineers", "Your data engineers and integrators"),
         ("Time to value", "First savings in weeks", "6–12 months of build"),
         ("Industrial protocols", "300+ PLC drivers out of the box", "Bring your own gateway"),
         ("3-year cost, 10 sites", "$0.9M subscription", "$0.6M platform + $1.4M build and run")],
        ["Who maintains the apps you build on it?", "Which shop-floor use cases ship ready to use?",
         "What is the 3-year cost including your team?"],
        "Umbrella wins when IT leads the evaluation and wants a general-purpose platform.\n"
        "Bring operations into the room: the question is time to savings, not platform features.\n"
        "Use the 3-year cost row carefully: it is our model for a 10-site customer; offer to run it with "
        "{{ prospect.company }}'s numbers.\n"
        "Proof: Hartwell Foods evaluated Umbrella and chose Northwind; payback in 11 weeks.")


@competition.slide("battle-in-house", "Northwind Ops vs building it in-house",
                   {"competitor": ["in-house"], "segment": ALL_SEGMENTS})
def _(prs, t):
    return _battle_card(
        prs, t, "Build in-house",
        "A historian, a BI tool and scripts can work, until the one engineer who built it moves on.",
        [("People needed", "0.2 FTE admin per site", "3–5 FTE to build and run"),
         ("Time to first dashboard", "Days", "Months"),
         ("Predictive models", "Pre-trained for 40 asset types", "Built and validated from scratch"),
         ("Security and updates", "SOC 2 Type II, patched weekly", "Your team's responsibility"),
         ("Knowledge risk", "Documented, supported product", "Tied to a few key people")],
        ["Who keeps the data pipelines running at 3 a.m.?", "How long is the backlog of requests today?",
         "What happens when the key engineer leaves?"],
        "Respect what they built: the in-house champion is often our best future user.\n"
        "Offer to ingest their historian so nothing they built is lost.\n"
        "Landmine: ask for the backlog of dashboard and alert requests from the plants.\n"
        "Proof: Alder & Sons replaced paper logs and a homegrown spreadsheet in six days.")


@competition.slide("battle-generic", "Five questions to ask any operations platform vendor",
                   {"competitor": ["other"], "segment": ALL_SEGMENTS})
def _(prs, t):
    slide = content_slide(prs, "Five questions to ask any operations platform vendor")
    add_text(slide, MARGIN, 1.5, 12.0, 0.5,
             ["Whoever you evaluate, these answers decide how fast you see value and what it really costs."],
             size=16, color=t.muted)
    rows = [("How long until one plant sees live machine data?", "6–10 days, with our engineers on site"),
            ("Which capabilities cost extra?", "No per-user fees; products priced per site"),
            ("Does it keep running if the internet drops?", "Yes: Edge buffers 30 days of data on site"),
            ("Which systems does it connect to out of the box?", "40+ connectors incl. SAP PM, Maximo, Initech MES"),
            ("What do customers achieve in year one?", "Median +9 OEE points, 35% less unplanned downtime")]
    table = add_table(slide, MARGIN, 2.2, CONTENT_W, [0.7, 6.0, 5.43], 0.68, len(rows) + 1, name="questions")
    for col, text in enumerate(["", "Ask every vendor", "Northwind Ops answer"]):
        style_cell(table.cell(0, col), [text], fill=t.accent if col == 2 else t.card, bold=True,
                   color=C.WHITE, size=14)
    for index, (question, answer) in enumerate(rows, start=1):
        style_cell(table.cell(index, 0), [f"{index}"], fill=None, border=t.card, bold=True, color=t.accent,
                   size=18, font=HEADING, align=PP_ALIGN.CENTER)
        style_cell(table.cell(index, 1), [question], fill=None, border=t.card, color=C.WHITE, size=15)
        style_cell(table.cell(index, 2), [answer], fill=None, border=t.card, color=t.muted, size=14)
    set_notes(slide,
              "Use when the prospect names a competitor we have no battle card for, or none at all.\n"
              "Hand the questions over: buyers like a neutral checklist, and ours are the answers they will "
              "compare against.\n"
              "Ask which vendors {{ prospect.company }} is talking to, and log them in the CRM for "
              "competitive intelligence.")
    return slide


value_props = Module("value-props", PROOF, "sam.okafor@northwind.example", dt.date(2027, 9, 30),
                     "value-prop", "Why Northwind Ops, per segment and persona")


@value_props.slide("vp-one-platform", "One platform from machine to boardroom",
                   {"segment": ["enterprise", "mid-market"], "persona": ["coo", "cfo"], "stage": ["discovery"]})
def _(prs, t):
    slide = content_slide(prs, "One platform from machine to boardroom")
    add_text(slide, MARGIN, 1.75, 5.7, 4.8, [
        P(["Most operations teams juggle a historian, a CMMS, spreadsheets and BI, and still can't answer "
           "“why did line 3 stop?”"], size=18, color=t.title, line_spacing=1.1, space_after=14),
        P(["Live machine data, downtime reasons and maintenance work in one place"], bullet=True, space_before=8),
        P(["The same numbers for operators, plant managers and the board"], bullet=True, space_before=8),
        P(["One vendor, one contract, one security review"], bullet=True, space_before=8),
    ], size=16, color=t.text, bullet_color=t.accent)
    layers = [("Boardroom", "Portfolio OEE, savings and risk across every site", C.NAVY, C.WHITE),
              ("Plant", "Lines, shifts, maintenance backlog and spare parts", C.TEAL, C.WHITE),
              ("Machine", "300+ PLC drivers and retrofit sensors, live in days", C.MIST, C.NAVY)]
    for index, (name, text, fill, color) in enumerate(layers):
        add_card(slide, 6.8 + index * 0.3, 1.75 + index * 1.6, 5.93 - index * 0.3, 1.4,
                 [P([R(name)], size=20, bold=True, font=HEADING), P([text], size=14)],
                 fill=fill, color=color, anchor=MSO_ANCHOR.MIDDLE, margins=(0.35, 0.1, 0.3, 0.1))
    set_notes(slide,
              "Ask: how many systems does {{ prospect.company }} open to explain one stoppage?\n"
              "The layers show one data model: the OEE the board sees is computed from the same machine "
              "signals the operator sees.\n"
              "For the CFO: one contract and one security review replace three to five point tools.")
    return slide


@value_props.slide("vp-enterprise-scale", "Standardise 50 plants without 50 projects",
                   {"segment": ["enterprise"], "persona": ["coo", "it"], "stage": ["evaluation"]})
def _(prs, t):
    slide = content_slide(prs, "Standardise 50 plants without 50 projects")
    add_text(slide, MARGIN, 1.5, 12.0, 0.5,
             ["Roll out once, copy everywhere: what works in plant one becomes the template for plant fifty."],
             size=16, color=t.muted)
    cards = [("3 wks", "Per additional site", "Site templates copy line models, KPIs, downtime codes and "
              "alert rules."),
             ("1 login", "Enterprise controls", "SSO, SCIM, audit log, EU or US data residency and "
              "role-based access per site."),
             ("1 view", "Portfolio dashboard", "Compare OEE, downtime and savings across plants on one "
              "definition.")]
    for index, (stat, heading, text) in enumerate(cards):
        x = MARGIN + index * 4.13
        add_card(slide, x, 2.25, 3.88, 3.0,
                 [P([R(stat)], size=40, bold=True, font=HEADING, color=t.accent, space_after=6),
                  P([R(heading)], size=18, bold=True, color=t.title, space_after=8),
                  P([text], size=15, line_spacing=1.1)],
                 fill=t.card, line=t.line, color=t.text, margins=(0.35, 0.35, 0.3, 0.3))
    add_box(slide, MARGIN, 5.55, CONTENT_W, 0.95, C.MIST)
    add_box(slide, MARGIN, 5.55, 0.1, 0.95, t.accent)
    add_text(slide, MARGIN + 0.35, 5.55, CONTENT_W - 0.5, 0.95,
             [P([R("Proof  ", bold=True, color=t.accent),
                 R("Kestrel Aerospace rolled its plant-one template out to 13 more plants, three weeks each.")])],
             size=15, color=t.title, anchor=MSO_ANCHOR.MIDDLE)
    set_notes(slide,
              "For multi-site groups the risk is not plant one, it is plants two to fifty.\n"
              "Templates: the first site's configuration is copied, then tuned; Kestrel averaged three weeks "
              "per additional plant.\n"
              "IT cares about the middle card: SSO, SCIM and residency are standard, not professional "
              "services.")
    return slide


@value_props.slide("vp-predictive", "Fix machines before they stop",
                   {"segment": ALL_SEGMENTS, "persona": ["maintenance-lead", "coo"], "stage": ["discovery"]})
def _(prs, t):
    slide = content_slide(prs, "Fix machines before they stop")
    add_card(slide, MARGIN, 1.75, 4.6, 4.8,
             [P([R("−35%")], size=66, bold=True, font=HEADING),
              P(["unplanned downtime in year one (median across customers)"], size=16, color=C.MIST,
                space_after=22),
              P([R("18 days")], size=40, bold=True, font=HEADING, color=C.TEAL),
              P(["average warning before a failure"], size=16, color=C.MIST)],
             fill=C.NAVY, color=C.WHITE, anchor=MSO_ANCHOR.MIDDLE, margins=(0.45, 0.3, 0.4, 0.3))
    add_text(slide, 5.7, 1.75, 7.0, 0.5, ["How Northwind Predict works"], size=20, bold=True,
             color=t.title, font=HEADING)
    steps = [("Listen", "Vibration, temperature and current signals from the machines you already have."),
             ("Learn", "Pre-trained models for 40 asset types adapt to each machine in about two weeks."),
             ("Act", "A work order with the likely cause and the parts list lands in Flow automatically.")]
    for index, (name, text) in enumerate(steps):
        y = 2.55 + index * 1.35
        circle = add_box(slide, 5.7, y, 0.6, 0.6, t.accent, shape=MSO_SHAPE.OVAL)
        fill_text(circle.text_frame, [str(index + 1)], size=18, bold=True, color=C.WHITE,
                  align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
        add_text(slide, 6.55, y - 0.05, 6.2, 1.2,
                 [P([R(name)], size=17, bold=True, color=t.title), P([text], size=14, space_before=2)],
                 color=t.text)
    set_notes(slide,
              "Ask the maintenance lead: which three assets hurt most when they fail without warning?\n"
              "Predict does not need new sensors on most machines; current clamps are enough to start.\n"
              "18 days is the average lead time over the last 12 months of alerts that were confirmed by a "
              "technician.")
    return slide


@value_props.slide("vp-live-in-weeks", "Live in weeks, not quarters",
                   {"segment": ["mid-market", "smb"], "persona": ["plant-manager", "cfo"], "stage": ["discovery"]})
def _(prs, t):
    slide = content_slide(prs, "Live in weeks, not quarters")
    add_text(slide, MARGIN, 1.5, 12.0, 0.5,
             ["Mid-size plants cannot wait a year for value. Northwind is configured, not built."],
             size=16, color=t.muted)
    scale_x, per_month = 4.0, 8.7 / 12
    bars = [("Typical MES or EAM project", 9, "6–12 months", C.LINE, C.CHARCOAL),
            ("Custom IoT build", 6.5, "4–9 months", C.LINE, C.CHARCOAL),
            ("Northwind Ops", 0.75, "", C.TEAL, C.WHITE)]
    for index, (label, months, text, fill, color) in enumerate(bars):
        y = 2.45 + index * 0.9
        add_text(slide, MARGIN, y, 3.3, 0.6, [label], size=16, bold=index == 2,
                 color=t.title if index == 2 else t.text, anchor=MSO_ANCHOR.MIDDLE)
        bar = add_box(slide, scale_x, y, months * per_month, 0.6, fill)
        fill_text(bar.text_frame, [text], size=14, color=color, anchor=MSO_ANCHOR.MIDDLE,
                  margins=(0.2, 0, 0.1, 0))
    add_text(slide, scale_x + 0.75 * per_month + 0.2, 2.45 + 1.8, 3.0, 0.6, ["2–4 weeks"], size=18,
             bold=True, color=t.accent, anchor=MSO_ANCHOR.MIDDLE)
    add_box(slide, scale_x, 5.2, 8.7, 0.015, C.LINE)
    for month in (0, 3, 6, 9, 12):
        last = month == 12
        add_text(slide, scale_x + month * per_month - (1.2 if last else 0.5), 5.27, 1.2 if last else 1.0, 0.3,
                 [f"{month} months" if last else str(month)], size=11, color=t.muted,
                 align=PP_ALIGN.RIGHT if last else PP_ALIGN.CENTER)
    milestones = [("Week 1", "first machines live"), ("Week 2", "true OEE baseline"),
                  ("Week 4", "first savings booked")]
    for index, (when, what) in enumerate(milestones):
        add_card(slide, MARGIN + index * 4.13, 5.75, 3.88, 0.8, [P([R(when + ": ", bold=True, color=t.accent),
                                                                     R(what)])],
                 fill=t.card, color=t.text, size=15, anchor=MSO_ANCHOR.MIDDLE, margins=(0.3, 0, 0.2, 0))
    set_notes(slide,
              "Mid-market teams do not have a project office: speed is the value.\n"
              "The long bars are typical timelines from our win/loss interviews, not a claim about one "
              "vendor.\n"
              "Offer {{ prospect.company }} a date for week 1 before the end of the call.")
    return slide


@value_props.slide("vp-plug-and-play", "Plug in Friday. See your shop floor on Monday.",
                   {"segment": ["smb"], "persona": ["owner", "plant-manager"], "stage": ["discovery"]})
def _(prs, t):
    slide = content_slide(prs, "Plug in Friday. See your shop floor on Monday.")
    steps = [("Unbox the Edge kit", "Gateway, 10 clamp-on sensors and cables, pre-configured for your "
              "machines. Shipped in 48 hours."),
             ("Clip on, plug in", "Current sensors clip onto power cables: no PLC changes, no electrician, "
              "no downtime."),
             ("Open the dashboard", "Utilisation, stops and OEE per machine on any phone, tablet or "
              "shop-floor TV.")]
    for index, (heading, text) in enumerate(steps):
        x = MARGIN + index * 4.13
        add_card(slide, x, 1.8, 3.88, 3.2,
                 [P([R(heading)], size=19, bold=True, color=t.title, font=HEADING, space_after=8),
                  P([text], size=14, line_spacing=1.1)],
                 fill=t.card, line=t.line, color=t.text, margins=(0.35, 1.05, 0.3, 0.3))
        circle = add_box(slide, x + 0.35, 2.1, 0.65, 0.65, t.accent, shape=MSO_SHAPE.OVAL)
        fill_text(circle.text_frame, [str(index + 1)], size=20, bold=True, color=C.WHITE,
                  align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
    add_card(slide, MARGIN, 5.3, CONTENT_W, 1.2,
             [P([R("Shop-floor Starter   ", size=22, bold=True, font=HEADING),
                 R("from $690 a month for up to 10 machines  ·  cancel within 90 days", color=C.MIST)])],
             fill=C.NAVY, color=C.WHITE, size=16, anchor=MSO_ANCHOR.MIDDLE, margins=(0.4, 0, 0.3, 0))
    set_notes(slide,
              "Small shops buy on simplicity: no project, no IT, no consultants.\n"
              "If {{ prospect.company }} has older machines without PLCs, the clamp-on sensors still work.\n"
              "Close on the Starter: ship the kit this week, live by next Monday.")
    return slide


@value_props.slide("vp-real-oee", "See real OEE, not spreadsheet OEE",
                   {"segment": ["mid-market", "smb"], "persona": ["plant-manager", "coo"], "stage": ["discovery"]})
def _(prs, t):
    slide = content_slide(prs, "See real OEE, not spreadsheet OEE")
    panels = [("Spreadsheet OEE", "78%", "Typed in at shift end. Short stops forgotten, speed losses "
               "invisible.", C.MIST, C.SLATE, C.CHARCOAL, C.SLATE),
              ("Measured with Northwind", "61%", "Every stop, slowdown and reject captured at the machine, "
               "second by second.", C.NAVY, C.TEAL, C.WHITE, C.MIST)]
    for index, (label, number, text, fill, label_color, number_color, text_color) in enumerate(panels):
        add_card(slide, MARGIN + index * 6.23, 1.75, 5.9, 3.45,
                 [P([R(label.upper())], size=13, bold=True, color=label_color),
                  P([R(number)], size=72, bold=True, font=HEADING, color=number_color),
                  P([text], size=15, color=text_color, line_spacing=1.1)],
                 fill=fill, anchor=MSO_ANCHOR.MIDDLE, margins=(0.45, 0.2, 0.4, 0.2))
    add_text(slide, MARGIN, 5.45, CONTENT_W, 1.2, [
        P(["The 17-point gap is where your hidden capacity lives."], size=22, bold=True, font=HEADING,
          color=t.title, space_after=6),
        P(["Typical result across 60 mid-market plants in their first month; closing half the gap adds "
           "roughly one shift of output per week."], size=14, color=t.muted)])
    set_notes(slide,
              "Ask what OEE {{ prospect.company }} reports today, and how it is measured.\n"
              "Do not call their number wrong: the spreadsheet simply cannot see short stops and speed loss.\n"
              "The gap is good news: it is capacity they already paid for.")
    return slide


case_studies = Module("case-studies", PROOF, "lena.fischer@northwind.example", dt.date(2027, 6, 30),
                      "case-study", "Customer stories with verified figures (approved for external use)")


def _case_study(prs, t: Theme, title: str, chips: list[str], challenge: str, solution: str,
                quote: str, who: str, stats: list[tuple[str, str]], notes: str):
    slide = content_slide(prs, title)
    chip_row(slide, MARGIN, 1.55, chips, C.MIST, C.NAVY)
    add_text(slide, MARGIN, 2.1, 7.0, 3.0, [
        P([R("THE CHALLENGE")], size=11, bold=True, color=t.accent),
        P([challenge], size=15, space_before=3, space_after=12, line_spacing=1.05),
        P([R("WHAT WE DID")], size=11, bold=True, color=t.accent),
        P([solution], size=15, space_before=3, line_spacing=1.05)], color=t.text)
    add_box(slide, MARGIN, 5.25, 0.08, 1.3, t.accent)
    add_text(slide, MARGIN + 0.3, 5.2, 6.7, 1.45, [
        P([quote], size=16, bold=True, font=HEADING, color=t.title, line_spacing=1.05, space_after=6),
        P([who], size=12, color=t.muted)], anchor=MSO_ANCHOR.MIDDLE)
    for index, (number, label) in enumerate(stats):
        highlight = index == 0
        add_card(slide, 8.1, 1.55 + index * 1.72, 4.63, 1.55,
                 [P([R(number)], size=34, bold=True, font=HEADING, color=C.WHITE if highlight else t.accent),
                  P([label], size=14, color=C.MIST if highlight else t.text)],
                 fill=C.NAVY if highlight else t.card, line=None if highlight else t.line,
                 anchor=MSO_ANCHOR.MIDDLE, margins=(0.35, 0.1, 0.3, 0.1))
    set_notes(slide, notes)
    return slide


@case_studies.slide("case-kestrel", "Kestrel Aerospace: 14 plants live in 9 months",
                    {"segment": ["enterprise"], "industry": ["manufacturing", "aerospace"],
                     "persona": ["coo", "cfo"], "stage": ["evaluation"]})
def _(prs, t):
    return _case_study(
        prs, t, "Kestrel Aerospace: 14 plants live in 9 months",
        ["Aerospace components", "Enterprise", "14 plants · 2,300 machines"],
        "Machining capacity was sold out, yet OEE was measured by hand once a month. Every plant used "
        "different downtime codes, so group operations could not compare sites or target capital spend.",
        "A site template built in plant one (line models, 48 standard downtime codes, Predict models for "
        "spindles) was rolled out to 13 more plants, alongside the Acme asset register that stayed the "
        "system of record.",
        "“For the first time, our plant managers argue about causes, not about numbers.”",
        "Dana Whitfield, SVP Operations, Kestrel Aerospace",
        [("$6.4M", "annual savings at full rollout"), ("−22%", "maintenance cost per machine hour"),
         ("+11 pts", "OEE on constraint machines")],
        "Best reference for multi-site enterprises and for anyone running Acme.\n"
        "Dana is happy to take one reference call per quarter; book through customer marketing.\n"
        "The $6.4M figure is audited by Kestrel finance; the 22% is from their maintenance cost centre.\n"
        "Bridge to {{ prospect.company }}: which of your plants would be plant one?")


@case_studies.slide("case-meridian", "Meridian Cold Chain: 64% fewer refrigeration failures",
                    {"segment": ["enterprise"], "industry": ["logistics", "food-beverage"],
                     "persona": ["coo", "it"], "stage": ["evaluation"]})
def _(prs, t):
    return _case_study(
        prs, t, "Meridian Cold Chain: 64% fewer refrigeration failures",
        ["Cold-chain logistics", "Enterprise", "60 warehouses"],
        "A single compressor failure can spoil a warehouse of product in hours. Meridian learned about "
        "failures from temperature alarms, when it was already too late.",
        "Northwind Edge connected 1,900 compressors and evaporators across 60 sites in 16 weeks. Predict "
        "flags bearing wear and refrigerant leaks; Flow sends the job to the nearest technician.",
        "“Two weeks of warning is the difference between a planned repair and a lost warehouse.”",
        "Luis Ortega, VP Facilities, Meridian Cold Chain",
        [("−64%", "refrigeration failures"), ("$3.8M", "spoilage avoided per year"),
         ("16 wks", "to connect 60 sites")],
        "Use for logistics, cold chain and any prospect whose security team is strict: Meridian's review "
        "had 312 questions and an external pen test.\n"
        "Predict models here are compressors and evaporators, the same as in food plants.\n"
        "Ask {{ prospect.company }} what one lost batch or warehouse costs them.")


@case_studies.slide("case-hartwell", "Hartwell Foods: paid back in 11 weeks",
                    {"segment": ["mid-market"], "industry": ["food-beverage"], "persona": ["coo", "cfo"],
                     "stage": ["discovery", "evaluation"]})
def _(prs, t):
    return _case_study(
        prs, t, "Hartwell Foods: paid back in 11 weeks",
        ["Food & beverage", "Mid-market", "4 plants · 31 lines"],
        "Hartwell's bakery lines ran three shifts, but short stops on wrappers and ovens were never logged. "
        "Overtime was rising and a fifth line was on the capex list.",
        "Pulse went live on all 31 lines in five weeks, with downtime reasons logged at the machine. Daily "
        "loss reviews found 14% hidden capacity, and the fifth line was cancelled.",
        "“We found a whole production line inside the lines we already had.”",
        "Priya Raman, COO, Hartwell Foods",
        [("11 wks", "payback on the first plant"), ("+9 pts", "OEE in six months"),
         ("$2.1M", "capex avoided: line five cancelled")],
        "Our best mid-market story: fast payback and a capex decision the CFO remembers.\n"
        "Hartwell evaluated Umbrella first; Priya will talk about why they switched.\n"
        "Ask {{ prospect.company }}: is there a capacity investment on your list this year?")


@case_studies.slide("case-brightline", "Brightline Packaging: changeovers 27% faster",
                    {"segment": ["mid-market"], "industry": ["packaging"], "persona": ["plant-manager"],
                     "stage": ["evaluation"]})
def _(prs, t):
    return _case_study(
        prs, t, "Brightline Packaging: changeovers 27% faster",
        ["Packaging", "Mid-market", "2 plants · 18 lines"],
        "High-mix orders meant up to nine changeovers per shift. Nobody knew which changeovers ran long, "
        "or why.",
        "Pulse timed every changeover by product pair; Flow turned the best crews' steps into digital "
        "checklists. SAP PM and Initech MES were connected in the first week.",
        "“The checklist from our best crew is now everyone's checklist.”",
        "Marcus Bell, Plant Manager, Brightline Packaging",
        [("−27%", "changeover time"), ("−19%", "scrap at start-up"), ("5 mo", "payback")],
        "Use for high-mix plants and for integration worries: SAP PM and Initech MES in week one.\n"
        "Changeover analytics are in Pulse; checklists are in Flow: both in Professional.\n"
        "Ask {{ prospect.company }} how many changeovers a shift runs.")


@case_studies.slide("case-alder", "Alder & Sons: 17 points more spindle time",
                    {"segment": ["smb"], "industry": ["manufacturing"], "persona": ["owner", "plant-manager"],
                     "stage": ["discovery"]})
def _(prs, t):
    return _case_study(
        prs, t, "Alder & Sons: 17 points more spindle time",
        ["Precision machining", "Small business", "28 CNC machines"],
        "A family-owned job shop with 28 CNC machines and no IT team. The owners felt the machines were "
        "busy, but paper logs could not say how busy.",
        "A Starter kit was clipped onto every machine over one weekend. Machinists log stops with one tap "
        "on a shared tablet; the owners see utilisation on their phones.",
        "“We were about to buy two more machines. We needed better scheduling, not more spindles.”",
        "Ruth Alder, Owner, Alder & Sons Machining",
        [("41→58%", "spindle utilisation"), ("$310k", "extra capacity per year"),
         ("6 days", "from order to live dashboard")],
        "The story small shops relate to: owner-run, no IT, live over a weekend.\n"
        "Ruth posts about it on LinkedIn; send the post after the call.\n"
        "Ask {{ prospect.company }} whether a machine purchase is on the table this year.")


@case_studies.slide("case-pinecrest", "Pinecrest Plastics: 38% less unplanned downtime",
                    {"segment": ["smb"], "industry": ["packaging", "plastics"], "persona": ["maintenance-lead"],
                     "stage": ["discovery"]})
def _(prs, t):
    return _case_study(
        prs, t, "Pinecrest Plastics: 38% less unplanned downtime",
        ["Injection moulding", "Small business", "12 presses"],
        "Pinecrest's 12 moulding presses ran unattended at night. A hydraulic or heater failure meant a "
        "lost night shift and a scrapped mould run.",
        "Predict watches hydraulic pressure and heater-band current; alerts go to the on-call technician's "
        "phone with the likely cause.",
        "“Night shift used to be a gamble. Now the phone tells us before the press does.”",
        "Tom Becker, Operations Manager, Pinecrest Plastics",
        [("−38%", "unplanned downtime"), ("9 nights", "of lost production saved in Q1"),
         ("$96k", "first-year savings")],
        "Use for small plants with lights-out or thin night shifts.\n"
        "Predict on the Starter plan is an add-on; quote it with the Starter.\n"
        "Ask {{ prospect.company }} what a lost night shift costs.")


@case_studies.slide("case-generic", "Results across 140+ plants",
                    {"kind": "proof", "segment": ALL_SEGMENTS, "stage": ["discovery", "evaluation"]})
def _(prs, t):
    slide = content_slide(prs, "Results across 140+ plants")
    stats = [("+9 pts", "median OEE gain in six months"), ("−35%", "unplanned downtime in year one"),
             ("4.5 mo", "median payback"), ("92%", "of technicians active weekly")]
    for index, (number, label) in enumerate(stats):
        highlight = index == 0
        add_card(slide, MARGIN + index * 3.09, 1.75, 2.85, 2.0,
                 [P([R(number)], size=38, bold=True, font=HEADING, color=C.WHITE if highlight else t.accent),
                  P([label], size=14, color=C.MIST if highlight else t.text)],
                 fill=C.NAVY if highlight else t.card, line=None if highlight else t.line,
                 anchor=MSO_ANCHOR.MIDDLE, margins=(0.3, 0.1, 0.25, 0.1))
    eyebrow(slide, MARGIN, 4.1, 6.0, "Customer stories by industry", t.accent)
    stories = [("Food & beverage", "Hartwell Foods found a production line's worth of capacity and "
                "cancelled a $2.1M capex project."),
               ("Aerospace", "Kestrel Aerospace went live in 14 plants in 9 months, saving $6.4M a year."),
               ("Cold chain", "Meridian Cold Chain cut refrigeration failures by 64% across 60 warehouses.")]
    for index, (industry, text) in enumerate(stories):
        y = 4.5 + index * 0.7
        add_text(slide, MARGIN, y, 2.6, 0.6, [industry], size=15, bold=True, color=t.title,
                 anchor=MSO_ANCHOR.MIDDLE)
        add_text(slide, 3.3, y, 9.4, 0.6, [text], size=15, color=t.text, anchor=MSO_ANCHOR.MIDDLE)
        add_box(slide, MARGIN, y + 0.64, CONTENT_W, 0.012, t.line)
    set_notes(slide,
              "Fallback proof slide when we have no story from {{ prospect.company }}'s segment.\n"
              "All figures are medians over customers live for at least 12 months, refreshed every quarter.\n"
              "Offer a reference call with whichever story is closest to their situation.")
    return slide


objections = Module("objections", PROOF, "grace.kim@northwind.example", dt.date(2027, 9, 30),
                    "objection", "Answers to the objections sales hears most, with proof")


def _objection(prs, t: Theme, title: str, quote: str, facts: list[tuple[str, str]], proof: str,
               notes: str):
    slide = content_slide(prs, title)
    add_card(slide, MARGIN, 1.75, 4.3, 2.45,
             [P([R("WHAT WE HEAR")], size=11, bold=True, color=t.accent, space_after=8),
              P([quote], size=21, bold=True, font=HEADING, color=t.title, line_spacing=1.05)],
             fill=t.card, line=t.line, margins=(0.35, 0.3, 0.3, 0.25))
    for index, (stat, text) in enumerate(facts):
        y = 1.75 + index * 1.25
        add_text(slide, 5.3, y, 2.2, 1.0, [stat], size=30, bold=True, font=HEADING, color=t.accent,
                 anchor=MSO_ANCHOR.MIDDLE)
        add_text(slide, 7.55, y, 5.18, 1.0, [text], size=15, color=t.text, anchor=MSO_ANCHOR.MIDDLE,
                 line_spacing=1.05)
        if index < len(facts) - 1:
            add_box(slide, 5.3, y + 1.12, 7.43, 0.012, t.line)
    add_box(slide, MARGIN, 5.55, CONTENT_W, 0.95, C.MIST)
    add_box(slide, MARGIN, 5.55, 0.1, 0.95, t.accent)
    add_text(slide, MARGIN + 0.35, 5.55, CONTENT_W - 0.5, 0.95,
             [P([R("Proof  ", bold=True, color=t.accent), R(proof)])], size=15, color=t.title,
             anchor=MSO_ANCHOR.MIDDLE)
    set_notes(slide, notes)
    return slide


@objections.slide("objection-price", "Price: an investment that pays back in months",
                  {"objection": ["price"], "persona": ["cfo", "owner"], "stage": ["evaluation", "negotiation"]})
def _(prs, t):
    return _objection(
        prs, t, "Price: an investment that pays back in months",
        "“We like it, but it's more than we budgeted this year.”",
        [("4.5 mo", "Median payback across 140+ plants; most customers fund site two from site one's "
          "savings."),
         ("$0", "Per-user fees: one price per site, so every technician and operator can use it."),
         ("1 line", "Start small: a paid pilot on one line, credited in full if you go ahead.")],
        "Hartwell Foods paid back its first plant in 11 weeks and funded three more sites from the savings.",
        "Acknowledge first: budgets are real. Then move the conversation from cost to payback.\n"
        "Ask what one hour of downtime costs {{ prospect.company }}; multiply live in the meeting.\n"
        "Do not discount in the first meeting. The pilot credit is the concession.\n"
        "{% if annual_savings is defined %}Our model for {{ prospect.company }}: {{ annual_savings | money }} "
        "a year at full rollout.{% endif %}")


@objections.slide("objection-security", "Security: your OT network stays yours",
                  {"objection": ["security"], "persona": ["it", "ciso"], "stage": ["evaluation"]})
def _(prs, t):
    slide = _objection(
        prs, t, "Security: your OT network stays yours",
        "“We can't connect our plant network to the cloud.”",
        [("0", "Inbound ports: the Edge gateway only opens outbound, encrypted connections (TLS 1.3)."),
         ("SOC 2", "Type II report and ISO/IEC 27001 certificate, shared under NDA and renewed yearly."),
         ("EU / US", "Data residency of your choice; SSO (SAML, OIDC), SCIM and role-based access included.")],
        "Meridian Cold Chain passed its 312-question security review in three weeks, including an external "
        "pen test.",
        "Bring IT and OT security into the conversation early; they are allies once they see the "
        "architecture.\n"
        "Offer the data-flow diagram and a call with our CISO; never answer questionnaires from memory.\n"
        "The Enterprise badge on the left only appears for enterprise prospects.\n"
        "Ask {{ prospect.company }} for their questionnaire now: it takes us five working days.")
    badge = add_card(slide, MARGIN, 4.35, 4.3, 1.0,
                     [P([R("ENTERPRISE  ", bold=True, color=C.TEAL, size=11),
                         R("Dedicated tenant and customer-managed encryption keys")])],
                     fill=C.NAVY, color=C.WHITE, size=14, anchor=MSO_ANCHOR.MIDDLE, margins=(0.3, 0.05, 0.25, 0.05))
    badge.name = "enterprise-security-badge"
    set_alt_text(badge, "if:prospect.segment == 'enterprise'")
    return slide


@objections.slide("objection-integration", "Integration: 40+ connectors, open APIs",
                  {"objection": ["integration"], "persona": ["it"], "stage": ["evaluation"]})
def _(prs, t):
    return _objection(
        prs, t, "Integration: 40+ connectors, open APIs",
        "“It won't work with our SAP and MES setup.”",
        [("40+", "Certified connectors, including SAP PM, IBM Maximo, Initech MES, Ignition and OSIsoft PI."),
         ("3 days", "Typical time to connect a maintenance system: we do the work, your IT team approves."),
         ("API", "Open REST and GraphQL APIs plus webhooks; your data is always yours to export.")],
        "Brightline Packaging connected SAP PM and its Initech MES in the first week of its pilot.",
        "Get the system list: CMMS, MES, historian, ERP and versions.\n"
        "Every connector named here is certified and maintained by us, not a partner.\n"
        "If {{ prospect.company }} has something unusual, offer a 30-minute call with a solutions "
        "engineer before promising anything.")


@objections.slide("objection-switching-cost", "Switching: no rip-and-replace",
                  {"objection": ["switching-cost"], "persona": ["cfo", "coo"], "stage": ["evaluation", "negotiation"]})
def _(prs, t):
    return _objection(
        prs, t, "Switching: no rip-and-replace",
        "“We just signed with another vendor; we can't switch now.”",
        [("0", "Systems to rip out: Northwind runs alongside your current tools and feeds them data."),
         ("3 yrs", "Of history imported from your historian or CMMS, so trends start on day one."),
         ("6 mo", "Switch credit: we credit up to six months of your remaining contract with another vendor.")],
        "Kestrel Aerospace kept its EAM system of record and added Northwind on top: 14 plants live in 9 months.",
        "The fear is sunk cost and a second painful project. Remove both.\n"
        "Position Northwind as additive: it makes the existing system more accurate.\n"
        "The switch credit needs deal-desk approval above $250k; mention it, do not size it in the room.\n"
        "Ask when {{ prospect.company }}'s current contract renews.")


@objections.slide("objection-adoption", "Adoption: built for the people on the floor",
                  {"objection": ["adoption"], "persona": ["plant-manager", "maintenance-lead"],
                   "stage": ["evaluation"]})
def _(prs, t):
    return _objection(
        prs, t, "Adoption: built for the people on the floor",
        "“Our technicians won't use another tool.”",
        [("92%", "Of technicians active weekly after 90 days, across all customers."),
         ("15 min", "Training per technician: tablet-first, works offline, 11 languages."),
         ("1 tap", "To log a downtime reason at the machine: no forms, no logins on shared devices.")],
        "Alder & Sons' 14 machinists logged 96% of stops in the first month, up from 30% on paper.",
        "This objection usually comes from a plant manager who has seen tools die before. Agree with them.\n"
        "Offer a floor test: one technician, one shift, before any contract.\n"
        "Ask who at {{ prospect.company }} is the most sceptical technician, and invite them to the pilot.")


business_case = Module("business-case", PROOF, "tom.reyes@northwind.example", dt.date(2027, 9, 30),
                       "business-case", "Prospect-specific business case: summary, ROI chart, rollout table")


@business_case.slide("exec-summary", "What this means for {{ prospect.company }}",
                     {"persona": ["cfo", "coo"], "stage": ["evaluation", "negotiation"]},
                     when="prospect.values.annual_savings is defined")
def _(prs, t):
    # the title is split across two runs with the same formatting, the way PowerPoint often stores it
    slide = content_slide(prs, ["What this means for {{ prospect.", "company }}"])
    columns = [("The prize", "{{ annual_savings | money }}",
                "a year in avoided downtime, maintenance and scrap at full rollout"),
               ("The plan", "6 weeks", "pilot on two lines, then a site-by-site rollout with one playbook"),
               ("The ask", "", "{{ next_step }}")]
    for index, (label, big, text) in enumerate(columns):
        x = MARGIN + index * 4.13
        paragraphs = [P([R(label.upper())], size=12, bold=True, color=t.accent, space_after=10)]
        if big:
            paragraphs.append(P([R(big)], size=40, bold=True, font=HEADING, color=t.title, space_after=8))
            paragraphs.append(P([text], size=16, line_spacing=1.1))
        else:
            paragraphs.append(P([text], size=22, bold=True, font=HEADING, color=t.title, line_spacing=1.1,
                                space_after=8))
            paragraphs.append(P(["so we can confirm these numbers with your own data"], size=16))
        add_card(slide, x, 1.8, 3.88, 4.1, paragraphs, fill=t.card, line=t.line, color=t.text,
                 margins=(0.35, 0.4, 0.3, 0.3), shrink=True)
        add_box(slide, x, 1.8, 3.88, 0.08, C.NAVY if index < 2 else t.accent)
    add_text(slide, MARGIN, 6.15, CONTENT_W, 0.4,
             ["Estimate built from {{ prospect.company }}'s downtime figures and Northwind benchmarks from "
              "140+ plants."], size=11, color=t.muted)
    set_notes(slide,
              "Lead with the number: {{ annual_savings | money }} a year is the full-rollout figure from the "
              "model we built together.\n"
              "If challenged, walk through the next slide; never defend the number without the model open.\n"
              "Close this slide by asking for {{ next_step }}.")
    return slide


@business_case.slide("business-case-roi", "Three-year return for {{ prospect.company }} (ROI chart)",
                     {"kind": "business-case", "persona": ["cfo"], "stage": ["evaluation", "negotiation"]},
                     when="prospect.values.annual_savings is defined and prospect.values.roi_chart is defined")
def _(prs, t):
    slide = content_slide(prs, "Three-year return for {{ prospect.company }}")
    data = CategoryChartData(number_format='"$"#,##0"k"')
    data.categories = ["Year 1", "Year 2", "Year 3"]
    data.add_series("Savings", (240, 610, 680))
    data.add_series("Northwind subscription", (150, 160, 160))
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(MARGIN), Inches(1.65),
                                   Inches(7.9), Inches(4.95), data)
    frame.name = "chart:roi_chart"
    chart = frame.chart
    chart.font.size = Pt(12)
    chart.font.name = BODY
    chart.font.color.rgb = rgb(C.SLATE)
    chart.has_title = False          # the slide title names it; no automatic series-name title
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.TOP
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(13)
    plot = chart.plots[0]
    plot.gap_width = 70
    plot.overlap = -8
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = '"$"#,##0"k"'
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(12)
    labels.font.bold = True
    labels.font.color.rgb = rgb(C.NAVY)
    for series, color in zip(plot.series, (C.TEAL, C.NAVY)):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = rgb(color)
    value_axis = chart.value_axis
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = rgb(C.LINE)
    value_axis.format.line.fill.background()
    value_axis.tick_labels.font.size = Pt(11)
    value_axis.tick_labels.number_format = '"$"#,##0"k"'
    value_axis.tick_labels.number_format_is_linked = False
    chart.category_axis.format.line.color.rgb = rgb(C.LINE)
    chart.category_axis.tick_labels.font.size = Pt(13)
    add_card(slide, 8.9, 1.65, 3.83, 2.35,
             [P([R("ESTIMATED ANNUAL SAVINGS")], size=11, bold=True, color=C.TEAL, space_after=4),
              P([R("{{ annual_savings | money }}")], size=40, bold=True, font=HEADING),
              P(["at full rollout"], size=14, color=C.MIST)],
             fill=C.NAVY, color=C.WHITE, anchor=MSO_ANCHOR.MIDDLE, margins=(0.35, 0.1, 0.3, 0.1), shrink=True)
    add_card(slide, 8.9, 4.2, 3.83, 1.45,
             [P([R("4.5 months")], size=26, bold=True, font=HEADING, color=t.title),
              P(["median payback across 140+ plants"], size=13, color=t.muted)],
             fill=t.card, line=t.line, anchor=MSO_ANCHOR.MIDDLE, margins=(0.35, 0.1, 0.3, 0.1))
    add_text(slide, 8.9, 5.8, 3.83, 0.8,
             ["Savings: avoided downtime, maintenance and scrap, from your data and Northwind benchmarks. "
              "Figures in thousands ({{ currency }}k)."], size=10, color=t.muted)
    set_notes(slide,
              "Year 1 is lower because sites go live in waves; years 2 and 3 show the full run rate.\n"
              "The chart is drawn from {{ prospect.company }}'s own model: {{ annual_savings | money }} a year "
              "at full rollout.\n"
              "The subscription bars include the Edge hardware; services are one-off and shown in the "
              "proposal.")
    return slide


@business_case.slide("rollout-plan", "Rollout plan for {{ prospect.company }} (site table)",
                     {"persona": ["coo", "plant-manager"], "stage": ["evaluation", "negotiation"]},
                     when="prospect.values.sites is defined")
def _(prs, t):
    slide = content_slide(prs, "Rollout plan for {{ prospect.company }}")
    table = add_table(slide, MARGIN, 1.75, 8.3, [3.2, 1.3, 1.6, 2.2], 0.55, 3, name="rollout")
    for col, text in enumerate(["Site", "Lines", "Go-live", "Est. annual savings"]):
        style_cell(table.cell(0, col), [text], fill=C.NAVY, bold=True, color=C.WHITE, size=14,
                   align=PP_ALIGN.RIGHT if col == 3 else PP_ALIGN.LEFT)
    row = ["{%tr for s in sites %}{{ s.name }}", "{{ s.lines }}", "{{ s.go_live }}",
           "{{ s.savings | money }}{%tr endfor %}"]
    for col, text in enumerate(row):
        style_cell(table.cell(1, col), [text], fill=None, border=C.LINE, size=14, color=C.CHARCOAL,
                   align=PP_ALIGN.RIGHT if col == 3 else PP_ALIGN.LEFT)
    total = ["Total", "{{ sites | sum(attribute='lines') }}", "", "{{ annual_savings | money }}"]
    for col, text in enumerate(total):
        style_cell(table.cell(2, col), [text], fill=C.MIST, border=C.NAVY, size=14, bold=True,
                   color=C.NAVY, align=PP_ALIGN.RIGHT if col == 3 else PP_ALIGN.LEFT)
    add_card(slide, 9.3, 1.75, 3.43, 3.3,
             [P([R("HOW WE SEQUENCE")], size=11, bold=True, color=t.accent, space_after=4),
              P(["Highest-downtime site first, so it funds the rest"], bullet=True, space_before=8),
              P(["One playbook: the first site's setup becomes the template"], bullet=True, space_before=8),
              P(["A go/no-go review before every new wave"], bullet=True, space_before=8)],
             fill=t.card, line=t.line, color=t.text, size=15, bullet_color=t.accent,
             margins=(0.3, 0.3, 0.25, 0.2))
    set_notes(slide,
              "One row per site from {{ prospect.company }}'s data; the order is the proposed sequence.\n"
              "{{ sites | length }} sites and {{ sites | sum(attribute='lines') }} lines in scope.\n"
              "Go-live dates assume a signed pilot by the end of next month; move them together if it slips.")
    return slide


pricing = Module("pricing", PROOF, "tom.reyes@northwind.example", dt.date(2027, 6, 30),
                 "pricing", "List prices and commercial offers (deal desk owns these numbers)")


@pricing.slide("pricing-tiers", "Simple pricing: per site, unlimited users",
               {"segment": ALL_SEGMENTS, "persona": ["cfo"], "stage": ["evaluation", "negotiation"]})
def _(prs, t):
    slide = content_slide(prs, "Simple pricing: per site, unlimited users")
    rows = [("Machines per site", "Up to 25", "Up to 150", "Unlimited"),
            ("Products", "Pulse, Flow", "Pulse, Flow, Predict", "All, incl. portfolio analytics"),
            ("Users", "Unlimited", "Unlimited", "Unlimited"),
            ("Integrations", "REST API, CSV export", "+ SAP PM, Maximo, Initech MES", "+ custom connectors, data lake"),
            ("Security", "SSO (Google, Microsoft)", "SAML SSO, SCIM, audit log", "+ dedicated tenant, own keys"),
            ("Support", "Email, next business day", "Phone 24/5, named CSM", "24/7, technical account manager"),
            ("Uptime SLA", "99.5%", "99.9%", "99.95%")]
    table = add_table(slide, MARGIN, 1.6, CONTENT_W, [3.13, 3.0, 3.0, 3.0], 0.47, len(rows) + 1, name="pricing")
    table.rows[0].height = Inches(1.05)
    tiers = [("Essentials", "$900", "per site / month"),
             ("Professional", "$2,400", "per site / month  ·  most popular"),
             ("Enterprise", "Custom", "from $95k / year")]
    style_cell(table.cell(0, 0), [P([R("Billed annually")], size=12, color=C.SLATE)], fill=None,
               anchor=MSO_ANCHOR.BOTTOM)
    for col, (name, price, unit) in enumerate(tiers, start=1):
        style_cell(table.cell(0, col),
                   [P([R(name)], size=14, bold=True), P([R(price)], size=24, bold=True, font=HEADING),
                    P([R(unit)], size=10)],
                   fill=C.TEAL if col == 2 else C.NAVY, color=C.WHITE, align=PP_ALIGN.CENTER)
    for index, values in enumerate(rows, start=1):
        for col, text in enumerate(values):
            style_cell(table.cell(index, col), [text], fill=C.PAPER if col == 2 else None, border=C.LINE,
                       size=13, bold=col == 0, color=C.NAVY if col == 0 else C.CHARCOAL,
                       align=PP_ALIGN.LEFT if col == 0 else PP_ALIGN.CENTER)
    add_text(slide, MARGIN, 6.35, CONTENT_W, 0.35,
             ["Every plan includes the Edge gateway, onboarding and unlimited users. Prices in USD, excluding "
              "tax. Multi-year and volume terms on request."], size=11, color=t.muted)
    set_notes(slide,
              "Show pricing only after the value conversation; if asked early, give the range and come back.\n"
              "Most {{ prospect.segment }} customers choose Professional because Predict is where the "
              "savings are.\n"
              "No per-user fees is a real differentiator against Acme; say it twice.")
    return slide


@pricing.slide("pricing-enterprise-agreement", "Enterprise agreement: the more sites, the lower the price",
               {"segment": ["enterprise"], "persona": ["cfo", "procurement"], "stage": ["negotiation"]})
def _(prs, t):
    slide = content_slide(prs, "Enterprise agreement: the more sites, the lower the price")
    bands = [("1–9 sites", "List price", "$2,400"), ("10–24 sites", "12% off", "$2,112"),
             ("25–49 sites", "20% off", "$1,920"), ("50+ sites", "28% off", "$1,728")]
    table = add_table(slide, MARGIN, 1.75, 7.0, [2.5, 2.1, 2.4], 0.62, len(bands) + 1, name="volume-bands")
    for col, text in enumerate(["Sites under contract", "Discount", "Per site / month"]):
        style_cell(table.cell(0, col), [text], fill=C.NAVY, bold=True, color=C.WHITE, size=14,
                   align=PP_ALIGN.LEFT if col == 0 else PP_ALIGN.CENTER)
    for index, values in enumerate(bands, start=1):
        for col, text in enumerate(values):
            style_cell(table.cell(index, col), [text], fill=C.PAPER if index % 2 == 0 else None,
                       border=C.LINE, size=15, bold=col == 2, color=C.TEAL if col == 2 else C.CHARCOAL,
                       align=PP_ALIGN.LEFT if col == 0 else PP_ALIGN.CENTER)
    add_text(slide, MARGIN, 5.05, 7.0, 1.2,
             ["Professional list price shown. Sites count across all regions and business units; new sites "
              "join at the current band immediately, and the whole estate moves down when you cross a band."],
             size=13, color=t.muted, line_spacing=1.1)
    add_card(slide, 8.1, 1.75, 4.63, 4.1,
             [P([R("INCLUDED IN EVERY ENTERPRISE AGREEMENT")], size=11, bold=True, color=C.TEAL, space_after=6)]
             + [P([item], bullet=True, space_before=9) for item in
                ["All products, including portfolio analytics", "Global rollout team and site playbook",
                 "Dedicated tenant, EU or US data residency", "Technical account manager, 24/7 support",
                 "Prices locked for three years"]],
             fill=C.NAVY, color=C.WHITE, size=15, bullet_color=C.TEAL, margins=(0.35, 0.35, 0.3, 0.3))
    set_notes(slide,
              "For {{ prospect.company }}: count every site that could join in three years, not just wave one.\n"
              "Bands apply to the whole estate, which rewards committing early.\n"
              "Anything beyond these bands goes through the deal desk (tom.reyes@northwind.example).")
    return slide


@pricing.slide("pricing-starter", "Shop-floor Starter: one site, live in a week",
               {"segment": ["smb"], "persona": ["owner", "plant-manager"], "stage": ["evaluation", "negotiation"]})
def _(prs, t):
    slide = content_slide(prs, "Shop-floor Starter: one site, live in a week")
    add_card(slide, MARGIN, 1.75, 4.6, 4.75,
             [P([R("SHOP-FLOOR STARTER")], size=12, bold=True, color=C.TEAL),
              P([R("$690")], size=66, bold=True, font=HEADING),
              P(["per month, up to 10 machines"], size=17, color=C.MIST, space_after=18),
              P(["Extra machines: $45 each per month"], size=14, color=C.MIST, space_before=4),
              P(["Cancel within 90 days and pay nothing"], size=14, color=C.AMBER, space_before=4, bold=True)],
             fill=C.NAVY, color=C.WHITE, anchor=MSO_ANCHOR.MIDDLE, margins=(0.45, 0.3, 0.4, 0.3))
    add_text(slide, 5.65, 1.75, 7.08, 3.4,
             [P([R("WHAT'S IN THE BOX")], size=12, bold=True, color=t.accent, space_after=4)]
             + [P([item], bullet=True, space_before=10) for item in
                ["Edge gateway and 10 clamp-on current sensors, shipped in 48 hours",
                 "Pulse (utilisation, stops, OEE) and Flow (work orders, checklists)",
                 "Unlimited users on phones, tablets and shop-floor TVs",
                 "A 60-minute remote setup call with a Northwind engineer",
                 "Upgrade any time: the Starter fee is credited in full"]],
             size=16, color=t.text, bullet_color=t.accent)
    add_card(slide, 5.65, 5.35, 7.08, 1.15,
             [P([R("Typical small shop: ", bold=True, color=t.title),
                 R("payback in under four months. Alder & Sons went from order to live dashboard in six days.")])],
             fill=C.MIST, color=t.text, size=14, anchor=MSO_ANCHOR.MIDDLE, margins=(0.3, 0.05, 0.3, 0.05))
    set_notes(slide,
              "For small shops, lead with the monthly price and the 90-day exit.\n"
              "{{ prospect.company }} can order online; the kit ships from Chicago or Rotterdam.\n"
              "If they need Predict, add it at $250 a month for the site.")
    return slide


# The field-service module came with the 2016 acquisition of Relay Field Services and was never
# redone: its own 4:3 template, older colours, and only placeholders and theme colours, so deckgen
# scales it into 16:9 decks and, in template mode, restyles it on the corporate template.
LEGACY = Theme(
    name="Relay Field Services 2016",
    scheme={"dk1": "262626", "lt1": "FFFFFF", "dk2": "5C1A1A", "lt2": "EFE8DC", "accent1": "8C2D19",
            "accent2": "6B7A3A", "accent3": "C9A227", "accent4": "7F7F7F", "accent5": "3F5F7F",
            "accent6": "A65E2E", "hlink": "8C2D19", "folHlink": "6B7A3A"},
    dark=False, background="EFE8DC", title="5C1A1A", text="262626", muted="7F7F7F", accent="8C2D19",
    card="FFFFFF", card_text="262626", line="BFB5A5", accent_text="FFFFFF",
)


def legacy_deck(theme: Theme) -> Presentation:
    """Return an empty 4:3 presentation in an old template: python-pptx's default master with
    ``theme``'s colours, the brand body font, a solid background and a coloured title style."""
    prs = Presentation()   # 10 x 7.5 in: 4:3
    props = prs.core_properties
    props.author = "Relay Field Services"
    props.last_modified_by = "Relay Field Services"
    props.title = theme.name
    props.created = props.modified = FIXED_DOC_TIME
    props.revision = 1
    master = prs.slide_master
    _set_theme(master.part.part_related_by(RT.THEME), theme, BODY_FONT, BODY_FONT)
    master.background.fill.solid()   # theme colours only: the old template never set one directly
    master.background.fill.fore_color.theme_color = MSO_THEME_COLOR.BACKGROUND_2
    master._element.cSld.set("name", theme.name)
    title_style = master._element.find(qn("p:txStyles")).find(qn("p:titleStyle"))
    fill = title_style.find(".//a:defRPr", NS).find(qn("a:solidFill"))
    for child in list(fill):
        fill.remove(child)
    etree.SubElement(fill, qn("a:schemeClr"), val="tx2")
    for bullet_font in master._element.iter(qn("a:buFont")):   # python-pptx's default says Arial
        bullet_font.set("typeface", BODY_FONT)
    _style_notes_master(prs)
    return prs


field_service = Module("field-service", LEGACY, "ops.support@northwind.example", dt.date(2027, 9, 30),
                       "field-service", "Field service offer, from the acquired Relay template (4:3)")


@field_service.slide("field-service-overview", "Field service included",
                     {"stage": ["evaluation", "negotiation"]})
def _field_service_overview(prs, t: Theme):
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "Field service included"
    body = slide.placeholders[1].text_frame
    body.text = "Certified technicians in 40 regions"
    for line, level in (("Four-hour on-site response for critical lines", 1),
                        ("Spare parts held in regional depots", 1),
                        ("One ticket for software and hardware", 0),
                        ("Quarterly health checks included", 0)):
        paragraph = body.add_paragraph()
        paragraph.text, paragraph.level = line, level
    slide.notes_slide.notes_text_frame.text = (
        "This slide still uses the Relay 2016 template (4:3).\n"
        "Stress the four-hour response: it is in the contract, not a target.\n"
        "Ask which regions their plants are in.")
    return slide


@field_service.slide("field-service-sla", "Service levels", {"stage": ["negotiation"]})
def _field_service_sla(prs, t: Theme):
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Service levels"
    rows = [("Priority", "Response", "Fix or workaround"), ("Critical line down", "4 h on site", "8 h"),
            ("Degraded", "Next business day", "3 days"), ("Planned work", "Scheduled", "As agreed")]
    table = slide.shapes.add_table(len(rows), 3, Inches(0.6), Inches(1.8), Inches(8.8), Inches(2.8)).table
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            table.cell(row, column).text = value
    slide.notes_slide.notes_text_frame.text = (
        "Service levels are the same in every region.\n"
        "Credits apply when a critical response is missed.\n"
        "The table comes from the Relay contract template.")
    return slide


MODULES = [business_case, case_studies, competition, corporate, field_service, objections, pricing,
           value_props]


# ---------------------------------------------------------------------------------------------
# Writing: deterministic packages, sidecars.
# ---------------------------------------------------------------------------------------------

_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)")


def deterministic_zip(blob: bytes) -> bytes:
    """Return the zip ``blob`` rewritten with fixed timestamps (recursing into embedded workbooks).

    python-pptx stamps zip entries with the current time and XlsxWriter stamps the chart workbook's
    creation date; pinning both makes the generator's output byte-identical between runs.
    """
    source = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".xlsx"):
                data = deterministic_zip(data)
            elif info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(rb"\g<1>2025-01-06T09:00:00Z\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)
    return out.getvalue()


def build_module(module: Module) -> bytes:
    """Return the module deck as .pptx bytes."""
    prs = legacy_deck(module.theme) if module.theme is LEGACY else new_deck(module.theme)
    for definition in module.slides:
        slide = definition.build(prs, module.theme)
        if not slide.has_notes_slide or not slide.notes_slide.notes_text_frame.text.strip():
            raise AssertionError(f"{module.name}/{definition.key}: every library slide needs speaker notes")
    buffer = io.BytesIO()
    prs.save(buffer)
    return deterministic_zip(buffer.getvalue())


# Selection order where a recipe's `limit` cuts: 1 first. Slides of a module added later without
# a priority come after these, so they never displace them (docs/formats.md, "priority").
PRIORITIES = {"vp-one-platform": 1, "vp-enterprise-scale": 2, "vp-predictive": 3, "vp-live-in-weeks": 4,
              "vp-plug-and-play": 5, "vp-real-oee": 6, "case-kestrel": 1, "case-meridian": 2,
              "case-hartwell": 1, "case-brightline": 2, "case-alder": 1, "case-pinecrest": 2}
BRAND_TEMPLATE = "brand/northwind.potx"


def brand_template() -> bytes:
    """Return the corporate template (brand.template): the proof look's master and layouts, no
    slides, saved as a PowerPoint template (.potx)."""
    buffer = io.BytesIO()
    new_deck(PROOF).save(buffer)
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"presentationml.presentation.main+xml",
                                    b"presentationml.template.main+xml")
            target.writestr(info, data)
    return deterministic_zip(out.getvalue())


def sidecar_yaml(module: Module, deck: bytes) -> str:
    """Return the module's sidecar, with slide ids read back from the saved deck."""
    slide_ids = [slide.slide_id for slide in Presentation(io.BytesIO(deck)).slides]
    if len(slide_ids) != len(module.slides):
        raise AssertionError(f"{module.name}: {len(slide_ids)} slides saved, {len(module.slides)} defined")
    entries = []
    for definition, slide_id in zip(module.slides, slide_ids):
        entry = {"key": definition.key, "slide_id": slide_id, "title": definition.title}
        if definition.tags:
            entry["tags"] = definition.tags
        if definition.key in PRIORITIES:
            entry["priority"] = PRIORITIES[definition.key]
        entry.update(definition.extra)
        entries.append(entry)
    data = {"owner": module.owner, "review_by": module.review_by, "status": "approved",
            "tags": {"kind": module.kind}, "slides": entries}
    if module.look:
        data = {**{key: value for key, value in data.items() if key != "slides"}, "look": module.look,
                "slides": entries}
    header = (f"# {module.name}.pptx: {module.description}.\n"
              "# Metadata for each slide (formats: docs/formats.md). slide_id is the slide's p:sldId/@id,\n"
              "# which PowerPoint keeps when slides are reordered; `key` is what recipes use.\n"
              "# Written by scripts/make_example_library.py together with the deck.\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110,
                                   default_flow_style=None)


# ---------------------------------------------------------------------------------------------
# Recipes, prospects, project config.
# ---------------------------------------------------------------------------------------------

RECIPES = {
    "base.yaml": """\
# Shared opening of every customer-facing Northwind deck. Other recipes `extends: base`
# and add their own sections; a section with the same name replaces the one here.
name: Northwind base
description: Title, agenda and company overview shared by every customer deck
variables:
  presenter: Your Northwind Ops team
  currency: "$"
  next_step: A 45-minute discovery workshop with your operations leads
sections:
  - name: opening
    slides: [title, agenda]
  - name: about
    slides: [about-northwind, platform-overview]
""",
    "service-renewal.yaml": """\
# Renewal deck for customers who run our field service. It draws on three templates: the
# corporate and proof looks, and the field-service module still in the 4:3 Relay template,
# which deckgen scales into the 16:9 deck (or restyles, with brand.template: see README).
name: Service renewal
description: Renewal deck for field-service customers, with the service levels they renew
extends: base
sections:
  - name: service
    slides: [field-service-overview, field-service-sla]
  - name: proof
    select: {kind: case-study, segment: $segment}
    limit: 1
    fallback: [case-generic]
  - include: closing
""",
    "closing.yaml": """\
# The last two slides of every deck; other recipes splice these in with `- include: closing`.
name: Closing
description: Next steps and thank-you slide
sections:
  - name: next-steps
    slides: [next-steps]
  - name: thanks
    slides: [closing]
""",
    "first-call.yaml": """\
# Discovery deck for a first meeting: who we are, why it matters in the prospect's segment,
# one proof point, how we compare with the alternatives they named, and how we would start.
name: First call
description: Discovery deck for a first meeting with a new prospect
extends: base
variables:
  next_step: A 45-minute plant walk-through with your maintenance lead
sections:
  - name: value
    select: {kind: value-prop, segment: $segment}
    limit: 3
  - name: proof
    select: {kind: case-study, segment: $segment}
    limit: 1
    fallback: [case-generic]          # no story from their segment: show the cross-customer results
  - name: competition
    for_each: competitors             # one battle card per competitor the prospect is looking at
    select: {kind: battle-card, competitor: $item}
    fallback: [battle-generic]        # a competitor we have no card for
  - name: approach
    slides: [approach-90-days]
  - include: closing
""",
    "executive-briefing.yaml": """\
# Decision meeting with the economic buyer: business case first (when we have the prospect's
# numbers), proof, an answer to each objection on record, pricing for their segment.
name: Executive briefing
description: Business case, proof, objections and pricing for the buying committee
extends: base
variables:
  presenter: Northwind Ops executive team
  next_step: A six-week paid pilot on two lines, with success criteria agreed up front
sections:
  - name: opening                     # replaces base's opening, in the same place
    slides: [title-executive, agenda]
  - name: about                       # replaces base's about: executives get the short version
    slides: [about-northwind]
  - name: business-case
    when: "prospect.values.annual_savings is defined"   # only when we have their numbers
    slides: [exec-summary, business-case-roi, rollout-plan]
  - name: value
    select: {kind: value-prop, segment: $segment, persona: [cfo, coo]}
    limit: 2
  - name: proof
    select: {kind: case-study, segment: $segment}
    limit: 2
    fallback: [case-generic]
  - name: objections
    for_each: objections
    select: {kind: objection, objection: $item}
    required: true                    # an objection on record with no answer slide is an error
  - name: pricing
    select: {kind: pricing, segment: $segment}
  - include: closing
""",
}

PROSPECT_FILES = {
    "globex.yaml": """\
# Enterprise manufacturer evaluating Acme and Initech; security and integration are the worries.
company: Globex Corporation
logo: logos/globex.png
segment: enterprise
industry: manufacturing
competitors: [acme, initech]
objections: [security, integration, switching-cost]
contact: {name: Hank Scorpio, title: CEO, email: hank@globex.example}
values:
  employees: 12000
  annual_savings: 1250000
  sites:
    - {name: Springfield, lines: 12, go_live: Q1 2027, savings: 520000}
    - {name: Shelbyville, lines: 8, go_live: Q2 2027, savings: 330000}
    - {name: Cypress Creek, lines: 4, go_live: Q3 2027, savings: 210000}
    - {name: Capital City, lines: 6, go_live: Q4 2027, savings: 190000}
  roi_chart:
    categories: [Year 1, Year 2, Year 3]
    series:
      Savings: [480, 1180, 1250]
      Northwind subscription: [310, 340, 340]
""",
    "bluth.yaml": """\
# Small job shop that runs on spreadsheets it built itself; price and adoption are the worries.
company: Bluth Machine Works
logo: logos/bluth.png
segment: smb
industry: manufacturing
competitors: [in-house]
objections: [price, adoption]
contact: {name: Michael Bluth, title: President}
values:
  employees: 48
  annual_savings: 96000
  roi_chart:
    categories: [Year 1, Year 2, Year 3]
    series:
      Savings: [60, 92, 96]
      Northwind subscription: [9, 9, 9]
""",
}

VANDELAY = {
    "company": "Vandelay Industries",
    "logo": "logos/vandelay.png",
    "segment": "mid-market",
    "industry": "packaging",
    "competitors": ["umbrella"],
    "objections": ["price", "integration"],
    "contact": {"name": "Art Vandelay", "title": "Head of Operations", "email": "art@vandelay.example"},
    "values": {
        "employees": 850,
        "annual_savings": 420000,
        "sites": [{"name": "Newark", "lines": 7, "go_live": "Q1 2027", "savings": 260000},
                  {"name": "Queens", "lines": 5, "go_live": "Q2 2027", "savings": 160000}],
        "roi_chart": {"categories": ["Year 1", "Year 2", "Year 3"],
                      "series": {"Savings": [190, 400, 420], "Northwind subscription": [95, 100, 100]}},
    },
}

LOGOS = [
    ProspectLogo("globex.png", "GLOBEX", "circle", "1B8A5A", "1A1A1A", "DejaVu Sans:bold",
                 tagline="CORPORATION"),
    ProspectLogo("vandelay.png", "Vandelay", "diamond", "8E44AD", "2C2140", "DejaVu Serif:bold",
                 stacked=True, tagline="INDUSTRIES"),
    ProspectLogo("bluth.png", "Bluth", "bars", "D35400", "222222", "Liberation Sans:bold",
                 tagline="MACHINE WORKS"),
    ProspectLogo("soylent.png", "Soylent", "hexagon", "16A085", "0E3B33", "Liberation Sans:bold",
                 tagline="FOODS"),
    ProspectLogo("wonka.png", "Wonka", "ring", "C0392B", "4A1A14", "DejaVu Serif:bold:italic",
                 stacked=True, tagline="CONFECTIONERY"),
    ProspectLogo("cyberdyne.png", "CYBERDYNE", "triangle", "34495E", "1C2833", "DejaVu Sans Condensed:bold",
                 tagline="LOGISTICS"),
    ProspectLogo("tyrell.png", "TYRELL", "chevron", "B7950B", "3B3000", "DejaVu Sans Condensed:bold",
                 tagline="ROBOTICS"),
    ProspectLogo("ollivander.png", "Ollivander", "square", "6D4C41", "3E2723", "Liberation Serif:bold",
                 tagline="TOOLING · EST. 1962"),
]

CRM_COLUMNS = ["Account Name", "Segment", "Industry", "Competitor", "Objections", "Employees", "Contact", "Logo",
               "Account ID"]
CRM_ROWS = [
    ["Globex Corporation", "enterprise", "manufacturing", "acme;initech", "security;integration;switching-cost",
     "12000", "Hank Scorpio", "logos/globex.png", "001GLOBEX"],
    ["Vandelay Industries", "mid-market", "packaging", "umbrella", "price;integration", "850", "Art Vandelay",
     "logos/vandelay.png", "001VANDEL"],
    ["Bluth Machine Works", "smb", "manufacturing", "in-house", "price;adoption", "48", "Michael Bluth",
     "logos/bluth.png", "001BLUTHM"],
    ["Soylent Foods", "enterprise", "food-beverage", "acme", "security;price", "23000", "Sol Roth",
     "logos/soylent.png", "001SOYLNT"],
    ["Wonka Confectionery", "mid-market", "food-beverage", "initech;umbrella", "integration;adoption", "1400",
     "Charlie Bucket", "logos/wonka.png", "001WONKAC"],
    ["Cyberdyne Logistics", "enterprise", "logistics", "acme;in-house", "security;switching-cost", "6800",
     "Miles Dyson", "logos/cyberdyne.png", "001CYBERD"],
    ["Tyrell Robotics", "mid-market", "manufacturing", "umbrella;other", "price;security", "620",
     "Eldon Tyrell", "logos/tyrell.png", "001TYRELL"],
    ["Ollivander Tooling", "smb", "manufacturing", "other", "price", "22", "Garrick Ollivander",
     "logos/ollivander.png", "001OLLIVA"],
]


# The message map is written by hand (labels, descriptions, CRM aliases); the generator ships it
# beside the library whose tags it declares.
MESSAGE_MAP = Path(__file__).resolve().parents[1] / "message_map.yaml"


def project_config() -> str:
    colors = ", ".join(f'"{c}"' for c in BRAND_COLORS)
    return f"""\
# deckgen project config (docs/formats.md). Paths are relative to this file.
library: slide_library
recipes: recipes
prospects: prospects
output:
  folder: build
  notes: strip                  # speaker notes carry internal coaching: not for the customer
  hidden: drop                  # hidden slides are back-up material
  author: Northwind Ops Sales
  company: Northwind Ops
message_map: message_map.yaml   # the declared message map: tags, recipes and prospects are checked against it
# fills {{{{ }}}} in slide titles shown by `library list/search/show` and the catalog
example_prospect: prospects/globex.yaml
logos: inside                   # prospects' logos: from their own folder or prospects/ only (docs/limits.md)
brand:
  fonts: [{", ".join(BRAND_FONTS)}]
  colors: [{colors}]
  template: {BRAND_TEMPLATE}        # builds put every slide on it (--look source keeps each slide's own)
batch:
  filename: "{{{{ prospect.company | slug }}}}-{{{{ recipe }}}}.pptx"
  columns:                      # prospects/crm-export.csv column -> prospect field
    "Account Name": company
    "Segment": segment
    "Industry": industry
    "Competitor": competitors   # ";"-separated cells become lists
    "Objections": objections
    "Employees": values.employees
    "Contact": contact.name
    "Logo": logo
    "Account ID": crm_id        # links decks to the CRM's opportunities (deckgen outcomes import)
scoreboard:                     # the deck log and the report (docs/scoreboard.md)
  database: .deckgen/scoreboard.sqlite   # or postgresql://user@host/db for a team database
  hash_prospect_names: false
  report: build/report
  outcomes:
    columns:                    # crm/opportunities.csv column -> outcome field
      "Opportunity ID": opportunity
      "Account Name": account
      "Account ID": account_id
      "Stage": stage
      "Amount": amount
      "Close Date": close_date
"""


OPPORTUNITY_COLUMNS = ["Opportunity ID", "Account Name", "Account ID", "Stage", "Amount", "Close Date"]
OPPORTUNITY_ROWS = [
    ["006-1001", "Globex Corporation", "001GLOBEX", "Closed Won", "480000", "2027-03-31"],
    ["006-1002", "Vandelay Industries", "001VANDEL", "Closed Lost", "60000", "2027-02-28"],
    ["006-1003", "Soylent Foods", "001SOYLNT", "Negotiation/Review", "350000", "2027-06-30"],
    ["006-1004", "Cyberdyne Logistics", "001CYBERD", "Closed Won", "210000", "2027-01-31"],
    ["006-1005", "Tyrell Robotics", "001TYRELL", "Proposal/Price Quote", "45000", "2027-04-30"],
]


def opportunities_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(OPPORTUNITY_COLUMNS)
    writer.writerows(OPPORTUNITY_ROWS)
    return buffer.getvalue()


def crm_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(CRM_COLUMNS)
    writer.writerows(CRM_ROWS)
    return buffer.getvalue()


def write_library(out: Path) -> list[Path]:
    """Write every generated file under ``out``; return the paths written."""
    files: dict[Path, bytes] = {}
    for module in MODULES:
        deck = build_module(module)
        files[out / "slide_library" / f"{module.name}.pptx"] = deck
        files[out / "slide_library" / f"{module.name}.yaml"] = sidecar_yaml(module, deck).encode()
    for name, text in RECIPES.items():
        files[out / "recipes" / name] = text.encode()
    for name, text in PROSPECT_FILES.items():
        files[out / "prospects" / name] = text.encode()
    files[out / "prospects" / "vandelay.json"] = (json.dumps(VANDELAY, indent=2, ensure_ascii=False) + "\n").encode()
    for spec in LOGOS:
        files[out / "prospects" / "logos" / spec.file] = prospect_logo(spec)
    files[out / "prospects" / "crm-export.csv"] = crm_csv().encode()
    files[out / "crm" / "opportunities.csv"] = opportunities_csv().encode()
    files[out / BRAND_TEMPLATE] = brand_template()
    files[out / "deckgen.yaml"] = project_config().encode()
    files[out / "message_map.yaml"] = MESSAGE_MAP.read_bytes()
    for path, data in files.items():
        write_bytes_atomic(path, data)
    return list(files)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT,
                        help="folder to write slide_library/, recipes/, prospects/ and deckgen.yaml into")
    args = parser.parse_args(argv)
    written = write_library(args.out)
    slides = sum(len(module.slides) for module in MODULES)
    print(f"wrote {len(written)} files under {args.out}: {len(MODULES)} modules, {slides} slides")


if __name__ == "__main__":
    main()
