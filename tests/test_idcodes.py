import contextlib
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jingzhun import idcodes, masking

places = st.sampled_from(["110101", "532527", "440106", "530102"])
dates = st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(2020, 12, 31))


@given(places, dates, st.integers(0, 499), st.booleans())
def test_made_numbers_parse_back(place, born, seq, female):
    number = idcodes.make(place, born, seq, female=female)
    facts = idcodes.parse(number)
    assert facts.birth_date == born
    assert facts.sex == ("female" if female else "male")
    assert facts.birthplace_code == place


@given(places, dates, st.integers(0, 499), st.booleans(), st.integers(0, 16), st.data())
def test_any_single_digit_change_is_rejected(place, born, seq, female, position, data):
    number = idcodes.make(place, born, seq, female=female)
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    changed = number[:position] + digit + number[position + 1 :]
    assert not idcodes.is_valid(changed)


@given(
    places,
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(1999, 12, 31)),
    st.integers(0, 999),
)
def test_fifteen_digit_numbers_become_valid_eighteen(place, born, order):
    old = f"{place}{born:%y%m%d}{order:03d}"
    new = idcodes.normalise(old)
    assert len(new) == 18
    assert idcodes.parse(new).birth_date == born


@given(st.text(max_size=25))
def test_parse_never_raises_anything_but_id_number_error(text):
    with contextlib.suppress(idcodes.IdNumberError):
        idcodes.parse(text)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "不能为空"),
        ("12345", "18位"),
        ("532527198013010011", "出生日期无效"),
        ("532527198001010010", "校验位错误"),
    ],
)
def test_rejections_name_the_reason(value, message):
    with pytest.raises(idcodes.IdNumberError, match=message):
        idcodes.parse(value)


def test_lower_case_x_and_spaces_are_normalised():
    number = idcodes.make("110101", datetime.date(1990, 1, 1), 3, female=False)
    assert idcodes.normalise(" " + number.lower() + " ") == number


@given(places, dates, st.integers(0, 499), st.booleans())
def test_masked_id_hides_the_birth_date_and_is_idempotent(place, born, seq, female):
    number = idcodes.make(place, born, seq, female=female)
    masked = masking.mask_id_number(number)
    assert len(masked) == 18
    assert masked[6:14] == "********"
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert masking.mask_id_number(masked) == masked
