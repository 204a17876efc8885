"""Turning jinja's exceptions into deckgen TemplateErrors that name the slide, the text and the fix."""
from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from jinja2 import nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from deckgen.errors import TemplateError
from deckgen.prospect import FIELDS as PROSPECT_FIELDS
from deckgen.prospect import unknown_field_hint
from deckgen.render.environment import UndefinedMessage

_VARIABLE_HINT = "add it to the prospect's values or the recipe's variables"
_PROSPECT_HINT = "add it to the prospect file"
_SANDBOX_HINT = "slide templates may only read prospect data and recipe variables"


@dataclass(frozen=True)
class SlideLabel:
    """Where an output slide came from, for messages: library key, module file, slide number in it."""

    key: str | None = None
    module: str | None = None
    number: int | None = None      # 1-based position of the slide in its module file

    def describe(self, position: int) -> str:
        """Return e.g. "slide 4 'vp-roi' (value-props.pptx #3)" for output position 4 (1-based)."""
        text = f"slide {position}"
        if self.key:
            text += f" {self.key!r}"
        if self.module:
            text += f" ({self.module}" + (f" #{self.number}" if self.number else "") + ")"
        return text


def syntax_error(exc: TemplateSyntaxError, where: str, line_text: str) -> TemplateError:
    """Return the TemplateError for a syntax error in the paragraph (or directive) ``line_text``."""
    return TemplateError(f'template syntax error in "{line_text.strip()}": {exc.message}', where)


def dotted_path(node: nodes.Node) -> str | None:
    """Return the path a jinja expression node reads ('prospect.values.employees'), or None when
    it is not a name followed by attributes and constant subscripts."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = dotted_path(node.node)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = dotted_path(node.node)
        key = node.arg.value
        if not base:
            return None
        return f"{base}.{key}" if isinstance(key, str) and key.isidentifier() else f"{base}[{key!r}]"
    return None


def _attribute_path(env: SandboxedEnvironment, source: str, name: str) -> str | None:
    """Return the dotted path (e.g. 'prospect.logo') under which ``source`` reads attribute ``name``."""
    try:
        ast = env.parse(source)
    except TemplateSyntaxError:
        return None
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        attr = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if attr == name:
            path = dotted_path(node)
            if path:
                return path
    return None


def _template_lineno(tb: TracebackType | None) -> int | None:
    """Return the template line the exception was raised on (jinja rewrites tracebacks to show it)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def runtime_error(exc: Exception, where: str, env: SandboxedEnvironment, source: str,
                  lines: list[str] | None = None) -> TemplateError:
    """Return the TemplateError for ``exc`` raised while rendering ``source`` (an undefined
    variable, a sandbox violation, a bad filter argument or any error in template code)."""
    message = exc.args[0] if exc.args else None
    if isinstance(exc, UndefinedError) and isinstance(message, UndefinedMessage):
        name = message.name
        if message.is_attribute:
            name = _attribute_path(env, source, name) or name
        if not name.startswith("prospect."):
            return TemplateError(f"undefined variable {name!r}", where, _VARIABLE_HINT)
        field = name.split(".")[1]
        if field not in PROSPECT_FIELDS:      # a misspelt field, named as `check` names it
            return TemplateError(f"undefined variable {name!r}: '{field}' is not a prospect field", where,
                                 unknown_field_hint(field))
        return TemplateError(f"undefined variable {name!r}", where, _PROSPECT_HINT)
    lineno = _template_lineno(exc.__traceback__)
    context = ""
    if lines and lineno is not None and 1 <= lineno <= len(lines):
        context = f' in "{lines[lineno - 1].strip()}"'
    if isinstance(exc, SecurityError):
        return TemplateError(f"unsafe template code{context}: {exc}", where, _SANDBOX_HINT)
    if isinstance(exc, UndefinedError):
        return TemplateError(f"undefined value{context}: {exc}", where, _VARIABLE_HINT)
    detail = str(exc) if isinstance(exc, JinjaError) else f"{type(exc).__name__}: {exc}"
    return TemplateError(f"template error{context}: {detail}", where)
