"""Destination template mode: which layout of the corporate template each copied slide goes to,
and re-pointing the slide's placeholders at that layout ("Use Destination Theme").

A slide is re-parented onto a template layout chosen, in this order, because it is the same
layout (identical with its master and theme: the slide was made on the template), because it
has the same name, because it has the same layout type, or because its placeholders match the
slide's best (type, then idx, then geometry). The slide then inherits the template's
positions, text styles, theme colours, theme fonts and background wherever it does not set
its own. Placeholders without a counterpart on the chosen layout keep the frame they had, so
their content stays where it was.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from deckgen.ooxml import names as n
from deckgen.ooxml.names import qn
from deckgen.ooxml.package import SourceDeck
from deckgen.ooxml.scale import Fit, fit_part
from deckgen.ooxml.sharing import SharedParts

# placeholder types a slide placeholder may move to, best first ("obj" is content: any body)
_COMPATIBLE = {
    "title": ("title", "ctrTitle"), "ctrTitle": ("ctrTitle", "title"),
    "subTitle": ("subTitle", "body", "obj"), "body": ("body", "obj", "subTitle"),
    "obj": ("obj", "body"), "pic": ("pic", "obj"), "chart": ("chart", "obj"),
    "tbl": ("tbl", "obj"), "dgm": ("dgm", "obj"), "media": ("media", "obj"),
    "clipArt": ("clipArt", "pic", "obj"),
}
_PLACEHOLDER_SHAPES = ("p:sp", "p:pic", "p:graphicFrame", "p:grpSp", "p:cxnSp")
_NV_PROPERTIES = ("p:nvSpPr", "p:nvPicPr", "p:nvGraphicFramePr", "p:nvGrpSpPr", "p:nvCxnSpPr")


@dataclass(frozen=True)
class Placeholder:
    """A placeholder of a slide or layout: its type, idx and frame (x, y, cx, cy) if known."""

    type: str
    idx: int
    frame: tuple[int, int, int, int] | None

    def describe(self) -> str:
        return f"{self.type} placeholder (idx {self.idx})"


@dataclass(frozen=True)
class TemplateLayout:
    """One layout of the destination template."""

    part: str
    name: str
    type: str
    master: str
    placeholders: tuple[Placeholder, ...]


@dataclass(frozen=True)
class LayoutChoice:
    """Where one slide goes in template mode, and why."""

    layout: TemplateLayout
    reason: str
    mapped: bool = True                                  # False: nothing of the template fits
    moves: dict[int, Placeholder] = field(default_factory=dict)  # slide idx -> layout ph
    unmatched: tuple[Placeholder, ...] = ()              # slide placeholders without a home
    identical: bool = False                              # already on the template


class DestinationTemplate:
    """The masters and layouts of a destination template (.potx or .pptx) and the choice of a
    layout for each slide copied onto it."""

    def __init__(self, deck: SourceDeck):
        self.deck = deck
        self.masters: list[str] = []
        self.layouts: list[TemplateLayout] = []
        by_rid = {rel.rid: rel for rel in deck.rels(deck.main_part)}
        master_list = deck.presentation_xml.find(qn("p:sldMasterIdLst"))
        for entry in master_list if master_list is not None else ():
            rel = by_rid.get(entry.get(qn("r:id"), ""))
            if rel is None or rel.part is None or not deck.has_part(rel.part):
                continue
            self.masters.append(rel.part)
            for layout_rel in deck.rels(rel.part):
                if (layout_rel.reltype == n.RT_SLIDE_LAYOUT and layout_rel.part is not None
                        and deck.has_part(layout_rel.part)):
                    self.layouts.append(self._layout(layout_rel.part, rel.part))
        if not self.layouts:
            raise deck.damaged_structure("has no slide layouts, so it cannot be a template")
        self._keys = SharedParts(lambda _deck: b"")
        self._by_key = {self._keys.content_key(deck, layout.part): layout
                        for layout in self.layouts}

    @classmethod
    def of(cls, deck: SourceDeck) -> DestinationTemplate:
        """The template view of ``deck``, made once per open deck (batches reuse it)."""
        memo = ("destination template",)
        if memo not in deck.derived:
            deck.derived[memo] = cls(deck)
        return deck.derived[memo]

    def _layout(self, part: str, master: str) -> TemplateLayout:
        root = self.deck.xml(part)
        return TemplateLayout(part, _name(root), root.get("type", "cust"), master,
                              tuple(_placeholders(root)))

    @property
    def slide_size(self) -> tuple[int, int] | None:
        return self.deck.slide_size

    def choose(self, deck: SourceDeck, slide_part: str, fit: Fit | None = None) -> LayoutChoice:
        """The template layout for ``deck``'s slide ``slide_part``, and why."""
        memo = ("template choice", str(self.deck.path), slide_part, fit)
        if memo not in deck.derived:
            deck.derived[memo] = self._choose(deck, slide_part, fit)
        return deck.derived[memo]

    def _choose(self, deck: SourceDeck, slide_part: str, fit: Fit | None) -> LayoutChoice:
        layout_part = source_layout(deck, slide_part)
        layout_root = deck.xml(layout_part)
        slide = _effective_placeholders(deck, slide_part, layout_part, fit)
        same = self._by_key.get(self._keys.content_key(deck, layout_part))
        if same is not None:
            return self._fitted(same, slide, "already on the template (same layout)",
                                identical=True)
        name = _name(layout_root)
        for layout in self.layouts:
            if name and layout.name.casefold() == name.casefold():
                return self._fitted(layout, slide, f"same layout name '{layout.name}'")
        kind = layout_root.get("type", "cust")
        if kind != "cust":
            for layout in self.layouts:
                if layout.type == kind:
                    return self._fitted(layout, slide, f"same layout type '{kind}'")
        if not slide:
            blank = self._blank()
            return self._fitted(blank, slide, "no placeholders: the template's "
                                              f"'{blank.name}' layout")
        scored = []
        for layout in self.layouts:
            moves, unmatched = _match(slide, layout.placeholders)
            scored.append((len(moves), -_distance(slide, moves), -len(layout.placeholders),
                           layout))
        best = max(scored, key=lambda item: item[:3])
        if best[0] == 0:
            blank = self._blank()
            choice = self._fitted(blank, slide, f"no layout of the template has its "
                                                f"placeholders; put on '{blank.name}'")
            return LayoutChoice(choice.layout, choice.reason, False, choice.moves,
                                choice.unmatched)
        return self._fitted(best[3], slide,
                            f"best placeholder match ({best[0]} of {len(slide)} placeholders)")

    def _fitted(self, layout: TemplateLayout, slide: list[Placeholder], reason: str,
                identical: bool = False) -> LayoutChoice:
        moves, unmatched = _match(slide, layout.placeholders)
        return LayoutChoice(layout, reason, True, moves, tuple(unmatched), identical)

    def _blank(self) -> TemplateLayout:
        blank = [layout for layout in self.layouts if layout.type == "blank"]
        return blank[0] if blank else min(self.layouts, key=lambda l: len(l.placeholders))


