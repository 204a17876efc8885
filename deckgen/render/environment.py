"""The jinja2 environment for slide templates: sandboxed, strict, unescaped, with a compiled-template cache."""
from __future__ import annotations

from typing import Any, Callable

from jinja2 import StrictUndefined, Template
from jinja2.utils import missing, object_type_repr

from deckgen.ooxml.texttemplate import strip_structure_marks
from deckgen.render.filters import FILTERS
from deckgen.sandbox import UserSandbox, time_limit

# Batches render the same library slides again and again: keep each distinct source compiled.
_CACHE_LIMIT = 20_000


class UndefinedMessage(str):
    """An undefined-value message that remembers the missing name and whether it was an attribute."""

    name: str
    is_attribute: bool


class _StrictUndefined(StrictUndefined):
    """StrictUndefined whose error message carries the missing name for deckgen's own message."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:            # e.g. the sandbox's "access to attribute ... is unsafe"
            return self._undefined_hint
        if self._undefined_obj is missing:
            message = UndefinedMessage(f"undefined variable {self._undefined_name!r}")
            message.is_attribute = False
        else:
            message = UndefinedMessage(
                f"{object_type_repr(self._undefined_obj)} has no attribute {self._undefined_name!r}")
            message.is_attribute = True
        message.name = str(self._undefined_name)
        return message


def _finalize(value: Any) -> Any:
    """Turn each `{{ }}` result into slide text: None is empty, marks the frame uses are removed."""
    if value is None:
        return ""
    return strip_structure_marks(value if isinstance(value, str) else str(value))


class DeckEnvironment(UserSandbox):
    """The user sandbox with deckgen's filters, its own undefined messages and a compile cache.

    ``template(source)`` and ``expression(source)`` compile each distinct string once.
    """

    def __init__(self) -> None:
        super().__init__(undefined=_StrictUndefined, autoescape=False, finalize=_finalize,
                         keep_trailing_newline=True)
        self.filters.update(FILTERS)
        self.bound_filters()
        self._templates: dict[str, Template] = {}
        self._expressions: dict[str, Callable[..., Any]] = {}

    def template(self, source: str) -> Template:
        """Return ``source`` compiled (cached); raises jinja2.TemplateSyntaxError."""
        compiled = self._templates.get(source)
        if compiled is None:
            if len(self._templates) >= _CACHE_LIMIT:
                self._templates.clear()
            with time_limit():      # jinja2 folds constants while compiling
                compiled = self._templates[source] = self.from_string(source)
        return compiled

    def expression(self, source: str) -> Callable[..., Any]:
        """Return ``source`` compiled as one expression (cached); undefined results stay Undefined."""
        compiled = self._expressions.get(source)
        if compiled is None:
            if len(self._expressions) >= _CACHE_LIMIT:
                self._expressions.clear()
            with time_limit():
                compiled = self._expressions[source] = self.compile_expression(source, undefined_to_none=False)
        return compiled


def make_environment() -> DeckEnvironment:
    """Return a new environment for rendering slide templates (see docs/formats.md "Slide templates")."""
    return DeckEnvironment()


_default: DeckEnvironment | None = None


def default_environment() -> DeckEnvironment:
    """Return the process-wide environment, so batches share one template cache."""
    global _default
    if _default is None:
        _default = make_environment()
    return _default
