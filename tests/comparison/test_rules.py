"""Comparison rules: the shipped ruleset loads and a broken rule is named; each shipped rule has
a hit, a near miss and an edge case, evaluated on the application database (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from jingzhun.comparison.findings import evaluate
from jingzhun.comparison.loading import load_dataset
from jingzhun.standards import rules
from jingzhun.standards.errors import StandardError
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, id_number

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
    assert {r.meaning for r in ruleset.rules} == {"exclusion", "mismatch", "omission", "quality"}
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


def sheet(header: list[str], rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def county(village):
    """A registered household of four and the department files that speak of it (and of two
    persons not registered): hits, near misses and edges for every shipped rule."""
    household = HouseholdFactory(village=village)
    people = {
        "head": PersonFactory(household=household, name="李四", relation="head"),
        "spouse": PersonFactory(
            household=household, name="王芳", relation="spouse", sex="female"
        ),
        "child": PersonFactory(
            household=household, name="李小明", relation="son", schooling="senior",
            birth_date=datetime.date(2006, 3, 1),
        ),
        "worker": PersonFactory(
            household=household, name="李大", relation="son", health="healthy", labour="lost",
            birth_date=datetime.date(1990, 1, 1),
        ),
    }  # fmt: skip
    outsiders = {"poor": id_number(), "better_off": id_number(), "dead": id_number()}
    clerk = UserFactory(role="county_admin", area=village.parent.parent)
    head, spouse = people["head"].id_number, people["spouse"].id_number

    def load(kind: str, header: list[str], rows: list[list[object]]) -> None:
        result = load_dataset(
            sheet(header, rows), kind=kind, year=2019, acting_user=clerk, name=f"{kind}.xlsx"
        )
        assert result.ok, result.errors

    load(
        "deaths",
        ["证件号码", "姓名", "死亡日期", "数据来源"],
        [
            [head, "李四", "2019-05-01", "火化"],  # hit
            [spouse, "王芳", "2020-01-01", "火化"],  # edge: after the compared year
            [outsiders["dead"], "赵五", "2019-01-01", "火化"],  # not registered: nothing
        ],
    )
    load(
        "vehicles",
        ["车主证件号码", "车主姓名", "号牌号码", "车辆类型", "购置价格（元）", "初次登记日期"],
        [
            [head, "李四", "云G12345", "小型轿车", 86000, "2018-06-01"],  # hit
            [spouse, "王芳", "云G54321", "三轮汽车", 30000, "2018-06-01"],  # edge: exactly 30,000
        ],
    )
    load(
        "payroll",
        ["证件号码", "姓名", "工作单位", "人员类别"],
        [[spouse, "王芳", "县农业局", "公务员"], [head, "李四", "某村委会", "村干部"]],
    )
    load(
        "assistance",
        [
            "证件号码",
            "姓名",
            "救助类别",
            "月保障金额（元）",
            "家庭年人均收入（元）",
            "起始日期",
            "状态",
        ],
        [
            [spouse, "王芳", "低保", 300, 2500, "2017-01-01", "在保"],  # hit: not marked
            [head, "李四", "低保", 300, 2500, "2017-01-01", "停保"],  # near miss: stopped
            [outsiders["poor"], "孙六", "特困", 500, 2000, "2016-01-01", "在保"],  # omission
            [outsiders["better_off"], "周七", "低保", 300, 5000, "2016-01-01", "在保"],  # above
        ],
    )
    return people, outsiders


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


def test_the_person_input_offers_every_person_field_and_each_kind_its_columns():
    import ibis

    from jingzhun.engine.comparison import COMPARISON_TABLES, dataset_view, person_input
    from jingzhun.standards import dataset_kinds, vocabulary

    tables = {name: ibis.table(schema, name=name) for name, schema in COMPARISON_TABLES.items()}
    assert set(vocabulary.PERSON) <= set(person_input(tables, 2019).columns)
    for kind in dataset_kinds.available().values():
        columns = set(dataset_view(tables, kind, "532527").columns)
        assert set(rules.fields_of("unregistered", kind)) <= columns, kind.id