@dataclass(frozen=True)
class TemplateFit:
    """What putting one slide on the template does, for plans and checks (plain data)."""

    layout: str                  # name of the template layout it goes to
    reason: str
    mapped: bool                 # False when no layout of the template fits it
    unmatched: tuple[str, ...]   # its placeholders without a place on that layout
    off_page: tuple[str, ...]    # its shapes that fall (partly) off the template's page
    colors: frozenset[str]       # RRGGBB set explicitly on the slide, which the switch keeps
    fonts: frozenset[str]        # typefaces set explicitly on the slide, which the switch keeps


def template_fit(template: SourceDeck, deck: SourceDeck, slide_id: int) -> TemplateFit:
    """Where ``deck``'s slide ``slide_id`` goes on ``template``, and what stays its own."""
    fit = (Fit.between(deck.slide_size, template.slide_size)
           if deck.slide_size and template.slide_size else None)
    slide_part = deck.slide_part(slide_id)
    choice = DestinationTemplate.of(template).choose(deck, slide_part, fit)
    root = deck.xml(slide_part)
    colors = {element.get("val", "").upper() for element in root.iter(qn("a:srgbClr"))}
    fonts = {element.get("typeface", "")
             for tag in ("a:latin", "a:ea", "a:cs") for element in root.iter(qn(tag))}
    return TemplateFit(choice.layout.name, choice.reason, choice.mapped,
                       tuple(ph.describe() for ph in choice.unmatched),
                       tuple(off_page_shapes(deck, slide_part, template.slide_size, fit))
                       if template.slide_size else (),
                       frozenset(color for color in colors if color),
                       frozenset(font for font in fonts if font and not font.startswith("+")))


