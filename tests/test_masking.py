import re

from hypothesis import given
from hypothesis import strategies as st

from jingzhun import masking

phones = st.from_regex(r"1[3-9]\d{9}", fullmatch=True)
names = st.text(alphabet="张王李曾欧阳小明芳华", min_size=1, max_size=5)


@given(phones)
def test_phone_keeps_three_and_four_digits_only(phone):
    masked = masking.mask_phone(phone)
    assert masked == phone[:3] + "****" + phone[-4:]
    assert not re.search(r"1[3-9]\d{9}", masked)
    assert masking.mask_phone(masked) == masked


@given(names)
def test_name_keeps_surname_and_hides_given_name(name):
    masked = masking.mask_name(name)
    assert len(masked) == len(name)
    assert masked[0] == name[0]
    if len(name) >= 2:
        assert "*" in masked
    assert masking.mask_name(masked) == masked


def test_name_examples():
    assert masking.mask_name("张三") == "张*"
    assert masking.mask_name("王小明") == "王*明"
    assert masking.mask_name("欧阳娜娜") == "欧**娜"


@given(st.from_regex(r"\d{16,19}", fullmatch=True))
def test_account_keeps_four_and_four(account):
    masked = masking.mask_account(account)
    assert masked[:4] == account[:4] and masked[-4:] == account[-4:]
    assert masked.count("*") == len(account) - 8


def test_empty_values_mask_to_empty():
    for mask in (
        masking.mask_id_number,
        masking.mask_phone,
        masking.mask_name,
        masking.mask_account,
    ):
        assert mask(None) == "" and mask("") == ""
