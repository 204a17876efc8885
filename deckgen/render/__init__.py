"""Personalisation: the sandboxed, strict jinja2 environment and filling an assembled deck from a context.

Public API (docs/formats.md, "Slide templates"):

- ``make_environment()`` -> a SandboxedEnvironment (StrictUndefined, no autoescape, deckgen filters)
- ``render_presentation(prs, slides, context)`` personalises every slide of a python-pptx deck
- ``render_slide(slide, context, where=...)`` does one slide
- ``find_variables(prs_or_slide)`` -> {slide index: names the templates read}, for linters
- ``template_syntax_errors(prs_or_slide, slides)`` -> [TemplateError], for linters
- ``template_sources(slide)`` -> the jinja source of each template piece of a slide, for linters
- ``SlideLabel(key, module, number)`` names an output slide in messages
"""
from __future__ import annotations

from deckgen.render.analysis import find_variables, template_sources, template_syntax_errors
from deckgen.render.environment import DeckEnvironment, make_environment
from deckgen.render.filters import money, number, percent, slug
from deckgen.render.problems import SlideLabel
from deckgen.render.slides import render_presentation, render_slide

__all__ = [
    "DeckEnvironment",
    "SlideLabel",
    "find_variables",
    "make_environment",
    "money",
    "number",
    "percent",
    "render_presentation",
    "render_slide",
    "slug",
    "template_sources",
    "template_syntax_errors",
]
