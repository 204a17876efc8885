"""Carrying a deck's p:defaultTextStyle into the text boxes of slides moved to another deck."""
from __future__ import annotations

import copy

from lxml import etree

from deckgen.ooxml.names import qn

_LEVELS = ["a:defPPr"] + [f"a:lvl{level}pPr" for level in range(1, 10)]
# Child "slots" of CT_TextParagraphProperties and CT_TextCharacterProperties in schema order;
# elements of one slot are alternatives, so a slot the shape fills keeps the shape's choice.
_PPR_SLOTS = [["a:lnSpc"], ["a:spcBef"], ["a:spcAft"], ["a:buClrTx", "a:buClr"],
              ["a:buSzTx", "a:buSzPct", "a:buSzPts"], ["a:buFontTx", "a:buFont"],
              ["a:buNone", "a:buAutoNum", "a:buChar", "a:buBlip"], ["a:tabLst"], ["a:defRPr"],
              ["a:extLst"]]
_RPR_SLOTS = [["a:ln"], ["a:noFill", "a:solidFill", "a:gradFill", "a:blipFill", "a:pattFill",
                         "a:grpFill"], ["a:effectLst", "a:effectDag"], ["a:highlight"],
              ["a:uLnTx", "a:uLn"], ["a:uFillTx", "a:uFill"], ["a:latin"], ["a:ea"], ["a:cs"],
              ["a:sym"], ["a:hlinkClick"], ["a:hlinkMouseOver"], ["a:rtl"], ["a:extLst"]]
# never taken from the defaults: they hold relationship ids or extension data of the old deck
_NOT_CARRIED = {qn("a:extLst"), qn("a:hlinkClick"), qn("a:hlinkMouseOver"), qn("a:buBlip")}


# What a shape's p:style (fontRef) or a table style may set for its text: the defaults must not
# override it, because both rank below a text body's own list style.
_FILL_TAGS = {qn(tag) for tag in _RPR_SLOTS[1]}
_FONT_TAGS = {qn("a:latin"), qn("a:ea"), qn("a:cs")}


def carry_default_text_style(root: etree._Element, default_style: etree._Element) -> bool:
    """Give every text body that inherits from the presentation defaults (text boxes and
    shapes that are not placeholders, and table cells) the levels of ``default_style`` that it
    does not set itself. Return True when the part changed.

    Text outside placeholders takes what it does not set from ``p:defaultTextStyle`` in
    presentation.xml; moving the slide into a deck with other defaults would restyle it.
    Colours and fonts that a shape style or table style supplies are left to them.
    """
    levels = [child for child in default_style if child.tag in map(qn, _LEVELS)]
    if not levels:
        return False
    changed = False
    for body, skip_tags, skip_attributes in _inheriting_text_bodies(root):
        lst_style = body.find(qn("a:lstStyle"))
        if lst_style is None:
            lst_style = etree.Element(qn("a:lstStyle"))
            body_pr = body.find(qn("a:bodyPr"))
            if body_pr is not None:
                body_pr.addnext(lst_style)
            else:
                body.insert(0, lst_style)
        _merge_levels(lst_style, _filtered(levels, skip_tags, skip_attributes))
        changed = True
    return changed


def covers(style: etree._Element, other: etree._Element) -> bool:
    """True when ``style`` sets everything ``other`` sets (levels, their attributes and child
    slots, and those of their run properties), so text carrying ``style`` inherits nothing
    from ``other``."""
    mine = {child.tag: child for child in style}
    for level in other:
        if level.tag not in map(qn, _LEVELS):
            continue
        own = mine.get(level.tag)
        if own is None or not _covers_properties(own, level, _PPR_SLOTS):
            return False
    return True


def _covers_properties(own: etree._Element, other: etree._Element,
                       slots: list[list[str]]) -> bool:
    if not set(other.attrib) <= set(own.attrib):
        return False
    slot_of = {qn(tag): index for index, slot in enumerate(slots) for tag in slot}
    own_slots = {slot_of.get(child.tag, child.tag): child for child in own}
    for child in other:
        if child.tag in _NOT_CARRIED:
            continue
        mine = own_slots.get(slot_of.get(child.tag, child.tag))
        if mine is None:
            return False
        if child.tag == qn("a:defRPr") and not _covers_properties(mine, child, _RPR_SLOTS):
            return False
    return True


