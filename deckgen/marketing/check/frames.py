"""Check rule on conditional pictures: a picture that may be removed must not leave an empty frame behind."""
from __future__ import annotations

from typing import Any

from pptx.shapes.autoshape import Shape
from pptx.shapes.group import GroupShape

from deckgen.problems import WARNING, Location
from deckgen.render.slides import directives, is_picture, iter_shapes

_COVERED = 0.6     # share of the picture's area a shape beneath must hold to count as its frame


class FrameRules:
    """Rule "empty-frame": a picture marked ``logo``, ``image:`` or ``if:`` (or a group holding one
    under an ``if:``) is removed when its prospect has no value for it, and the card or box it
    sits on would stay behind, empty."""

    def check_frames(self, slide: Any, where: Location) -> None:
        self._check_tree(slide.shapes, where)

    def _check_tree(self, shapes: Any, where: Location) -> None:
        members = list(shapes)
        for index, shape in enumerate(members):
            mark = _removal_mark(shape)
            if mark is not None:
                for frame in members[:index]:          # earlier siblings are drawn beneath it
                    if _is_empty_frame(frame) and _covers(frame, shape) and _removal_mark(frame) != mark:
                        self.add(WARNING, "empty-frame", where,
                                 f"{_describe(shape)} is removed when {_why(mark)}, leaving shape "
                                 f"'{frame.name}' beneath it empty",
                                 f"group '{frame.name}' with the picture (and its label) and give the group "
                                 f"the alt text 'if: {_condition(mark)}'")
            if isinstance(shape, GroupShape) and mark is None:
                self._check_tree(shape.shapes, where)


def _removal_mark(shape: Any) -> str | None:
    """The mark that may remove ``shape`` (``if:`` text, or the image expression), else None."""
    wanted = directives(shape)
    if wanted.condition is not None and (is_picture(shape) or _holds_picture(shape)):
        return f"if:{wanted.condition}"
    if wanted.image is not None and is_picture(shape):
        return f"image:{wanted.image}"
    return None


def _holds_picture(shape: Any) -> bool:
    return isinstance(shape, GroupShape) and any(is_picture(member) for member in iter_shapes(shape.shapes))


def _is_empty_frame(shape: Any) -> bool:
    """An auto shape (card, box, outline) with no text: decoration that only makes sense around something."""
    return isinstance(shape, Shape) and not (shape.has_text_frame and shape.text_frame.text.strip())


def _covers(frame: Any, shape: Any) -> bool:
    if None in (frame.left, frame.top, frame.width, frame.height, shape.left, shape.top, shape.width, shape.height):
        return False
    left, top = max(frame.left, shape.left), max(frame.top, shape.top)
    right = min(frame.left + frame.width, shape.left + shape.width)
    bottom = min(frame.top + frame.height, shape.top + shape.height)
    overlap = max(0, right - left) * max(0, bottom - top)
    area = shape.width * shape.height
    return area > 0 and overlap >= _COVERED * area and frame.width * frame.height >= area


def _describe(shape: Any) -> str:
    return f"{'group' if isinstance(shape, GroupShape) else 'picture'} '{shape.name}'"


def _why(mark: str) -> str:
    kind, expression = mark.split(":", 1)
    if kind == "if":
        return f"'{expression}' is false"
    return f"'{expression}' is empty"


def _condition(mark: str) -> str:
    return mark.split(":", 1)[1]
