"""The one sandbox every user-written template and expression runs in (slides, conditions, file names)."""
from __future__ import annotations

from typing import Any, Mapping

import jinja2
from jinja2.sandbox import SandboxedEnvironment


class UserSandbox(SandboxedEnvironment):
    """jinja2's sandbox, strict (undefined names fail) and unescaped (output is slide text, not HTML).

    ``a.b`` on a mapping reads key ``b`` first, so ``prospect.values`` is the prospect's values,
    not ``dict.values``. Every environment that evaluates user data derives from this class, so a
    rule for all of them (a bound, a filter) is added here once.
    """

    def __init__(self, **options: Any):
        options.setdefault("undefined", jinja2.StrictUndefined)
        options.setdefault("autoescape", False)
        super().__init__(**options)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def user_sandbox(**filters: Any) -> UserSandbox:
    """Return a new sandbox with ``filters`` added to jinja's own."""
    environment = UserSandbox()
    environment.filters.update(filters)
    return environment
