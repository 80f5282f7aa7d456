import pytest
from hypothesis import given
from hypothesis import strategies as st

from jingzhun import areacodes


@pytest.mark.parametrize(
    ("code", "level", "prefix", "parent"),
    [
        ("530000000000", "province", "53", None),
        ("532500000000", "city", "5325", "530000000000"),
        ("532527000000", "county", "532527", "532500000000"),
        ("532527100000", "township", "532527100", "532527000000"),
        ("532527100201", "village", "532527100201", "532527100000"),
    ],
)
def test_levels_prefixes_and_parents(code, level, prefix, parent):
    assert areacodes.level_of(code) == level
    assert areacodes.prefix(code) == prefix
    assert areacodes.parent_code(code) == parent


def test_short_codes_are_padded():
    assert areacodes.pad("532527") == "532527000000"


@pytest.mark.parametrize("bad", ["53x527", "5325271002011234"])
def test_bad_codes_are_refused(bad):
    with pytest.raises(ValueError, match="invalid area code"):
        areacodes.pad(bad)


def test_names_come_from_the_stdnum_table():
    assert areacodes.county_names("532527") == ("云南省", "红河哈尼族彝族自治州", "泸西县")


@given(
    scope=st.text(alphabet="0123456789", min_size=1, max_size=12),
    code=st.text(alphabet="0123456789", min_size=12, max_size=12),
)
def test_prefix_range_holds_exactly_the_codes_that_start_with_the_prefix(scope, code):
    low, high = areacodes.prefix_range(scope)
    assert (low <= code < high) == code.startswith(scope)
