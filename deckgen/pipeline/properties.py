"""What a built deck says about itself: its document properties, its notes/hidden policies, its build time."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, Mapping

import jinja2

from deckgen.clock import build_time
from deckgen.config import ProjectConfig, check_policy
from deckgen.errors import ConfigError
from deckgen.ooxml import DocumentProperties
from deckgen.render import DeckEnvironment, make_environment

_MAX_PROPERTY = 1000     # characters; a property is a line in File > Info, not a document
_environment: DeckEnvironment | None = None

__all__ = ["OutputPolicy", "build_time", "document_properties"]


@dataclass(frozen=True)
class OutputPolicy:
    """Whether a deck keeps speaker notes and hidden slides."""

    notes: str
    hidden: str

    @property
    def keep_notes(self) -> bool:
        return self.notes == "keep"

    @property
    def keep_hidden(self) -> bool:
        return self.hidden == "keep"

    @classmethod
    def of(cls, config: ProjectConfig, *, notes: str | None = None, hidden: str | None = None) -> OutputPolicy:
        """The policy given (command line, API) else the project's ``output.notes``/``output.hidden``."""
        return cls(notes=check_policy("notes", notes) or config.deck.notes,
                   hidden=check_policy("hidden", hidden) or config.deck.hidden)


def document_properties(config: ProjectConfig, recipe_title: str, recipe: str,
                        prospect: Mapping[str, Any], when: datetime.datetime) -> DocumentProperties:
    """The deck's own properties: ``output.title``/``subject``/``keywords`` templates from
    deckgen.yaml (default: "RECIPE TITLE – COMPANY", "Prepared for COMPANY", the prospect's
    segment and industry), author and company from config, created = modified = ``when``."""
    deck = config.deck
    context = {"prospect": prospect, "recipe": recipe, "recipe_title": recipe_title}
    company = prospect.get("company") or ""
    keywords = ", ".join(str(value) for value in (prospect.get("segment"), prospect.get("industry")) if value)
    return DocumentProperties(
        title=_render(deck.title, "title", context, f"{recipe_title} \u2013 {company}" if company else recipe_title),
        subject=_render(deck.subject, "subject", context, f"Prepared for {company}" if company else ""),
        keywords=_render(deck.keywords, "keywords", context, keywords),
        author=deck.author, company=deck.company, created=when, modified=when)


def _render(template: str | None, key: str, context: Mapping[str, Any], default: str) -> str:
    if template is None:
        return _property_text(default)
    try:
        global _environment
        _environment = _environment or make_environment()
        text = _environment.template(template).render(context)
    except jinja2.TemplateError as exc:
        raise ConfigError(f"output.{key} in deckgen.yaml fails for this prospect: {exc.message}",
                          hint="fix the template, or give the prospect the field it reads") from exc
    return _property_text(text)


def _property_text(text: str) -> str:
    """A property value XML can hold: control characters from data dropped, whitespace collapsed,
    length capped."""
    return " ".join(_NOT_XML.sub("", text).split())[:_MAX_PROPERTY]


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
