"""The straightforward baseline: python-pptx opens each whole source file and copies slides into a new deck.

`python bench/baseline.py -o OUT.pptx a.pptx#3 a.pptx#7 b.pptx#1 ...` (same arguments as
`deckgen merge`). Two well-known ways to copy, chosen with ``--method``:

* ``copier``: the pptx-slide-copier package (`pip install pptx-slide-copier`), which imports
  layout, master and theme and reuses a master whose theme is identical;
* ``recipe``: the deep-copy recipe passed around for python-pptx (issue #132 and Q&A sites):
  add a slide on the layout of the same name, deep-copy the shapes, re-point the relationships
  (pictures become new image parts: sharing the source's part, as the recipe's first versions
  do, writes duplicate zip members).

``auto`` (default) uses the package when it is installed. The output is written like deckgen
writes its outputs (temporary file, fsync, rename).
"""
from __future__ import annotations

import argparse
import copy
import importlib.util
import io
import itertools
import sys
from pathlib import Path

from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

from deckgen.fsutil import atomic_output
from floor import parse_slide_spec

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RID_ATTRIBUTES = tuple(f"{{{_R}}}{name}" for name in ("embed", "link", "id"))


def available_method(requested: str) -> str:
    """Return the copy method to use for ``requested`` (``auto`` picks the package when installed)."""
    if requested != "auto":
        return requested
    return "copier" if importlib.util.find_spec("pptx_slide_copier") is not None else "recipe"


def merge(slide_specs: list[str], output: Path, method: str) -> int:
    """Write a deck of the given ``FILE#N`` slides to ``output``; return its slide count."""
    target = Presentation()
    runs = itertools.groupby((parse_slide_spec(spec) for spec in slide_specs), key=lambda ref: ref[0])
    for path, refs in runs:
        source = Presentation(path)  # the whole file: every part loaded, every XML part parsed
        indices = [number - 1 for _, number in refs]
        if method == "copier":
            from pptx_slide_copier import SlideCopier

            SlideCopier.copy_slides(source, target, indices)
        else:
            if len(target.slides) == 0:
                target.slide_width, target.slide_height = source.slide_width, source.slide_height
            for index in indices:
                _copy_slide_recipe(source.slides[index], target)
    with atomic_output(output) as handle:
        target.save(handle)
    return len(target.slides)


def _copy_slide_recipe(source_slide, target) -> None:
    layouts = {layout.name: layout for layout in target.slide_layouts}
    dest = target.slides.add_slide(layouts.get(source_slide.slide_layout.name, target.slide_layouts[6]))
    tree = dest.shapes._spTree
    for shape in list(dest.shapes):
        tree.remove(shape.element)
    for shape in source_slide.shapes:
        tree.insert_element_before(copy.deepcopy(shape.element), "p:extLst")
    new_rids = {}
    for rid, rel in source_slide.part.rels.items():
        if rel.reltype in (RT.SLIDE_LAYOUT, RT.NOTES_SLIDE):
            continue
        if rel.is_external:
            new_rids[rid] = dest.part.relate_to(rel.target_ref, rel.reltype, is_external=True)
        elif rel.reltype == RT.IMAGE:  # a new image part: sharing the source's clashes on its name
            new_rids[rid] = dest.part.get_or_add_image_part(io.BytesIO(rel.target_part.blob))[1]
        else:
            new_rids[rid] = dest.part.relate_to(rel.target_part, rel.reltype)
    for element in tree.iter():
        for attribute in _RID_ATTRIBUTES:
            if element.get(attribute) in new_rids:
                element.set(attribute, new_rids[element.get(attribute)])
    if source_slide.has_notes_slide:
        dest.notes_slide.notes_text_frame.text = source_slide.notes_slide.notes_text_frame.text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slides", nargs="+", metavar="FILE.pptx#N")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--method", choices=["auto", "copier", "recipe"], default="auto")
    args = parser.parse_args(argv)
    merge(args.slides, args.output, available_method(args.method))
    return 0


if __name__ == "__main__":
    sys.exit(main())
