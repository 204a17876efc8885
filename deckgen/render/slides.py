"""Personalising an assembled deck: text, tables, notes, pictures, charts and conditional shapes per slide."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Undefined
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from pptx.shapes.group import GroupShape
from pptx.shapes.picture import Picture
from pptx.shapes.placeholder import PicturePlaceholder

from deckgen.errors import TemplateError
from deckgen.ooxml.shapes import remove_shape, shape_name_and_alt_text, shapes_to_render
from deckgen.ooxml.texttemplate import MisplacedTagError, TextTemplate, notes_template, table_template, text_frame_template
from deckgen.render.environment import DeckEnvironment, default_environment
from deckgen.render.media import ImageRefusal, MediaCache, fill_chart, place_image
from deckgen.render.problems import SlideLabel, runtime_error, syntax_error
from deckgen.sandbox import call_bounded, render_bounded
from deckgen.ooxml.pptx_private import table_row_heights

_DIRECTIVE_RE = re.compile(r"^(image|chart|if)\s*:\s*(\S.*)$", re.S)
_LOGO = "logo"                       # shorthand for image:prospect.logo
_LOGO_EXPRESSION = "prospect.logo"


@dataclass(frozen=True)
class Directives:
    """What a shape's name and alt text ask for: a condition, an image or chart expression."""

    condition: str | None = None     # alt text `if:EXPR`
    image: str | None = None         # name or alt text `image:EXPR` (or `logo`)
    chart: str | None = None         # name or alt text `chart:EXPR`
    origin: dict[str, str] | None = None   # directive kind -> the text it was written as

    @property
    def any(self) -> bool:
        return bool(self.condition or self.image or self.chart)


_NO_DIRECTIVES = Directives()


def may_carry_marks(name: str, alt_text: str) -> bool:
    """Return False when a shape's name and alt text certainly hold no `if:`/`image:`/`chart:` mark."""
    return bool(alt_text) or ":" in name or name.strip() == _LOGO


def is_picture(shape: Any) -> bool:
    """Return True for a picture or an empty picture placeholder."""
    return isinstance(shape, (Picture, PicturePlaceholder))


def directives(shape: Any) -> Directives:
    """Return the directives written in ``shape``'s name or alt text (alt text lines win over the name)."""
    name, alt_text = shape_name_and_alt_text(shape)
    if not may_carry_marks(name, alt_text):
        return _NO_DIRECTIVES
    found: dict[str, str] = {}
    origin: dict[str, str] = {}
    alt_lines = [line.strip() for line in alt_text.splitlines()]
    for text, from_alt in [(line, True) for line in alt_lines] + [(name.strip(), False)]:
        if text == _LOGO and "image" not in found and is_picture(shape):
            found["image"], origin["image"] = _LOGO_EXPRESSION, text
            continue
        m = _DIRECTIVE_RE.match(text)
        if not m or m.group(1) in found:
            continue
        kind = m.group(1)
        if kind == "if" and not from_alt:
            continue
        found[kind], origin[kind] = m.group(2).strip(), text
    return Directives(found.get("if"), found.get("image"), found.get("chart"), origin or None)


def directive_mismatch(shape: Any, wanted: Directives) -> tuple[str, str] | None:
    """Return (message, hint) for an `image:` mark on a non-picture or a `chart:` mark on a non-chart."""
    if wanted.image is not None and not is_picture(shape):
        return (f"shape {shape.name!r} is marked {wanted.origin['image']!r} but is not a picture",
                "use a picture or a picture placeholder")
    if wanted.chart is not None and not getattr(shape, "has_chart", False):
        return (f"shape {shape.name!r} is marked {wanted.origin['chart']!r} but is not a chart",
                "use a native PowerPoint chart")
    return None


def iter_shapes(shapes: Any) -> Iterator[Any]:
    """Yield every shape of a shape tree, group members included (a group before its members)."""
    for shape in list(shapes):
        yield shape
        if isinstance(shape, GroupShape):
            yield from iter_shapes(shape.shapes)


