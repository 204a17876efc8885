"""The jinja filters slide templates use to format prospect data: money, number, percent, slug."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from jinja2 import Undefined, pass_context
from jinja2.exceptions import FilterArgumentError
from jinja2.runtime import Context

_LARGEST = Decimal(10) ** 21     # beyond it rounding to cents needs more digits than Decimal keeps
_SCALES = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


def _as_decimal(value: Any, filter_name: str) -> Decimal:
    """Return ``value`` as a Decimal; numbers and numeric strings ("1,250,000") are accepted."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()     # report the missing variable, not a type problem
    if isinstance(value, bool) or value is None:
        raise FilterArgumentError(f"the {filter_name} filter needs a number, got {value!r}")
    amount = None
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, (int, float)):
        amount = Decimal(str(value))
    elif isinstance(value, str):
        try:
            amount = Decimal(value.replace(",", "").strip())
        except InvalidOperation:
            pass
    if amount is None:
        raise FilterArgumentError(f"the {filter_name} filter needs a number, got {_short(value)}")
    if not amount.is_finite() or abs(amount) >= _LARGEST:
        raise FilterArgumentError(f"the {filter_name} filter needs a finite number below 10^21, "
                                  f"got {_short(value)}")
    return amount


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _rounded(value: Decimal, decimals: int) -> Decimal:
    # half-up, as people round, rather than Python's round-half-even
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _trimmed(value: Decimal, decimals: int) -> str:
    """Format with thousands separators and at most ``decimals`` places, dropping trailing zeros."""
    text = f"{_rounded(value, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@pass_context
def money(context: Context, value: Any, currency: str | None = None) -> str:
    """1250000 -> "$1.25M", 2000000000 -> "$2B", 45000 -> "$45,000", 12.5 -> "$12.50".

    The symbol is ``currency`` when given, else the template variable ``currency``, else "$".
    """
    amount = _as_decimal(value, "money")
    symbol = currency if currency is not None else context.get("currency", "$")
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    for scale, suffix in _SCALES:
        if _rounded(amount / scale, 2) >= 1:
            return f"{sign}{symbol}{_trimmed(amount / scale, 2)}{suffix}"
    if amount == amount.to_integral_value() or amount >= 1000:
        return f"{sign}{symbol}{_rounded(amount, 0):,.0f}"
    return f"{sign}{symbol}{_rounded(amount, 2):,.2f}"


def number(value: Any, decimals: int | None = None) -> str:
    """12000 -> "12,000"; 3.14159 -> "3.14"; number(2.5, 2) -> "2.50" (fixed places when given)."""
    amount = _as_decimal(value, "number")
    if decimals is None:
        return _trimmed(amount, 2)
    return f"{_rounded(amount, int(decimals)):,.{int(decimals)}f}"


def percent(value: Any, decimals: int = 0) -> str:
    """A fraction as a percentage: 0.42 -> "42%", percent(0.4251, 1) -> "42.5%"."""
    amount = _as_decimal(value, "percent") * 100
    return f"{_rounded(amount, int(decimals)):,.{int(decimals)}f}%"


def slug(value: Any) -> str:
    """"Globex Corporation (EU)" -> "globex-corporation-eu": lowercase ASCII words joined by '-'.

    A name without Latin letters or digits gets a stable "id-" and 10 hex digits of its hash.
    """
    original = str(value)
    text = unicodedata.normalize("NFKD", original).encode("ascii", "ignore").decode("ascii")
    result = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not result and original.strip():
        # a name with no Latin letters ("株式会社") still needs a file name, the same on every run
        digest = hashlib.sha256(original.strip().encode("utf-8", "surrogatepass")).hexdigest()
        result = f"id-{digest[:10]}"
    return result


FILTERS = {"money": money, "number": number, "percent": percent, "slug": slug}
