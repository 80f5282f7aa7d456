"""A standard with several mistakes is refused once, with every mistake, each in one language."""

from __future__ import annotations

import pytest

from jingzhun.standards import StandardError
from jingzhun.standards.loader import loads

DRAFT = """
id = "d"
name = "草案"
name_en = "Draft"
region = "53"
year = 2018
version = "1"
extends = "yunnan-2018"
colour = "red"

[parameters]
incidence_max = "three"

[[household]]
id = "income"
op = "=>"

[[household]]
id = "new_one"
label = "新指标"
label_en = "New"
value = "incom"
op = ">"
threshold = 1

[[village]]
id = "road"
when_null = "maybe"
"""


def test_every_mistake_is_reported_at_once():
    with pytest.raises(StandardError) as caught:
        loads(DRAFT, name="d.toml")
    assert caught.value.messages("zh") == [
        "d.toml：未知键 'colour'",
        "d.toml：parameters.incidence_max：必须是数值",
        "d.toml：户层指标 income：op：未知比较符 '=>'",
        "d.toml：户层指标 new_one：value：未知字段 'incom'",
        "d.toml：村层指标 road：when_null：只能是 met 或 unmet",
    ]
    assert caught.value.messages("en") == [
        "d.toml: unknown key 'colour'",
        "d.toml: parameters.incidence_max: must be a number",
        "d.toml: household indicator income: op: bad op; one of >, >=, <, <=, ==, !=, is_true",
        "d.toml: household indicator new_one: value: unknown field 'incom' for level household",
        "d.toml: village indicator road: when_null: must be met or unmet",
    ]
    # The command line's text: every message, the first as before.
    assert str(caught.value).startswith("d.toml: 未知键 'colour' (unknown key 'colour')\n")
    assert str(caught.value).count("\n") == 4


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_message_is_in_one_language(language):
    with pytest.raises(StandardError) as caught:
        loads(DRAFT, name="d.toml")
    for message in caught.value.messages(language):
        has_chinese = any("\u4e00" <= ch <= "\u9fff" for ch in message)
        assert has_chinese is (language == "zh"), message