class _SlideRenderer:
    def __init__(self, env: DeckEnvironment, context: Mapping[str, Any], where: str, media: MediaCache):
        self.env = env
        self.context = context
        self.where = where
        self.media = media
        self.filled: set[int] = set()     # ids of the text shapes that received template output

    def evaluate(self, expression: str, written_as: str) -> Any:
        source = "{{ " + expression + " }}"
        try:
            compiled = self.env.expression(expression)
        except TemplateSyntaxError as exc:
            raise syntax_error(exc, self.where, written_as) from exc
        except SecurityError as exc:    # a bound met while folding constants
            raise runtime_error(exc, self.where, self.env, source, [written_as]) from exc
        try:
            value = call_bounded(compiled, self.context)
            if isinstance(value, Undefined):
                value._fail_with_undefined_error()
            return value
        except Exception as exc:  # noqa: BLE001 - any error in template code is the template's
            raise runtime_error(exc, self.where, self.env, source, [written_as]) from exc

    def render_text(self, make_template: Any, target: Any) -> bool:
        """Render one text frame or table; return True when it held template text."""
        try:
            template: TextTemplate | None = make_template(target)
        except MisplacedTagError as exc:
            raise TemplateError(f'{exc} in "{exc.text.strip()}"', self.where) from exc
        if template is None:
            return False
        try:
            compiled = self.env.template(template.source)
        except TemplateSyntaxError as exc:
            raise syntax_error(exc, self.where, template.line_text(exc.lineno)) from exc
        except SecurityError as exc:    # a bound met while folding constants
            raise runtime_error(exc, self.where, self.env, template.source, template.lines) from exc
        try:
            rendered = render_bounded(compiled, self.context)
        except Exception as exc:  # noqa: BLE001 - any error in template code is the template's
            raise runtime_error(exc, self.where, self.env, template.source, template.lines) from exc
        try:
            template.apply(rendered)
        except MisplacedTagError as exc:
            raise TemplateError(str(exc), self.where) from exc
        return True

    def shapes(self, shapes: Any) -> None:
        for shape in shapes_to_render(shapes, may_carry_marks):
            self.shape(shape)

    def shape(self, shape: Any) -> None:
        wanted = directives(shape)
        if wanted.condition is not None:
            if not self.evaluate(wanted.condition, wanted.origin["if"]):
                remove_shape(shape)
                return
        if isinstance(shape, GroupShape):
            self.shapes(shape.shapes)
            return
        mismatch = directive_mismatch(shape, wanted)
        if mismatch is not None:
            raise TemplateError(mismatch[0], self.where, mismatch[1])
        if wanted.image is not None:
            value = self.evaluate(wanted.image, wanted.origin["image"])
            if value is None or value == "":
                remove_shape(shape)      # no image for this prospect: no placeholder art either
                return
            place_image(shape, value, self.where, self.media)
        if wanted.chart is not None:
            fill_chart(shape, self.evaluate(wanted.chart, wanted.origin["chart"]), self.where)
        if getattr(shape, "has_text_frame", False):
            if self.render_text(text_frame_template, shape.text_frame):
                self.filled.add(shape.shape_id)
        elif getattr(shape, "has_table", False):
            rows_before = len(table_row_heights(shape.table))
            if self.render_text(table_template, shape.table):
                heights = table_row_heights(shape.table)
                if len(heights) != rows_before:
                    # PowerPoint grows a table's frame itself, LibreOffice and python-pptx readers do not
                    shape.height = sum(heights)


def render_slide(slide: Any, context: Mapping[str, Any], *, where: str = "slide",
                 env: DeckEnvironment | None = None, media: MediaCache | None = None) -> set[int]:
    """Personalise one python-pptx slide in place and return the ids of the text shapes that
    received template output; errors are TemplateErrors starting with ``where``.

    ``media`` shares images already read and embedded with the deck's other slides.
    """
    renderer = _SlideRenderer(env or default_environment(), context, where, media or MediaCache())
    renderer.shapes(slide.shapes)
    if slide.has_notes_slide:
        renderer.render_text(notes_template, slide.notes_slide)
    return renderer.filled


def render_presentation(prs: Any, slides: Sequence[SlideLabel] | None, context: Mapping[str, Any], *,
                        env: DeckEnvironment | None = None,
                        image_refusal: ImageRefusal | None = None) -> list[set[int]]:
    """Personalise every slide of python-pptx presentation ``prs`` in place with ``context``;
    return, per slide, the ids of the text shapes that received template output.

    ``slides[i]`` names output slide i in error messages ("slide 4 'vp-roi' (value-props.pptx #3)").
    Raises TemplateError (a DeckgenError) for an undefined variable, a syntax error, unsafe template
    code or unusable image/chart data; the deck is then half rendered and must not be saved.
    ``image_refusal`` says why an image file a template names may not be read (None: any may).
    """
    env = env or default_environment()
    values = dict(context)
    labels = list(slides or ())
    media = MediaCache(image_refusal)
    filled = []
    for index, slide in enumerate(prs.slides):
        label = labels[index] if index < len(labels) else SlideLabel()
        filled.append(render_slide(slide, values, where=label.describe(index + 1), env=env, media=media))
    return filled
