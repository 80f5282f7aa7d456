"""Rates (percentages, shares, percentage points) as official reports print them: exactly two
decimals, rounded half up ("5.40", "39.58", "30.00"). Pure module (no Django).

Display only: stored and API values stay numbers; pages (the `rate` template filter in
core/templatetags/figures.py), explanation sentences (standards/explain.py), the command line
and the workbooks (a number cell with `RATE_NUMBER_FORMAT`) all go through here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# A workbook cell holding a percent value (5.4 under a "…（%）" header) shows "5.40".
RATE_NUMBER_FORMAT = "0.00"
_CENT = Decimal("0.01")


def rounded(value: object) -> Decimal | None:
    """The value to two decimals, half up (39.575 → 39.58, -1.005 → -1.01); None for None,
    NaN or a value that is not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        # str() first: the decimal a person typed or read (39.575), not the float's binary value.
        amount = Decimal(str(value))
    except ArithmeticError:
        return None
    if not amount.is_finite():
        return None
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def rate(value: object, empty: str = "") -> str:
    """A rate for people: two decimals always, thousands grouped ("5.40", "1,250.00"); `empty`
    when there is no value."""
    amount = rounded(value)
    if amount is None:
        return empty
    return f"{abs(amount) if amount.is_zero() else amount:,.2f}"  # never "-0.00"


def percent(part: int, whole: int) -> float | None:
    """part × 100 ÷ whole to two decimals, half up, computed exactly (1/3 → 33.33, 2/3 → 66.67);
    None when there is nothing to divide by."""
    if not whole:
        return None
    exact = Fraction(100 * part, whole)
    cents = (abs(exact) * 100 + Fraction(1, 2)).__floor__()
    return float((cents if exact >= 0 else -cents) / Decimal(100))
