"""Rates as official reports print them: two decimals, half up (jingzhun.rates)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jingzhun.rates import percent, rate, rounded


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (5.4, "5.40"),
        (39.575, "39.58"),  # half up, as officials round (not to even, not the float's 39.57499…)
        (39.565, "39.57"),
        (0.005, "0.01"),
        (30, "30.00"),
        (0, "0.00"),
        (100.0, "100.00"),
        (42.857142857, "42.86"),
        (Decimal("2.445"), "2.45"),
        (-1.005, "-1.01"),
        (1250.5, "1,250.50"),
    ],
)
def test_rate_has_exactly_two_decimals(value, shown):
    assert rate(value) == shown


def test_no_rate():
    assert [rate(v) for v in (None, float("nan"), "n/a", True)] == ["", "", "", ""]
    assert rate(None, empty="—") == "—"
    assert rounded(None) is None and rounded(5.4) == Decimal("5.40")


def test_percent_is_exact_and_half_up():
    assert [percent(1, 3), percent(2, 3), percent(3, 7), percent(19, 48)] == [
        33.33,
        66.67,
        42.86,
        39.58,
    ]
    # 1 of 8,000 is 0.0125 %: half up to 0.01, and 1 of 800 = 0.125 % to 0.13 (not 0.12).
    assert (percent(1, 8000), percent(1, 800), percent(0, 5), percent(5, 5)) == (
        0.01,
        0.13,
        0.0,
        100.0,
    )
    assert percent(3, 0) is None
