"""`when:` conditions of recipes and library metadata: jinja2 expressions, sandboxed and strict."""
from __future__ import annotations

import functools
from typing import Any, Callable, Mapping

import jinja2

from deckgen.sandbox import LimitExceeded, call_bounded, time_limit, user_sandbox

# Prospect values reach expressions only as data in the context; nothing here renders them.
_ENV = user_sandbox()


class ConditionError(ValueError):
    """A condition that does not parse or cannot be evaluated; the message says why."""


@functools.lru_cache(maxsize=512)
def _compiled(text: str) -> Callable[..., Any]:
    try:
        with time_limit():      # jinja2 folds constants while compiling
            return _ENV.compile_expression(text, undefined_to_none=False)
    except jinja2.TemplateSyntaxError as exc:
        raise ConditionError(f"condition {text!r} is not a valid expression: {exc.message}") from exc
    except jinja2.exceptions.SecurityError as exc:
        raise ConditionError(f"condition {text[:200]!r} is not allowed: {exc}") from exc


def check_condition(condition: Any) -> str | None:
    """Return why ``condition`` (text or true/false) is unusable, or None when it parses."""
    if isinstance(condition, bool):
        return None
    if not isinstance(condition, str) or not condition.strip():
        return "a condition must be an expression such as \"prospect.segment == 'smb'\""
    try:
        expression = _compiled(condition)
    except ConditionError as exc:
        return str(exc)
    try:
        # constant parts run without a prospect, so `check` meets a bound that a build would
        call_bounded(expression)
    except LimitExceeded as exc:
        return f"condition {condition[:200]!r} is not allowed: {exc}"
    except Exception:  # noqa: BLE001 - it needs the prospect's values: judged when evaluated
        pass
    return None


def evaluate_condition(condition: str | bool, context: Mapping[str, Any]) -> bool:
    """Return the truth of ``condition`` over ``context``; raise ConditionError naming the failure."""
    if isinstance(condition, bool):
        return condition
    expression = _compiled(condition)
    try:
        return bool(call_bounded(expression, **context))
    except jinja2.UndefinedError as exc:
        raise ConditionError(f"condition {condition!r} uses something undefined: {exc.message}") from exc
    except jinja2.exceptions.SecurityError as exc:
        raise ConditionError(f"condition {condition!r} is not allowed: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - any failure of user-written code is the user's to fix
        raise ConditionError(f"condition {condition!r} failed: {exc.__class__.__name__}: {exc}") from exc
