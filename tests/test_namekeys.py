import pytest

from jingzhun.namekeys import name_keys


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("张三", "zs"),
        ("曾国藩", "zgf"),
        ("曾国藩", "cgf"),
        ("单田芳", "stf"),
        ("单田芳", "dtf"),
        ("区志强", "ozq"),
        ("解放", "xf"),
    ],
)
def test_every_reading_of_a_surname_is_a_key(name, typed):
    assert typed in name_keys(name)


def test_common_reading_comes_first():
    assert name_keys("张三")[0] == "zs"


def test_keys_are_capped():
    assert len(name_keys("行行行行行行行行行行")) <= 16
