"""Writing a text box's shrink-on-overflow state (``a:normAutofit`` fontScale/lnSpcReduction)."""
from __future__ import annotations

from lxml import etree

from deckgen.ooxml.names import qn

_AUTOFIT_TAGS = (qn("a:noAutofit"), qn("a:normAutofit"), qn("a:spAutoFit"))


def set_shrink(slide: etree._Element, shape_id: int, font_scale: float, line_reduction: float) -> bool:
    """Store the scale PowerPoint would show a shrink-on-overflow box at: ``font_scale`` (1.0 =
    none) and ``line_reduction`` (0.0 = none) on shape ``shape_id`` of ``slide``'s XML.

    PowerPoint recomputes these only when the text is edited, so a deck opens with what is
    stored. A box that inherits shrinking from its layout gets its own ``a:normAutofit``.
    Returns False when the slide has no such text shape.
    """
    for c_nv_pr in slide.iter(qn("p:cNvPr")):
        if c_nv_pr.get("id") != str(shape_id):
            continue
        shape = c_nv_pr.getparent().getparent()
        body_pr = shape.find(f"{qn('p:txBody')}/{qn('a:bodyPr')}")
        if body_pr is None:
            return False
        for old in [child for child in body_pr if child.tag in _AUTOFIT_TAGS]:
            body_pr.remove(old)
        autofit = etree.Element(qn("a:normAutofit"))
        if font_scale < 1.0:
            autofit.set("fontScale", str(round(font_scale * 100000)))
        if line_reduction > 0.0:
            autofit.set("lnSpcReduction", str(round(line_reduction * 100000)))
        warp = body_pr.find(qn("a:prstTxWarp"))
        if warp is not None:
            warp.addnext(autofit)
        else:
            body_pr.insert(0, autofit)
        return True
    return False