def theme_palette(template: SourceDeck) -> tuple[frozenset[str], frozenset[str]]:
    """The colours (RRGGBB) and fonts of the template's themes: what is on-brand after the
    switch."""
    colors: set[str] = set()
    fonts: set[str] = set()
    for master in DestinationTemplate.of(template).masters:
        for rel in template.rels(master):
            if rel.reltype != n.RT_THEME or rel.part is None or not template.has_part(rel.part):
                continue
            theme = template.xml(rel.part)
            for scheme in theme.iter(qn("a:clrScheme")):
                colors |= {element.get("val", "").upper() for element in scheme.iter(qn("a:srgbClr"))}
                colors |= {element.get("lastClr", "").upper()
                           for element in scheme.iter(qn("a:sysClr"))}
            for scheme in theme.iter(qn("a:fontScheme")):
                fonts |= {element.get("typeface", "") for element in scheme.iter(qn("a:latin"))}
    return frozenset(colors - {""}), frozenset(fonts - {""})


def source_layout(deck: SourceDeck, slide_part: str) -> str:
    """The layout part a source slide uses."""
    for rel in deck.rels(slide_part):
        if rel.reltype == n.RT_SLIDE_LAYOUT and rel.part is not None and deck.has_part(rel.part):
            return rel.part
    raise deck.damaged_structure(f"slide /{slide_part} has no slide layout")


def retarget_slide(root: etree._Element, choice: LayoutChoice, deck: SourceDeck,
                   slide_part: str, fit: Fit | None) -> None:
    """Point the slide's placeholders (``root``, already scaled by ``fit``) at the chosen layout's
    placeholders; give those without a counterpart their old frame."""
    frames = {ph.idx: ph for ph in _effective_placeholders(deck, slide_part,
                                                          source_layout(deck, slide_part), fit)}
    unmatched = {ph.idx for ph in choice.unmatched}
    for shape, ph in _placeholder_elements(root):
        idx = int(ph.get("idx", "0") or 0)
        target = choice.moves.get(idx)
        if target is not None:
            if target.type == "obj":
                ph.attrib.pop("type", None)
            elif ph.get("type", "obj") != target.type:
                ph.set("type", target.type)
            if target.idx:
                ph.set("idx", str(target.idx))
            else:
                ph.attrib.pop("idx", None)
        elif idx in unmatched and frames.get(idx) and frames[idx].frame:
            _give_frame(shape, frames[idx].frame)


def off_page_shapes(deck: SourceDeck, slide_part: str, size: tuple[int, int],
                    fit: Fit | None) -> list[str]:
    """Names of the slide's shapes whose own frame lies partly outside a ``size`` page once
    fitted (custom geometry that would fall off the slide)."""
    root = deck.xml(slide_part)
    if fit is not None:
        fit_part(root, fit)
    width, height = size
    names = []
    tree = root.find(f"{qn('p:cSld')}/{qn('p:spTree')}")
    for shape in tree if tree is not None else ():
        frame = _frame(shape)
        if frame is None:
            continue
        x, y, cx, cy = frame
        if x < 0 or y < 0 or x + cx > width or y + cy > height:
            c_nv = shape.find(f".//{qn('p:cNvPr')}")
            names.append(c_nv.get("name", "shape") if c_nv is not None else "shape")
    return names


# -- placeholders --------------------------------------------------------------------------

def _name(root: etree._Element) -> str:
    c_sld = root.find(qn("p:cSld"))
    return c_sld.get("name", "") if c_sld is not None else ""


def _placeholder_elements(root: etree._Element):
    tree = root.find(f"{qn('p:cSld')}/{qn('p:spTree')}")
    for shape in tree if tree is not None else ():
        for nv_tag in _NV_PROPERTIES:
            ph = shape.find(f"{qn(nv_tag)}/{qn('p:nvPr')}/{qn('p:ph')}")
            if ph is not None:
                yield shape, ph
                break


def _placeholders(root: etree._Element) -> list[Placeholder]:
    return [Placeholder(ph.get("type", "obj"), _idx(ph), _frame(shape))
            for shape, ph in _placeholder_elements(root)]


def _idx(ph: etree._Element) -> int:
    try:
        return int(ph.get("idx", "0"))
    except ValueError:
        return 0


def _frame(shape: etree._Element) -> tuple[int, int, int, int] | None:
    xfrm = shape.find(f"{qn('p:spPr')}/{qn('a:xfrm')}")
    if xfrm is None:
        xfrm = shape.find(qn("p:xfrm"))
    if xfrm is None:
        xfrm = shape.find(f"{qn('p:grpSpPr')}/{qn('a:xfrm')}")
    if xfrm is None:
        return None
    off, ext = xfrm.find(qn("a:off")), xfrm.find(qn("a:ext"))
    if off is None or ext is None:
        return None
    try:
        return (int(off.get("x", "0")), int(off.get("y", "0")), int(ext.get("cx", "0")),
                int(ext.get("cy", "0")))
    except ValueError:
        return None


