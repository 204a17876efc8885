"""Read what a slide shows for linting: text frames with resolved fonts and sizes, colours, pictures.

Everything comes back as plain dataclasses so callers never see XML. Text properties are resolved
the way PowerPoint inherits them: run -> paragraph -> the shape's list style -> the matching
layout and master placeholders -> the master's title/body/other text styles (placeholders) or the
presentation's default text style (other shapes); theme fonts (``+mj-lt``/``+mn-lt``) and scheme
colours are looked up in the theme of the slide's master.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Iterator

from lxml import etree

from deckgen.errors import PackageError
from deckgen.ooxml import names as n
from deckgen.ooxml.names import qn
from deckgen.ooxml.package import Relationship, SourceDeck

EMU_PER_PT = 12700
_DEFAULT_SIZE_PT = 18.0                       # ECMA-376 default run size (sz="1800")
_DEFAULT_INSETS = (91440, 45720, 91440, 45720)  # bodyPr lIns, tIns, rIns, bIns
_CELL_INSETS = (91440, 45720, 91440, 45720)     # tcPr marL, marT, marR, marB
_TITLE_TYPES = {"title", "ctrTitle"}
_BODY_TYPES = {"body", "obj", "subTitle", "tbl", "chart", "dgm", "media", "clipArt", "pic"}
_MASTER_TYPE = {"ctrTitle": "title", "subTitle": "body", "obj": "body"}
_CLR_MAP_DEFAULT = {"bg1": "lt1", "tx1": "dk1", "bg2": "lt2", "tx2": "dk2"}


@dataclass(frozen=True)
class TextRun:
    """A run of text with the font family, size and weight PowerPoint would draw it in."""

    text: str
    font: str | None       # resolved family name (theme fonts looked up); None when nothing says
    size_pt: float
    bold: bool


@dataclass(frozen=True)
class TextParagraph:
    """A paragraph: its runs (line breaks are "\\n" runs) and the spacing that sets its height."""

    runs: tuple[TextRun, ...]
    level: int
    end_size_pt: float                 # size of an empty paragraph (its end-of-paragraph mark)
    end_font: str | None
    line_spacing: float | None         # multiple of single spacing (1.0 = 100%), or None
    line_spacing_pt: float | None      # exact line pitch in points, or None
    space_before_pt: float
    space_after_pt: float
    margin_left_pt: float
    first_line_indent_pt: float        # added to margin_left on the first line (may be negative)
    space_before_pct: float = 0.0      # spacing given in % of the font size (100 = one line)
    space_after_pct: float = 0.0

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class TextBox:
    """A frame of text on the slide (a shape or a table cell) and the room it has."""

    shape_name: str
    shape_id: int | None
    kind: str                          # "shape" | "table-cell"
    width_emu: int
    height_emu: int
    insets_emu: tuple[int, int, int, int]   # left, top, right, bottom
    wrap: bool                         # False: lines only break at paragraph ends and breaks
    autofit: str                       # "none" | "shrink" (normAutofit) | "resize" (spAutoFit)
    font_scale: float                  # normAutofit fontScale already applied by PowerPoint (1.0 = none)
    line_reduction: float              # normAutofit lnSpcReduction (0.0 = none)
    columns: int
    paragraphs: tuple[TextParagraph, ...]
    placeholder: str | None = None     # placeholder type, None for other shapes

    @property
    def text(self) -> str:
        return "\n".join(paragraph.text for paragraph in self.paragraphs)


@dataclass(frozen=True)
class SlideImage:
    """A picture the slide shows (picture shape, picture fill or background) and its bytes.

    ``source`` says whether the slide itself draws it or inherits it from its layout or master.
    """

    source: str                        # "slide" | "layout" | "master"
    source_part: str                   # the part whose relationship names the picture
    shape_name: str
    rid: str
    part: str | None
    content_type: str
    data: bytes | None
    problem: str | None                # why the bytes could not be read, else None


@dataclass(frozen=True)
class TableLayout:
    """A table placed directly on the slide: its top edge, its rows, and its cells' text boxes.

    PowerPoint grows a row until its text fits, so a table's text cannot overflow a cell; it
    can push the table off the slide. Cells merged away and cells spanning several rows are left
    out of ``cells`` (a spanning cell's height is shared by its rows in ways a linter need not guess).
    """

    shape_name: str
    top_emu: int
    row_heights_emu: tuple[int, ...]
    cells: tuple[tuple[int, TextBox], ...]    # (0-based row, the cell's text box)


@dataclass(frozen=True)
class SlideInspection:
    """What one slide shows: its text frames, pictures, and the fonts and colours it uses."""

    slide_id: int
    text_boxes: tuple[TextBox, ...]
    images: tuple[SlideImage, ...]
    fonts: frozenset[str]              # families of runs with visible text
    colors: frozenset[str]             # RRGGBB upper-case, set directly on the slide
    theme_fonts: dict[str, str] = field(default_factory=dict)   # "major"/"minor" -> family
    tables: tuple[TableLayout, ...] = ()    # tables not inside a group
    slide_height_emu: int | None = None


def inspect_slide(deck: SourceDeck, slide_id: int) -> SlideInspection:
    """Return what the slide with ``slide_id`` shows; raise PackageError when its parts are unreadable."""
    return _SlideReader(deck, slide_id).read()


class LivePackage:
    """A python-pptx presentation being personalised, read through the few ``SourceDeck`` calls
    the slide reader makes, so text is measured as it is now (after templating), not as stored."""

    def __init__(self, presentation):
        package = presentation.part.package
        self._parts = {str(part.partname).lstrip("/"): part for part in package.iter_parts()}
        self.main_part = str(presentation.part.partname).lstrip("/")
        self.slide_size = (presentation.slide_width, presentation.slide_height) \
            if presentation.slide_width else None
        # the slide list read once (python-pptx's slide.slide_id searches it for every slide)
        listed = presentation.element.findall(f"{qn('p:sldIdLst')}/{qn('p:sldId')}")
        self.slide_ids = [int(entry.get("id")) for entry in listed]
        self._slide_parts = {int(entry.get("id")): str(presentation.part.related_part(entry.get(qn("r:id"))).partname)
                             .lstrip("/") for entry in listed}
        self._parsed: dict[str, etree._Element] = {}
        self._rels: dict[str, list[Relationship]] = {}
        # what the slide reader derives from the parts slides share (layouts, masters, themes):
        # those are not edited while a deck is personalised, so it is derived once per deck
        self.memo: dict[tuple, Any] = {}

    def has_part(self, part: str) -> bool:
        return part in self._parts

    def slide_part(self, slide_id: int) -> str:
        return self._slide_parts[slide_id]

    def xml(self, part: str) -> etree._Element:
        """The live element of an XML part (read only), or its blob parsed once."""
        found = self._parts[part]
        element = getattr(found, "_element", None)
        if element is None:
            element = self._parsed.get(part)
            if element is None:
                element = self._parsed[part] = etree.fromstring(found.blob, n.XML_PARSER)
        return element

    def rels(self, part: str) -> list[Relationship]:
        """The part's relationships (read once: every slide's reader asks for its master's)."""
        found = self._rels.get(part)
        if found is None:
            found = self._rels[part] = []
            for rid, rel in self._parts[part].rels.items():
                target = None if rel.is_external else str(rel.target_part.partname).lstrip("/")
                found.append(Relationship(rid, rel.reltype, rel.target_ref, rel.is_external, target))
        return found


def live_text_boxes(package: LivePackage, slide_id: int,
                    shape_ids: Collection[int] | None = None) -> tuple[TextBox, ...]:
    """Return the text boxes of a slide of a presentation being personalised, as they are now:
    those of the shapes ``shape_ids`` (tables left out) when given, else every one."""
    return _SlideReader(package, slide_id, package.memo).text_boxes(shape_ids)


# -- the reader ---------------------------------------------------------------------------------

@dataclass
class _Scale:
    """Child-to-slide coordinate scale inside (nested) groups."""

    x: float = 1.0
    y: float = 1.0


class _SlideReader:
    def __init__(self, deck: SourceDeck, slide_id: int, memo: dict | None = None):
        self.deck = deck
        self.slide_id = slide_id
        # what the slides of one deck share (a layout's placeholders, a theme's fonts) is read
        # once per deck when the caller keeps ``memo`` (fitting reads every slide of a deck)
        self._memo = {} if memo is None else memo
        self.slide_part = deck.slide_part(slide_id)
        self.slide = deck.xml(self.slide_part)
        self.layout_part = self._related(self.slide_part, n.RT_SLIDE_LAYOUT)
        self.layout = deck.xml(self.layout_part) if self.layout_part else None
        self.master_part = self._related(self.layout_part, n.RT_SLIDE_MASTER) if self.layout_part else None
        self.master = deck.xml(self.master_part) if self.master_part else None
        self.theme_part = self._related(self.master_part, n.RT_THEME) if self.master_part else None
        self.theme_fonts = self._shared(("fonts", self.theme_part), lambda: _theme_fonts(self._theme()))
        self.default_style = self._shared(("default-style",), lambda: deck.xml(deck.main_part).find(
            qn("p:defaultTextStyle")))
        self.fonts: set[str] = set()

    def _shared(self, key: tuple, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def _theme(self) -> etree._Element | None:
        return self.deck.xml(self.theme_part) if self.theme_part else None

    def _related(self, part: str | None, reltype: str) -> str | None:
        if part is None:
            return None
        return self._shared(("related", part, reltype), lambda: next(
            (rel.part for rel in self.deck.rels(part) if rel.reltype == reltype and not rel.external
             and rel.part and self.deck.has_part(rel.part)), None))

    def _placeholders(self, part: str | None, root: etree._Element | None) -> list[tuple[etree._Element, tuple]]:
        """The placeholder shapes of a layout or master with their (type, idx)."""
        return self._shared(("placeholders", part), lambda: _placeholder_shapes(root))

    def _color_map(self) -> dict[str, str]:
        mapping = dict(_CLR_MAP_DEFAULT)
        if self.master is not None:
            clr_map = self.master.find(qn("p:clrMap"))
            if clr_map is not None:
                mapping.update(clr_map.attrib)
        for root in (self.layout, self.slide):
            override = root.find(f"{qn('p:clrMapOvr')}/{qn('a:overrideClrMapping')}") if root is not None else None
            if override is not None:
                mapping.update(override.attrib)
        return mapping

    def text_boxes(self, shape_ids: Collection[int] | None = None) -> tuple[TextBox, ...]:
        boxes: list[TextBox] = []
        tree = self.slide.find(f"{qn('p:cSld')}/{qn('p:spTree')}")
        if tree is not None:
            self._walk(tree, _Scale(), boxes, None, shape_ids)
        return tuple(boxes)

    def read(self) -> SlideInspection:
        boxes: list[TextBox] = []
        tables: list[TableLayout] = []
        tree = self.slide.find(f"{qn('p:cSld')}/{qn('p:spTree')}")
        if tree is not None:
            self._walk(tree, _Scale(), boxes, tables)
        size = self.deck.slide_size
        return SlideInspection(slide_id=self.slide_id, text_boxes=tuple(boxes), images=tuple(self._images()),
                               fonts=frozenset(self.fonts), colors=frozenset(self._colors()),
                               theme_fonts=dict(self.theme_fonts), tables=tuple(tables),
                               slide_height_emu=size[1] if size else None)

    # -- shapes --------------------------------------------------------------------------------

    def _walk(self, tree: etree._Element, scale: _Scale, boxes: list[TextBox],
              tables: list[TableLayout] | None, shape_ids: Collection[int] | None = None) -> None:
        """Collect text boxes (of the shapes ``shape_ids`` only, no table cells, when given);
        ``tables`` (None inside groups, whose offsets are not tracked) collects the layout of
        each table."""
        for child in tree:
            if child.tag == qn("p:sp"):
                if shape_ids is not None and _name_and_id(child)[1] not in shape_ids:
                    continue
                box = self._shape_box(child, scale)
                if box is not None:
                    boxes.append(box)
            elif child.tag == qn("p:grpSp"):
                self._walk(child, _group_scale(child, scale), boxes, None, shape_ids)
            elif child.tag == qn("p:graphicFrame") and shape_ids is None:
                cells = list(self._table_boxes(child, scale))
                boxes.extend(box for _, box, _ in cells)
                if tables is not None and cells:
                    tables.append(_table_layout(child, cells))

    def _shape_box(self, sp: etree._Element, scale: _Scale) -> TextBox | None:
        body = sp.find(qn("p:txBody"))
        if body is None:
            return None
        ph = _placeholder(sp)
        layout_sp = _find_placeholder(self._placeholders(self.layout_part, self.layout), ph, by_idx=True) \
            if ph else None
        master_sp = _find_placeholder(self._placeholders(self.master_part, self.master), _master_key(ph),
                                      by_idx=False) if ph else None
        inherited = [el for el in (layout_sp, master_sp) if el is not None]
        width, height = _extent(sp, inherited)
        styles = [body.find(qn("a:lstStyle"))]
        styles += [el.find(f"{qn('p:txBody')}/{qn('a:lstStyle')}") for el in inherited]
        if ph is None:
            styles.append(self.default_style)
        else:
            styles.append(self._master_style(ph[0]))
        body_prs = [body.find(qn("a:bodyPr"))] + [el.find(f"{qn('p:txBody')}/{qn('a:bodyPr')}") for el in inherited]
        body_prs = [pr for pr in body_prs if pr is not None]
        default_font = "major" if ph is not None and ph[0] in _TITLE_TYPES else "minor"
        paragraphs = tuple(self._paragraphs(body, [s for s in styles if s is not None], default_font))
        insets = tuple(_emu_attr(body_prs, name, default)
                       for name, default in zip(("lIns", "tIns", "rIns", "bIns"), _DEFAULT_INSETS))
        autofit, font_scale, line_reduction = _autofit(body_prs)
        wrap = _first_attr(body_prs, "wrap", "square") != "none"
        columns = int(_first_attr(body_prs, "numCol", "1") or 1)
        name, shape_id = _name_and_id(sp)
        return TextBox(shape_name=name, shape_id=shape_id, kind="shape",
                       width_emu=round(width * scale.x), height_emu=round(height * scale.y),
                       insets_emu=insets, wrap=wrap, autofit=autofit, font_scale=font_scale,
                       line_reduction=line_reduction, columns=max(1, columns), paragraphs=paragraphs,
                       placeholder=ph[0] if ph else None)

    def _master_style(self, ph_type: str) -> etree._Element | None:
        if self.master is None:
            return None
        styles = self.master.find(qn("p:txStyles"))
        if styles is None:
            return None
        if ph_type in _TITLE_TYPES:
            return styles.find(qn("p:titleStyle"))
        if ph_type in _BODY_TYPES:
            return styles.find(qn("p:bodyStyle"))
        return styles.find(qn("p:otherStyle"))

    def _table_boxes(self, frame: etree._Element, scale: _Scale) -> Iterator[tuple[int, TextBox, int]]:
        """Yield (0-based row, text box, rows spanned) for each cell of a table frame that holds text."""
        table = frame.find(f"{qn('a:graphic')}/{qn('a:graphicData')}/{qn('a:tbl')}")
        if table is None:
            return
        name, shape_id = _name_and_id(frame)
        widths = [int(col.get("w", "0")) for col in table.iter(qn("a:gridCol"))]
        styles = [s for s in (self.default_style,) if s is not None]
        for row_number, row in enumerate(table.iter(qn("a:tr")), start=1):
            height = int(row.get("h", "0"))
            column = 0
            for cell_number, cell in enumerate(row.iter(qn("a:tc")), start=1):
                span = int(cell.get("gridSpan", "1"))
                width = sum(widths[column:column + span])
                column += span
                if cell.get("hMerge") in ("1", "true") or cell.get("vMerge") in ("1", "true"):
                    continue
                body = cell.find(qn("a:txBody"))
                if body is None:
                    continue
                tc_pr = cell.find(qn("a:tcPr"))
                insets = tuple(int(tc_pr.get(attr, str(default))) if tc_pr is not None else default
                               for attr, default in zip(("marL", "marT", "marR", "marB"), _CELL_INSETS))
                cell_styles = [body.find(qn("a:lstStyle")), *styles]
                paragraphs = tuple(self._paragraphs(body, [s for s in cell_styles if s is not None], "minor"))
                yield row_number - 1, TextBox(
                    shape_name=f"{name} row {row_number} cell {cell_number}", shape_id=shape_id,
                    kind="table-cell", width_emu=round(width * scale.x),
                    height_emu=round(height * scale.y), insets_emu=insets, wrap=True,
                    autofit="resize", font_scale=1.0, line_reduction=0.0, columns=1,
                    paragraphs=paragraphs), int(cell.get("rowSpan", "1") or 1)

    # -- text ----------------------------------------------------------------------------------

    def _paragraphs(self, body: etree._Element, styles: list[etree._Element],
                    default_font: str) -> Iterator[TextParagraph]:
        for p in body.findall(qn("a:p")):
            p_pr = p.find(qn("a:pPr"))
            level = int(p_pr.get("lvl", "0")) if p_pr is not None else 0
            level_prs = [p_pr] if p_pr is not None else []
            level_prs += [pr for pr in (s.find(qn(f"a:lvl{level + 1}pPr")) for s in styles) if pr is not None]
            defaults = [pr.find(qn("a:defRPr")) for pr in level_prs]
            defaults = [d for d in defaults if d is not None]
            runs = []
            for child in p:
                if child.tag == qn("a:r"):
                    text = "".join(t.text or "" for t in child.findall(qn("a:t")))
                    runs.append(self._run(text, [child.find(qn("a:rPr")), *defaults], default_font))
                elif child.tag == qn("a:br"):
                    runs.append(self._run("\n", [child.find(qn("a:rPr")), *defaults], default_font))
                elif child.tag == qn("a:fld"):
                    text = "".join(t.text or "" for t in child.findall(qn("a:t")))
                    runs.append(self._run(text, [child.find(qn("a:rPr")), *defaults], default_font))
            end = self._run("", [p.find(qn("a:endParaRPr")), *defaults], default_font)
            line_pct, line_pts = _spacing(level_prs, "a:lnSpc")
            before_pct, before_pts = _spacing(level_prs, "a:spcBef")
            after_pct, after_pts = _spacing(level_prs, "a:spcAft")
            yield TextParagraph(
                runs=tuple(runs), level=level, end_size_pt=end.size_pt, end_font=end.font,
                line_spacing=line_pct, line_spacing_pt=line_pts,
                space_before_pt=before_pts or 0.0, space_after_pt=after_pts or 0.0,
                space_before_pct=(before_pct or 0.0) * 100, space_after_pct=(after_pct or 0.0) * 100,
                margin_left_pt=_emu_attr(level_prs, "marL", 0) / EMU_PER_PT,
                first_line_indent_pt=_emu_attr(level_prs, "indent", 0) / EMU_PER_PT)

    def _run(self, text: str, props: list[etree._Element | None], default_font: str) -> TextRun:
        props = [p for p in props if p is not None]
        size = next((int(p.get("sz")) / 100 for p in props if p.get("sz")), _DEFAULT_SIZE_PT)
        bold = next((p.get("b") in ("1", "true") for p in props if p.get("b") is not None), False)
        typeface = None
        for prop in props:
            latin = prop.find(qn("a:latin"))
            if latin is not None and latin.get("typeface"):
                typeface = latin.get("typeface")
                break
        font = self._font(typeface or ("+mj-lt" if default_font == "major" else "+mn-lt"))
        if font and text.strip():
            self.fonts.add(font)
        return TextRun(text=text, font=font, size_pt=size, bold=bold)

    def _font(self, typeface: str) -> str | None:
        if typeface in ("+mj-lt", "+mj-ea", "+mj-cs"):
            return self.theme_fonts.get("major")
        if typeface in ("+mn-lt", "+mn-ea", "+mn-cs"):
            return self.theme_fonts.get("minor")
        return typeface or None

    # -- colours and pictures ------------------------------------------------------------------

    def _colors(self) -> Iterator[str]:
        scheme = _color_scheme(self._theme())
        clr_map = self._color_map()
        for element in self.slide.iter(qn("a:srgbClr"), qn("a:schemeClr"), qn("a:sysClr")):
            if element.tag == qn("a:srgbClr"):
                value = element.get("val", "")
            elif element.tag == qn("a:sysClr"):
                value = element.get("lastClr", "")
            else:
                name = element.get("val", "")
                value = scheme.get(clr_map.get(name, name), "")
            if len(value) == 6:
                yield value.upper()

    def _images(self) -> Iterator[SlideImage]:
        for source, part, root in (("slide", self.slide_part, self.slide), ("layout", self.layout_part, self.layout),
                                   ("master", self.master_part, self.master)):
            if part is not None and root is not None:
                yield from self._images_of(source, part, root)

    def _images_of(self, source: str, part: str, root: etree._Element) -> Iterator[SlideImage]:
        rels = {rel.rid: rel for rel in self.deck.rels(part)}
        for blip in root.iter(qn("a:blip")):
            rid = blip.get(qn("r:embed"))
            if not rid:
                continue
            name = _owner_name(blip)
            rel = rels.get(rid)
            if rel is None or rel.part is None:
                yield SlideImage(source, part, name, rid, None, "", None, f"relationship {rid} is missing from /{part}")
                continue
            content_type = self.deck.content_type(rel.part)
            if not self.deck.has_part(rel.part):
                yield SlideImage(source, part, name, rid, rel.part, content_type, None,
                                 f"picture part /{rel.part} is missing from the package")
                continue
            try:
                data = self.deck.read(rel.part)
            except PackageError as exc:
                yield SlideImage(source, part, name, rid, rel.part, content_type, None, str(exc))
                continue
            yield SlideImage(source, part, name, rid, rel.part, content_type, data, None)


# -- helpers ------------------------------------------------------------------------------------

def _table_layout(frame: etree._Element, cells: list[tuple[int, TextBox, int]]) -> TableLayout:
    table = frame.find(f"{qn('a:graphic')}/{qn('a:graphicData')}/{qn('a:tbl')}")
    offset = frame.find(f"{qn('p:xfrm')}/{qn('a:off')}")
    return TableLayout(shape_name=_name_and_id(frame)[0],
                       top_emu=int(offset.get("y", "0")) if offset is not None else 0,
                       row_heights_emu=tuple(int(row.get("h", "0")) for row in table.iter(qn("a:tr"))),
                       cells=tuple((row, box) for row, box, rows in cells if rows == 1))


def _theme_fonts(theme: etree._Element | None) -> dict[str, str]:
    fonts: dict[str, str] = {}
    if theme is None:
        return fonts
    scheme = theme.find(f"{qn('a:themeElements')}/{qn('a:fontScheme')}")
    if scheme is None:
        return fonts
    for key, tag in (("major", "a:majorFont"), ("minor", "a:minorFont")):
        latin = scheme.find(f"{qn(tag)}/{qn('a:latin')}")
        if latin is not None and latin.get("typeface"):
            fonts[key] = latin.get("typeface")
    return fonts


def _color_scheme(theme: etree._Element | None) -> dict[str, str]:
    colors: dict[str, str] = {}
    if theme is None:
        return colors
    scheme = theme.find(f"{qn('a:themeElements')}/{qn('a:clrScheme')}")
    for slot in scheme if scheme is not None else ():
        if not isinstance(slot.tag, str):
            continue
        local = etree.QName(slot).localname
        srgb = slot.find(qn("a:srgbClr"))
        sys = slot.find(qn("a:sysClr"))
        if srgb is not None:
            colors[local] = srgb.get("val", "").upper()
        elif sys is not None:
            colors[local] = sys.get("lastClr", "").upper()
    return colors


def _placeholder(sp: etree._Element) -> tuple[str, str | None] | None:
    """(type, idx) of a placeholder shape (type "obj" when absent), or None."""
    nv_pr = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}")
    ph = nv_pr.find(qn("p:ph")) if nv_pr is not None else None
    if ph is None:
        return None
    return ph.get("type", "obj"), ph.get("idx")


def _master_key(ph: tuple[str, str | None] | None) -> tuple[str, str | None] | None:
    if ph is None:
        return None
    return _MASTER_TYPE.get(ph[0], ph[0]), None


def _placeholder_shapes(root: etree._Element | None) -> list[tuple[etree._Element, tuple[str, str | None]]]:
    """The placeholder shapes of a layout or master with their (type, idx), in document order."""
    tree = root.find(f"{qn('p:cSld')}/{qn('p:spTree')}") if root is not None else None
    if tree is None:
        return []
    candidates = [(sp, _placeholder(sp)) for sp in tree.iter(qn("p:sp"))]
    return [(sp, key) for sp, key in candidates if key is not None]


def _find_placeholder(candidates: list[tuple[etree._Element, tuple[str, str | None]]],
                      ph: tuple[str, str | None] | None, by_idx: bool) -> etree._Element | None:
    """The placeholder shape of a layout/master (``candidates``: its placeholder shapes) that a
    slide placeholder inherits from."""
    if ph is None:
        return None
    ph_type, idx = ph
    if by_idx and idx is not None:
        for sp, key in candidates:
            if key[1] == idx:
                return sp
    wanted = {ph_type, _MASTER_TYPE.get(ph_type, ph_type)}
    for sp, key in candidates:
        if key[0] == ph_type:
            return sp
    for sp, key in candidates:
        if key[0] in wanted:
            return sp
    return None


def _extent(sp: etree._Element, inherited: list[etree._Element]) -> tuple[int, int]:
    for element in (sp, *inherited):
        ext = element.find(f"{qn('p:spPr')}/{qn('a:xfrm')}/{qn('a:ext')}")
        if ext is not None:
            return int(ext.get("cx", "0")), int(ext.get("cy", "0"))
    return 0, 0


def _group_scale(group: etree._Element, outer: _Scale) -> _Scale:
    xfrm = group.find(f"{qn('p:grpSpPr')}/{qn('a:xfrm')}")
    if xfrm is None:
        return outer
    ext, ch_ext = xfrm.find(qn("a:ext")), xfrm.find(qn("a:chExt"))
    if ext is None or ch_ext is None:
        return outer
    cx, cy = int(ext.get("cx", "0")), int(ext.get("cy", "0"))
    ch_cx, ch_cy = int(ch_ext.get("cx", "0")), int(ch_ext.get("cy", "0"))
    return _Scale(outer.x * (cx / ch_cx if ch_cx else 1.0), outer.y * (cy / ch_cy if ch_cy else 1.0))


def _name_and_id(shape: etree._Element) -> tuple[str, int | None]:
    for c_nv_pr in shape.iter(qn("p:cNvPr")):
        raw_id = c_nv_pr.get("id")
        return c_nv_pr.get("name", ""), int(raw_id) if raw_id and raw_id.isdigit() else None
    return "", None


def _owner_name(element: etree._Element) -> str:
    """Name of the shape (or "background") that holds ``element``."""
    for ancestor in element.iterancestors():
        if ancestor.tag == qn("p:bg"):
            return "background"
        if ancestor.tag in (qn("p:pic"), qn("p:sp"), qn("p:graphicFrame"), qn("p:grpSp"), qn("p:cxnSp")):
            return _name_and_id(ancestor)[0]
    return ""


def _first_attr(elements: list[etree._Element], name: str, default: str) -> str:
    for element in elements:
        value = element.get(name)
        if value is not None:
            return value
    return default


def _emu_attr(elements: list[etree._Element], name: str, default: int) -> int:
    value = _first_attr(elements, name, "")
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _autofit(body_prs: list[etree._Element]) -> tuple[str, float, float]:
    """("none"|"shrink"|"resize", fontScale, lnSpcReduction) from the first bodyPr that says."""
    for body_pr in body_prs:
        if body_pr.find(qn("a:spAutoFit")) is not None:
            return "resize", 1.0, 0.0
        norm = body_pr.find(qn("a:normAutofit"))
        if norm is not None:
            scale = int(norm.get("fontScale", "100000")) / 100000
            reduction = int(norm.get("lnSpcReduction", "0")) / 100000
            return "shrink", scale, reduction
        if body_pr.find(qn("a:noAutofit")) is not None:
            return "none", 1.0, 0.0
    return "none", 1.0, 0.0


def _spacing(level_prs: list[etree._Element], tag: str) -> tuple[float | None, float | None]:
    """(multiple, points) of a lnSpc/spcBef/spcAft from the first pPr that sets it."""
    for p_pr in level_prs:
        spacing = p_pr.find(qn(tag))
        if spacing is None:
            continue
        pct = spacing.find(qn("a:spcPct"))
        if pct is not None:
            return int(pct.get("val", "100000")) / 100000, None
        pts = spacing.find(qn("a:spcPts"))
        if pts is not None:
            return None, int(pts.get("val", "0")) / 100
    return None, None


__all__ = ["EMU_PER_PT", "LivePackage", "SlideImage", "SlideInspection", "TableLayout", "TextBox", "TextParagraph",
           "TextRun", "inspect_slide", "live_text_boxes"]
