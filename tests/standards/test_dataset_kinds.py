"""Department dataset kinds: the shipped ones load; a broken file is named with its column and
key."""

from __future__ import annotations

import pytest

from jingzhun.standards import dataset_kinds
from jingzhun.standards.errors import StandardError

SHIPPED = {
    "assistance", "businesses", "deaths", "disability", "enrolment", "insurance", "payroll",
    "property", "vehicles",
}  # fmt: skip

GOOD = """
id = "sample"
name = "样例"
name_en = "Sample"
department = "某局"
department_en = "Some bureau"
person_key = "id_number"

[[columns]]
name = "id_number"
header = "证件号码"
header_en = "ID number"
slot = "id_number"
required = true

[[columns]]
name = "price"
header = "价格"
header_en = "Price"
slot = "amount"
"""


def test_every_shipped_kind_loads_with_its_person_key():
    kinds = dataset_kinds.available()
    assert set(kinds) == SHIPPED
    for kind in kinds.values():
        slots = kind.by_slot()
        assert all(slot in slots for slot in kind.key_slots), kind.id
        assert slots["id_number"].required, kind.id
        assert all(c.header and c.header_en for c in kind.columns), kind.id


def test_a_column_knows_its_type_from_its_slot():
    vehicles = dataset_kinds.load("vehicles")
    assert vehicles.column("purchase_price").type == "number"
    assert vehicles.column("registered_on").type == "date"
    assert "小型轿车" in vehicles.column("vehicle_type").choices


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('slot = "amount"', 'slot = "amount9"'),
            "sample.toml: 列 price: slot: 未知存储列 'amount9'",
        ),
        (('person_key = "id_number"', 'person_key = "phone"'), "sample.toml: person_key: 应为"),
        (('person_key = "id_number"', 'person_key = "name_birth_area"'), "缺少存储列 name 的列"),
        (('name = "price"', 'name = "id_number"'), "sample.toml: 列 id_number: name: 重复"),
        (('header = "价格"', 'header = "证件号码"'), "header: 重复 '证件号码'"),
        (('name = "price"', 'name = "Price"'), "列 Price: name: 应为小写英文标识"),
        (('slot = "amount"', 'slot = "amount"\nchoices = ["一"]'), "choices: 只用于文本列"),
        (('department = "某局"', 'department = "某局"\nowner = "x"'), "未知的键 ['owner']"),
        (('id = "sample"', 'id = "sample'), "sample.toml: TOML 格式错误"),
        (('department_en = "Some bureau"', ""), "缺少 department_en"),
    ],
)
def test_a_broken_kind_is_named(change, message):
    with pytest.raises(StandardError) as refused:
        dataset_kinds.loads(GOOD.replace(*change), "sample.toml")
    assert message in str(refused.value)


def test_the_sample_loads():
    kind = dataset_kinds.loads(GOOD, "sample.toml")
    assert [c.slot for c in kind.columns] == ["id_number", "amount"]
