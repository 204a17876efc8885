"""The one sandbox every user-written template and expression runs in (slides, conditions, file
names), with bounds on size and time (limits: docs/limits.md).

jinja2's SandboxedEnvironment keeps templates away from Python internals but not from the
machine's memory and time: ``10**(10**10)`` is folded while compiling, ``'x' * 10**10`` and
``'x'|center(10**10)`` allocate gigabytes, nested loops run for hours. Here arithmetic that makes
huge numbers or sequences is refused before it runs, every filter and call is checked on its
arguments and result, template output is capped while it is produced, and (in the main thread) a
timer ends an evaluation that runs longer than EVALUATION_SECONDS.
"""
from __future__ import annotations

import contextlib
import functools
import re
import signal
import threading
from typing import Any, Callable, Iterator, Mapping

import jinja2
from jinja2 import Template
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_INT_BITS = 4096                 # about 1,200 decimal digits
MAX_LENGTH = 1_000_000              # characters of text, items of a list, per value
MAX_OUTPUT = 4_000_000              # characters one template may produce
MAX_FORMAT_WIDTH = 10_000           # width/precision in '%10s' and '{:>10}'
MAX_WORK = 50_000_000               # characters and items made by one evaluation, in all
EVALUATION_SECONDS = 5.0            # one expression or template, compile and run

# filters whose extra arguments are values, not sizes (``default(5000000)`` is fine)
_VALUE_FILTERS = frozenset({"default", "d", "replace", "money", "number", "percent"})
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\d+|\*)?(?:\.(\d+|\*))?")
_BRACE_FIELD = re.compile(r"\{[^{}]*\}")
_DIGITS = re.compile(r"\d+")


class LimitExceeded(SecurityError):
    """An expression or template went past one of the sandbox's bounds."""


def _refuse(what: str) -> LimitExceeded:
    return LimitExceeded(f"{what} (limits: docs/limits.md)")


_state = threading.local()     # depth of nested bounded blocks, and the work done in the outer one