def _inherited(ph: Placeholder, parents: list[Placeholder]) -> Placeholder | None:
    """The placeholder of a layout (or master) that ``ph`` inherits from, as PowerPoint finds
    it: the same idx, else the same type."""
    for parent in parents:
        if parent.idx == ph.idx and ph.idx != 0:
            return parent
    for parent in parents:
        if parent.type in _COMPATIBLE.get(ph.type, (ph.type,))[:2] or parent.type == ph.type:
            return parent
    return None


def _effective_placeholders(deck: SourceDeck, slide_part: str, layout_part: str,
                            fit: Fit | None) -> list[Placeholder]:
    """The slide's placeholders with the frame each shows (its own, else its layout's, else
    its master's), scaled by ``fit``."""
    memo = ("effective placeholders", slide_part, fit)
    if memo in deck.derived:
        return deck.derived[memo]
    layout = _placeholders(deck.xml(layout_part))
    master_part = next((rel.part for rel in deck.rels(layout_part)
                        if rel.reltype == n.RT_SLIDE_MASTER and rel.part is not None
                        and deck.has_part(rel.part)), None)
    master = _placeholders(deck.xml(master_part)) if master_part else []
    found = []
    for ph in _placeholders(deck.xml(slide_part)):
        frame = ph.frame
        if frame is None:
            parent = _inherited(ph, layout)
            frame = parent.frame if parent is not None else None
            if frame is None:
                parent = _inherited(ph, master)
                frame = parent.frame if parent is not None else None
            if frame is not None and fit is not None:
                x, y, cx, cy = frame
                frame = (round(x * fit.scale) + fit.dx, round(y * fit.scale) + fit.dy,
                         fit.length(cx), fit.length(cy))
        found.append(Placeholder(ph.type, ph.idx, frame))
    deck.derived[memo] = found
    return found


def _match(slide: list[Placeholder], layout: tuple[Placeholder, ...]
           ) -> tuple[dict[int, Placeholder], list[Placeholder]]:
    """Slide idx -> layout placeholder for each slide placeholder that has a counterpart (same
    idx and a compatible type first, then the first free one of a compatible type), and the
    placeholders left without one."""
    moves: dict[int, Placeholder] = {}
    used: set[int] = set()
    pending = []
    for ph in slide:
        allowed = _COMPATIBLE.get(ph.type, (ph.type,))
        same = next((target for target in layout if target.idx == ph.idx
                     and target.type in allowed and target.idx not in used), None)
        if same is not None:
            moves[ph.idx] = same
            used.add(same.idx)
        else:
            pending.append(ph)
    unmatched = []
    for ph in pending:
        allowed = _COMPATIBLE.get(ph.type, (ph.type,))
        free = [target for target in layout if target.type in allowed and target.idx not in used]
        if free:
            target = min(free, key=lambda t: (allowed.index(t.type), _gap(ph.frame, t.frame)))
            moves[ph.idx] = target
            used.add(target.idx)
        else:
            unmatched.append(ph)
    return moves, unmatched


def _gap(a: tuple[int, int, int, int] | None, b: tuple[int, int, int, int] | None) -> int:
    if a is None or b is None:
        return 0
    return sum(abs(x - y) for x, y in zip(a, b))


def _distance(slide: list[Placeholder], moves: dict[int, Placeholder]) -> int:
    by_idx = {ph.idx: ph for ph in slide}
    return sum(_gap(by_idx[idx].frame, target.frame) for idx, target in moves.items())


def _give_frame(shape: etree._Element, frame: tuple[int, int, int, int]) -> None:
    """Write an explicit a:xfrm into a placeholder that has none (its new layout has no
    placeholder to take a position from)."""
    sp_pr = shape.find(qn("p:spPr"))
    if sp_pr is None or sp_pr.find(qn("a:xfrm")) is not None:
        return
    xfrm = etree.Element(qn("a:xfrm"))
    x, y, cx, cy = frame
    etree.SubElement(xfrm, qn("a:off"), x=str(x), y=str(y))
    etree.SubElement(xfrm, qn("a:ext"), cx=str(cx), cy=str(cy))
    sp_pr.insert(0, xfrm)

