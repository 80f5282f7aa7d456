"""Cell parsers: what is written to a workbook reads back as the same value."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jingzhun.registry.excel.columns import HOUSEHOLDS, PERSONS
from jingzhun.workbook import cells

MONEY = st.decimals(
    min_value=Decimal("-9999999999.99"),
    max_value=Decimal("9999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(MONEY)
def test_a_decimal_reads_back_from_its_float_cell_and_its_text(value):
    assert cells.parse_decimal(float(value)) == value
    assert cells.parse_decimal(str(value)) == value


@given(st.booleans())
def test_a_boolean_reads_back_from_its_label(value):
    column = HOUSEHOLDS.column("relocated")
    assert cells.parse_cell(cells.format_cell(value, column), column) is value


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_a_date_reads_back_from_a_date_cell_and_iso_text(day):
    assert cells.parse_date(day) == day
    assert cells.parse_date(day.isoformat()) == day
    assert cells.parse_date(datetime.datetime.combine(day, datetime.time())) == day


@given(st.sampled_from([code for code, _label in PERSONS.column("relation").choices]))
def test_a_choice_reads_back_from_its_label_and_its_code(code):
    column = PERSONS.column("relation")
    assert cells.parse_cell(cells.format_cell(code, column), column) == code
    assert cells.parse_cell(code.upper(), column) == code


@given(st.sets(st.sampled_from([code for code, _l in HOUSEHOLDS.column("other_causes").choices])))
def test_several_choices_read_back_sorted(codes):
    column = HOUSEHOLDS.column("other_causes")
    stored = ",".join(sorted(codes))
    written = cells.format_cell(stored, column)
    assert cells.parse_cell(written, column) == (stored if codes else "")


@pytest.mark.parametrize(
    ("value", "message"),
    [("1.234", "最多2位小数"), ("abc", "应为数字"), (True, "应为数字")],
)
def test_bad_decimals_are_refused(value, message):
    with pytest.raises(cells.CellError, match=message):
        cells.parse_decimal(value)


def test_a_phone_typed_as_a_number_keeps_its_digits():
    assert cells.text(13800001234.0) == "13800001234"