def check_value(value: Any) -> Any:
    """Return ``value`` when it is within the size bounds (also counting it against the work of
    the current evaluation, so many values of allowed size cannot add up); raise LimitExceeded."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise _refuse(f"a number with more than {MAX_INT_BITS} bits")
    elif isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        size = len(value)
        if size > MAX_LENGTH:
            raise _refuse(f"a value longer than {MAX_LENGTH:,} characters or items")
        _state.work = getattr(_state, "work", 0) + size
        if _state.work > MAX_WORK:
            _state.work = 0
            raise _refuse(f"an evaluation that makes more than {MAX_WORK:,} characters or items")
    return value


def _check_size_argument(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_LENGTH:
        raise _refuse(f"a size or count argument over {MAX_LENGTH:,}")


def _check_format(text: str, percent: bool) -> None:
    if percent:
        specs = [group for match in _PERCENT_SPEC.finditer(text) for group in match.groups() if group]
        if "*" in specs:
            raise _refuse("a '*' width in a % format")
        numbers = specs
    else:
        numbers = [n for field in _BRACE_FIELD.findall(text) for n in _DIGITS.findall(field)]
    for number in numbers:
        if len(number) > 6 or int(number) > MAX_FORMAT_WIDTH:
            raise _refuse(f"a format width over {MAX_FORMAT_WIDTH:,}")


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else None


def _checked_binop(op: str, left: Any, right: Any) -> None:
    """Refuse ``left op right`` when its result would pass a bound, before computing it."""
    if op == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            # a lower estimate of the result's bits; check_value catches the few bits it misses
            if (left.bit_length() - 1) * right > MAX_INT_BITS:
                raise _refuse(f"a power with more than {MAX_INT_BITS} bits")
    elif op == "*":
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise _refuse(f"a product with more than {MAX_INT_BITS} bits")
        for sequence, count in ((left, right), (right, left)):
            size = _length(sequence)
            if size is not None and isinstance(count, int) and size * max(count, 0) > MAX_LENGTH:
                raise _refuse(f"a repeated value longer than {MAX_LENGTH:,}")
    elif op == "+":
        if _length(left) is not None and _length(right) is not None \
                and _length(left) + _length(right) > MAX_LENGTH:
            raise _refuse(f"a value longer than {MAX_LENGTH:,}")
    elif op == "%" and isinstance(left, str):
        _check_format(left, percent=True)


class UserSandbox(SandboxedEnvironment):
    """jinja2's sandbox, strict (undefined names fail), unescaped (output is slide text, not HTML)
    and bounded: arithmetic that makes huge numbers or sequences is refused, every filter and call
    is checked on its arguments and result (the intercepted operators are also what keeps jinja2
    from folding them at compile time).

    ``a.b`` on a mapping reads key ``b`` first, so ``prospect.values`` is the prospect's values,
    not ``dict.values``. Every environment that evaluates user data derives from this class, so a
    rule for all of them (a bound, a filter) is added here once. Subclasses that add filters call
    ``bound_filters()`` afterwards.
    """

    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(self, **options: Any):
        options.setdefault("undefined", jinja2.StrictUndefined)
        options.setdefault("autoescape", False)
        super().__init__(**options)
        self.bound_filters()

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def bound_filters(self) -> None:
        """Wrap every filter not yet wrapped so its arguments and result are checked."""
        for name, func in list(self.filters.items()):
            if not getattr(func, "_deckgen_bounded", False):
                self.filters[name] = _bounded_filter(name, func)

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        _checked_binop(operator_name, left, right)
        return check_value(self.binop_table[operator_name](left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        target = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str) and getattr(target, "__name__", "") in ("format", "format_map"):
            _check_format(owner, percent=False)
        for argument in (*args, *kwargs.values()):
            _check_size_argument(argument)
        return check_value(SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs))


def user_sandbox(**filters: Any) -> UserSandbox:
    """Return a new sandbox with ``filters`` added to jinja's own (bounded like them)."""
    environment = UserSandbox()
    environment.filters.update(filters)
    environment.bound_filters()
    return environment


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    skip = 2 if getattr(func, "jinja_pass_arg", None) is not None else 1   # context/env, value

    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        if name not in _VALUE_FILTERS:
            for argument in (*args[skip:], *kwargs.values()):
                _check_size_argument(argument)
        if name == "format" and len(args) >= skip and isinstance(args[skip - 1], str):
            _check_format(args[skip - 1], percent=True)
        return check_value(func(*args, **kwargs))

    bounded._deckgen_bounded = True      # type: ignore[attr-defined]
    return bounded


# -- time ---------------------------------------------------------------------------------------

class EvaluationTimeout(LimitExceeded):
    """An expression or template ran longer than EVALUATION_SECONDS."""


@contextlib.contextmanager
def time_limit(seconds: float = EVALUATION_SECONDS) -> Iterator[None]:
    """One bounded evaluation: its work count starts at zero, and in the main thread (where
    signals are delivered) a timer ends it with EvaluationTimeout after ``seconds``; elsewhere the
    size and work bounds still apply. Nested blocks belong to the outer one."""
    depth = getattr(_state, "depth", 0)
    if depth == 0:
        _state.work = 0
    arm = depth == 0 and threading.current_thread() is threading.main_thread() \
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    previous = None
    if arm:
        def expire(signum: int, frame: Any) -> None:
            raise EvaluationTimeout(f"took longer than {seconds:g} s (limits: docs/limits.md)")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    _state.depth = depth + 1
    try:
        yield
    finally:
        _state.depth = depth
        if arm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def render_bounded(template: Template, context: Mapping[str, Any]) -> str:
    """Render ``template`` with ``context`` within the time bound, refusing output past MAX_OUTPUT."""
    with time_limit():
        pieces = []
        total = 0
        for piece in template.generate(context):
            total += len(piece)
            if total > MAX_OUTPUT:
                raise _refuse(f"template output over {MAX_OUTPUT:,} characters")
            pieces.append(piece)
        return "".join(pieces)


def call_bounded(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Return ``function(*args, **kwargs)`` (a compiled expression) run within the time bound."""
    with time_limit():
        return check_value(function(*args, **kwargs))


__all__ = ["EvaluationTimeout", "LimitExceeded", "UserSandbox", "call_bounded", "check_value",
           "render_bounded", "time_limit", "user_sandbox"]
