from decimal import Decimal

import pytest

from jingzhun import povertylines


def test_lines_come_from_the_data_file():
    assert povertylines.line(2018) == Decimal("2995")
    assert povertylines.line(2020) == Decimal("4000")


def test_later_years_use_the_last_line_and_earlier_years_fail():
    assert povertylines.line(2024) == Decimal("4000")
    with pytest.raises(KeyError):
        povertylines.line(2000)
