"""Comparison rules: the shipped ruleset loads and a broken rule is named; each shipped rule has
a hit, a near miss and an edge case, evaluated on the application database (SQLite and
PostgreSQL)."""

from __future__ import annotations

import pytest

from jingzhun.comparison.findings import evaluate
from jingzhun.standards import rules
from jingzhun.standards.errors import StandardError

RULE = """
id = "draft"
name = "草稿"
name_en = "Draft"
version = "1"

[[rule]]
id = "vehicle"
label = "车辆"
label_en = "Vehicle"
meaning = "exclusion"
severity = "high"
subject = "person"
dataset = "vehicles"
step = "核实"
sentence = "成员 {person_name} 购置价 {purchase_price} 元"

[[rule.when]]
value = "purchase_price"
op = ">"
threshold = 30000
"""


def test_the_shipped_ruleset_loads():
    ruleset = rules.load("national-2016")
    assert ruleset.parameters["vehicle_price_max"] == 30000
    assert {r.meaning for r in ruleset.rules} == {
        "exclusion",
        "mismatch",
        "omission",
        "quality",
        "risk",
    }
    quality = rules.load("quality-2016")
    assert {r.meaning for r in quality.rules} == {"quality"}
    assert {r.subject for r in quality.rules} == {"person", "household"}
    assert all(r.dataset is None for r in quality.rules)  # the registry alone
    assert ruleset.rule("vehicle").fields == (
        "purchase_price",
        "person_name",
        "vehicle_type",
        "plate",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('value = "purchase_price"', 'value = "price"'),
            "规则 vehicle: when[1]: value: 未知字段 'price'",
        ),
        (('op = ">"', 'op = "in"'), "when[1]: in 只能用于单个文本字段"),
        (('dataset = "vehicles"', 'dataset = "cars"'), "dataset: 未知数据类型 'cars'"),
        (
            ('subject = "person"\ndataset = "vehicles"', 'subject = "unregistered"'),
            "unregistered 规则需要数据类型",
        ),
        (("{purchase_price} 元", "{price} 元"), "sentence: 未知占位符 ['price']"),
        (('op = ">"\nthreshold = 30000', 'op = "is_true"'), "is_true 只能用于布尔字段"),
        (("threshold = 30000", 'threshold = "vehicle_max"'), "threshold: 未知参数 'vehicle_max'"),
        (('meaning = "exclusion"', 'meaning = "bad"'), "meaning: 应为"),
        (('op = ">"', 'op = "~"'), "op: 未知比较符 '~'"),
    ],
)
def test_a_broken_rule_is_named(change, message):
    with pytest.raises(StandardError) as refused:
        rules.loads(RULE.replace(*change), "draft.toml")
    assert "draft.toml: " in str(refused.value) and message in str(refused.value)


@pytest.mark.django_db
def test_every_shipped_rule_finds_its_hit_and_not_its_near_miss(county):
    people, outsiders = county
    ids = {p.pk: name for name, p in people.items()}

    findings = evaluate("national-2016", year=2019)

    found = {(f.rule.id, ids.get(f.person_id, f.values.get("name"))) for f in findings}
    assert found == {
        ("deceased", "head"),
        ("payroll", "spouse"),
        ("vehicle", "head"),
        ("dibao_unmarked", "spouse"),
        ("dibao_not_registered", "孙六"),
        ("young_in_senior_school", "child"),
        ("healthy_without_labour", "worker"),
    }
    vehicle = next(f for f in findings if f.rule.id == "vehicle")
    assert vehicle.sentence == "成员 李* 名下小型轿车（云G12345），购置价 86,000 元，超过 30,000 元"
    assert vehicle.household_id == people["head"].household_id and vehicle.row_id
    deceased = next(f for f in findings if f.rule.id == "deceased")
    assert deceased.sentence == "成员 李* 已于 2019-05-01 死亡（火化），仍登记在户"
    assert deceased.sentence_en == "Member 李* died on 2019-05-01 (火化) and is still registered"
    omitted = next(f for f in findings if f.rule.id == "dibao_not_registered")
    assert omitted.person_id is None and omitted.sentence.startswith(
        "孙*（特困，家庭年人均收入 2,000 元）"
    )
    young = next(f for f in findings if f.rule.id == "young_in_senior_school")
    assert young.sentence == "成员 李*明 13 岁，在校生状况为高中"


@pytest.mark.django_db
def test_the_year_and_the_area_bound_the_findings(county, other_village):
    people, _ = county
    later = {(f.rule.id, f.person_id) for f in evaluate("national-2016", year=2020)}
    assert ("deceased", people["spouse"].pk) in later  # died in 2020
    elsewhere = evaluate("national-2016", year=2019, prefix=other_village.parent_id[:9])
    assert [f for f in elsewhere if f.person_id] == []
    only = evaluate("national-2016", year=2019, only=("vehicle",))
    assert [f.rule.id for f in only] == ["vehicle"]


@pytest.mark.django_db
def test_the_command_lists_the_findings_per_rule(county, capsys):
    from django.core.management import call_command

    call_command("compare", "--year", "2019", "--rule", "vehicle", "--rule", "payroll")

    out = capsys.readouterr().out
    assert "vehicle\t家庭成员名下有购置价超过3万元的机动车（不符合条件）：1 条" in out
    assert "名下小型轿车（云G12345），购置价 86,000 元" in out
    assert "payroll\t家庭成员为财政供养人员（不符合条件）：1 条" in out
    assert "李四" not in out and "王芳" not in out  # names masked
    assert out.strip().endswith("共 2 条")


def test_the_inputs_offer_every_person_and_household_field_and_each_kind_its_columns():
    import ibis

    from jingzhun.engine.comparison import COMPARISON_TABLES, dataset_view, person_input
    from jingzhun.standards import dataset_kinds, vocabulary
    from jingzhun.standards.compiler import household_input

    tables = {name: ibis.table(schema, name=name) for name, schema in COMPARISON_TABLES.items()}
    person = person_input(tables, 2019)
    assert set(vocabulary.PERSON) <= set(person.columns)
    assert set(vocabulary.HOUSEHOLD_FACTS) == set(household_input(person).columns)
    for kind in dataset_kinds.available().values():
        columns = set(dataset_view(tables, kind, "532527").columns)
        assert set(rules.fields_of("unregistered", kind)) <= columns, kind.id
