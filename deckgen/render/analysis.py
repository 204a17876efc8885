"""Reading a deck's templates without rendering: the variables each slide needs, and its template errors."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import meta, nodes
from jinja2.exceptions import TemplateSyntaxError

from deckgen.errors import TemplateError
from deckgen.ooxml.texttemplate import MisplacedTagError, notes_template, table_template, text_frame_template
from deckgen.render.environment import DeckEnvironment, default_environment, make_environment
from deckgen.render.problems import SlideLabel, dotted_path, syntax_error
from deckgen.render.slides import directive_mismatch, directives, iter_shapes


@dataclass(frozen=True)
class _Source:
    source: str          # jinja source
    lines: list[str]     # user-visible text per source line


def _slide_sources(slide: Any) -> Iterator[_Source | tuple[str, str | None]]:
    """Yield every template source of ``slide`` (all shapes, conditional ones too, and the notes);
    problems found on the way come as (message, hint) pairs."""
    for shape in iter_shapes(slide.shapes):
        wanted = directives(shape)
        for kind, expression in (("if", wanted.condition), ("image", wanted.image), ("chart", wanted.chart)):
            if expression is not None:
                written = wanted.origin[kind]
                yield _Source("{% if " + expression + " %}{% endif %}" if kind == "if"
                              else "{{ " + expression + " }}", [written])
        mismatch = directive_mismatch(shape, wanted)
        if mismatch is not None:
            yield mismatch
        try:
            if getattr(shape, "has_text_frame", False):
                template = text_frame_template(shape.text_frame)
            elif getattr(shape, "has_table", False):
                template = table_template(shape.table)
            else:
                template = None
        except MisplacedTagError as exc:
            yield (f'{exc} in "{exc.text.strip()}"', None)
            continue
        if template is not None:
            yield _Source(template.source, template.lines)
    if slide.has_notes_slide:
        try:
            template = notes_template(slide.notes_slide)
        except MisplacedTagError as exc:
            yield (f'{exc} in "{exc.text.strip()}" (speaker notes)', None)
            return
        if template is not None:
            yield _Source(template.source, template.lines)


def template_sources(slide: Any) -> list[str]:
    """Return the jinja source of every text frame, table, notes body and shape mark of ``slide``
    (split tags merged in place), e.g. to walk their ASTs; malformed pieces are left out."""
    return [item.source for item in _slide_sources(slide) if isinstance(item, _Source)]


def _slides_of(prs_or_slide: Any) -> list[Any]:
    return list(prs_or_slide.slides) if hasattr(prs_or_slide, "slides") else [prs_or_slide]


def find_variables(prs_or_slide: Any, *, env: DeckEnvironment | None = None) -> dict[int, set[str]]:
    """Return, per slide index (0-based; a single slide is index 0), the names its templates read
    but do not define themselves (jinja2.meta.find_undeclared_variables after run merging).

    Covers text, tables, notes and `if:`/`image:`/`chart:` marks, including shapes a condition
    may remove. Sources with syntax errors are skipped (template_syntax_errors reports them).
    Split tags are merged in place in the given deck; the text a user sees is unchanged.
    """
    env = env or default_environment()
    found: dict[int, set[str]] = {}
    for index, slide in enumerate(_slides_of(prs_or_slide)):
        names: set[str] = set()
        for item in _slide_sources(slide):
            if isinstance(item, _Source):
                try:
                    names |= meta.find_undeclared_variables(env.parse(item.source))
                except TemplateSyntaxError:
                    continue
        found[index] = names
    return found


def template_syntax_errors(prs_or_slide: Any, slides: Sequence[SlideLabel] | None = None, *,
                           env: DeckEnvironment | None = None) -> list[TemplateError]:
    """Return one TemplateError per malformed template on any slide, in slide order: jinja syntax
    errors and unknown filters (naming the paragraph's text), misplaced `{%p %}`/`{%tr %}` tags,
    and `image:`/`chart:` marks on the wrong kind of shape. ``slides`` labels slides as in
    render_presentation. Nothing is rendered; split tags are merged in place.
    """
    env = env or default_environment()
    labels = list(slides or ())
    problems: list[TemplateError] = []
    for index, slide in enumerate(_slides_of(prs_or_slide)):
        where = (labels[index] if index < len(labels) else SlideLabel()).describe(index + 1)
        for item in _slide_sources(slide):
            if not isinstance(item, _Source):
                problems.append(TemplateError(item[0], where, item[1]))
                continue
            try:
                env.template(item.source)
            except TemplateSyntaxError as exc:
                line = item.lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(item.lines) else ""
                problems.append(syntax_error(exc, where, line))
    return problems


def prospect_paths(slide: Any) -> set[str]:
    """Return the ``prospect.FIELD`` (and ``prospect.values.NAME``) paths a slide's templates read."""
    env = make_environment()
    found: set[str] = set()
    for source in template_sources(slide):
        try:
            ast = env.parse(source)
        except TemplateSyntaxError:
            continue
        for node in ast.find_all(nodes.Getattr):
            path = dotted_path(node)
            if path and path.startswith("prospect."):
                found.add(".".join(path.split(".")[:3] if path.startswith("prospect.values.") else path.split(".")[:2]))
    return found