def _inheriting_text_bodies(root: etree._Element
                            ) -> list[tuple[etree._Element, set[str], set[str]]]:
    """(text body, run property tags and attributes its style supplies) of each body."""
    bodies = []
    for shape in root.iter(qn("p:sp")):
        nv_pr = shape.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}")
        is_placeholder = nv_pr is not None and nv_pr.find(qn("p:ph")) is not None
        body = shape.find(qn("p:txBody"))
        if body is None or is_placeholder:
            continue
        font_ref = shape.find(f"{qn('p:style')}/{qn('a:fontRef')}")
        skip: set[str] = set()
        if font_ref is not None:
            skip |= _FONT_TAGS if font_ref.get("idx", "none") != "none" else set()
            skip |= _FILL_TAGS if len(font_ref) else set()
        bodies.append((body, skip, set()))
    for cell in root.iter(qn("a:tc")):
        body = cell.find(qn("a:txBody"))
        if body is not None:
            bodies.append((body, _FILL_TAGS | _FONT_TAGS, {"b", "i"}))
    return bodies


def _filtered(levels: list[etree._Element], skip_tags: set[str],
              skip_attributes: set[str]) -> dict[str, etree._Element]:
    """Copies of the default levels without the run properties a style supplies."""
    filtered = {}
    for level in levels:
        duplicate = copy.deepcopy(level)
        for run_pr in duplicate.iter(qn("a:defRPr")):
            for child in list(run_pr):
                if child.tag in skip_tags:
                    run_pr.remove(child)
            for name in skip_attributes:
                run_pr.attrib.pop(name, None)
        filtered[level.tag] = duplicate
    return filtered


def _merge_levels(lst_style: etree._Element, levels: dict[str, etree._Element]) -> None:
    """Merge the default ``levels`` into ``lst_style``; what it sets itself wins."""
    present = {child.tag: child for child in lst_style}
    ordered = []
    for tag in map(qn, _LEVELS):
        own, default = present.get(tag), levels.get(tag)
        if own is not None and default is not None:
            _merge_properties(own, default, _PPR_SLOTS)
        ordered.append(own if own is not None else _carried_copy(default))
    rest = [child for child in lst_style if child.tag not in map(qn, _LEVELS)]
    for child in list(lst_style):
        lst_style.remove(child)
    for child in ordered + rest:
        if child is not None:
            lst_style.append(child)


def _carried_copy(element: etree._Element | None) -> etree._Element | None:
    if element is None:
        return None
    duplicate = copy.deepcopy(element)
    for descendant in list(duplicate.iter()):
        if descendant.tag in _NOT_CARRIED and descendant.getparent() is not None:
            descendant.getparent().remove(descendant)
    return duplicate


def _merge_properties(own: etree._Element, default: etree._Element,
                      slots: list[list[str]]) -> None:
    """Fill ``own`` with the attributes and child slots of ``default`` it lacks, in schema
    order; a ``defRPr`` both have is merged the same way one level down."""
    for name, value in default.attrib.items():
        if name not in own.attrib:
            own.set(name, value)
    slot_of = {qn(tag): index for index, slot in enumerate(slots) for tag in slot}
    own_by_slot: dict[int, list[etree._Element]] = {}
    unknown = []
    for child in own:
        if child.tag in slot_of:
            own_by_slot.setdefault(slot_of[child.tag], []).append(child)
        else:
            unknown.append(child)
    default_by_slot: dict[int, etree._Element] = {}
    for child in default:
        if child.tag in slot_of and child.tag not in _NOT_CARRIED:
            default_by_slot.setdefault(slot_of[child.tag], child)
    merged = []
    for index in range(len(slots)):
        if index in own_by_slot:
            mine = own_by_slot[index]
            theirs = default_by_slot.get(index)
            if theirs is not None and mine[0].tag == qn("a:defRPr") == theirs.tag:
                _merge_properties(mine[0], theirs, _RPR_SLOTS)
            merged.extend(mine)
        elif index in default_by_slot:
            merged.append(_carried_copy(default_by_slot[index]))
    for child in list(own):
        own.remove(child)
    # unknown children (other namespaces) stay, before the extension list at the end
    tail = [merged.pop()] if merged and merged[-1].tag == qn("a:extLst") else []
    for child in merged + unknown + tail:
        own.append(child)
