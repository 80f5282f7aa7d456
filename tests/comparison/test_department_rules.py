"""The department rules added to national-2016 after the first eight: property in town, medical
insurance both ways, school enrolment (a registry mismatch and the 控辍保学 risk), disability
certificates (grade and unmarked), a dibao member of an ordinary household. Each with a hit, a
near miss and an edge, on the application database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime

import pytest

from jingzhun.comparison.findings import evaluate
from jingzhun.comparison.loading import load_dataset
from tests.comparison.conftest import sheet
from tests.factories import HouseholdFactory, PersonFactory, UserFactory

NEW = (
    "property",
    "dibao_in_ordinary_household",
    "insured_unmarked",
    "uninsured_marked_insured",
    "enrolled_not_in_school",
    "disability_grade_mismatch",
    "disabled_unmarked",
    "dropout",
)


def born(year: int, month: int = 6) -> datetime.date:
    return datetime.date(year, month, 1)


@pytest.fixture
def listed(village):
    """One ordinary household whose members the property, insurance, enrolment and disability
    lists speak of, and a dibao household (the near miss of the household-type mismatch)."""
    home = HouseholdFactory(village=village)
    p = {
        "head": PersonFactory(household=home, name="赵一", medical_insured=False),
        "spouse": PersonFactory(
            household=home, name="钱二", relation="spouse", sex="female", medical_insured=True
        ),
        "son15": PersonFactory(
            household=home, name="孙三", relation="son", birth_date=born(2004),
            medical_insured=False,
        ),
        "girl16": PersonFactory(
            household=home, name="李四", relation="daughter", sex="female",
            birth_date=born(2003), dibao=True,
        ),
        "boy10": PersonFactory(household=home, name="周五", relation="son", birth_date=born(2009)),
        "girl12": PersonFactory(
            household=home, name="吴六", relation="daughter", sex="female",
            birth_date=born(2007), schooling="primary",
        ),
        "grandson": PersonFactory(
            household=home, name="郑七", relation="grandson", birth_date=born(2011)
        ),
        "parent": PersonFactory(
            household=home, name="王八", relation="parent", birth_date=born(1945),
            health="disabled", disability_grade=2,
        ),
        "grandparent": PersonFactory(
            household=home, name="冯九", relation="grandparent", birth_date=born(1930),
            health="disabled", disability_grade=1,
        ),
    }  # fmt: skip
    dibao_home = HouseholdFactory(village=village, kind="dibao")
    p["dibao_head"] = PersonFactory(household=dibao_home, name="陈十", dibao=True)
    p["destitute"] = PersonFactory(
        household=home, name="褚十一", relation="other", destitute=True, birth_date=born(1950)
    )
    clerk = UserFactory(role="county_admin", area=village.parent.parent)

    def load(kind: str, header: list[str], rows: list[list[object]]) -> None:
        result = load_dataset(
            sheet(header, rows), kind=kind, year=2019, acting_user=clerk, name=f"{kind}.xlsx"
        )
        assert result.ok, result.errors

    n = {key: person.id_number for key, person in p.items()}
    load(
        "property",
        ["权利人证件号码", "权利人姓名", "房屋类型", "建筑面积（平方米）", "坐落", "登记日期"],
        [
            [n["head"], "赵一", "商品房", 96.5, "泸西县城区锦华苑3幢", "2019-12-31"],  # hit, edge
            [n["spouse"], "钱二", "安置房", 80, "安置点", "2018-01-01"],  # near miss: relocation
            [n["spouse"], "钱二", "商铺", 40, "泸西县城区商业街", "2020-01-01"],  # after the year
        ],
    )
    load(
        "insurance",
        ["证件号码", "姓名", "参保年度", "参加基本医疗保险"],
        [
            [n["head"], "赵一", 2019, "是"],  # hit: registered uninsured
            [n["spouse"], "钱二", 2019, "否"],  # hit of the other rule: registered insured
            [n["girl12"], "吴六", 2019, "是"],  # near miss: both say insured
            [n["son15"], "孙三", 2018, "是"],  # edge: another year's list
        ],
    )
    load(
        "enrolment",
        ["学生证件号码", "学生姓名", "学校名称", "学段", "学籍状态", "学年"],
        [
            [n["son15"], "孙三", "某乡中学", "初中", "辍学", 2019],  # dropout hit: 15, the edge
            [n["girl16"], "李四", "某乡中学", "初中", "辍学", 2019],  # near miss: 16
            [n["boy10"], "周五", "某村小学", "小学", "在读", 2019],  # hit: registered not in school
            [n["girl12"], "吴六", "某村小学", "小学", "在读", 2019],  # near miss: registered pupil
            [n["grandson"], "郑七", "某村小学", "小学", "在读", 2018],  # edge: last year's roll
        ],
    )
    load(
        "disability",
        ["证件号码", "姓名", "残疾类别", "残疾等级"],
        [
            [n["parent"], "王八", "肢体", 3],  # hit: registered grade 2
            [n["grandparent"], "冯九", "视力", 1],  # near miss: the same grade
            [n["head"], "赵一", "听力", 4],  # hit of disabled_unmarked (and no grade to differ)
        ],
    )
    return p


@pytest.mark.django_db
def test_each_department_rule_finds_its_hit_and_not_its_near_miss_or_edge(listed):
    names = {person.pk: key for key, person in listed.items()}

    findings = evaluate("national-2016", year=2019, only=NEW)

    assert {(f.rule.id, names[f.person_id]) for f in findings} == {
        ("property", "head"),
        ("insured_unmarked", "head"),
        ("uninsured_marked_insured", "spouse"),
        ("enrolled_not_in_school", "boy10"),
        ("dropout", "son15"),
        ("disability_grade_mismatch", "parent"),
        ("disabled_unmarked", "head"),
        ("dibao_in_ordinary_household", "girl16"),
    }
    said = {f.rule.id: f.sentence for f in findings}
    assert said["property"] == (
        "成员 赵* 名下有商品房（泸西县城区锦华苑3幢，96.5 平方米，2019-12-31 登记）"
    )
    assert said["dropout"] == "成员 孙* 15 岁，某乡中学初中学籍为辍学（2019学年）"
    assert said["disability_grade_mismatch"] == "成员 王* 残疾人证为肢体3级，登记为2级"
    assert said["disabled_unmarked"] == (
        "成员 赵* 持残疾人证（听力4级），登记健康状况为健康，未标注残疾等级"
    )
    assert said["dibao_in_ordinary_household"] == "成员 李* 登记享受低保，所在户属性为一般贫困户"
    assert said["enrolled_not_in_school"] == (
        "成员 周* 在某村小学小学在读（2019学年），登记为非在校生"
    )
    english = {f.rule.id: f.sentence_en for f in findings}
    assert english["insured_unmarked"] == (
        "Member 赵* is insured for 2019 per healthcare security but registered as uninsured"
    )
    assert all(f.row_id for f in findings if f.rule.dataset)


@pytest.mark.django_db
def test_the_compared_year_moves_the_year_bound_rules(listed):
    names = {person.pk: key for key, person in listed.items()}
    later = evaluate("national-2016", year=2020, only=NEW)
    found = {(f.rule.id, names[f.person_id]) for f in later}
    # Bought in 2020: a finding of 2020; the 2019 lists are not the 2020 ones.
    assert ("property", "spouse") in found
    assert not {r for r, _ in found} & {
        "insured_unmarked",
        "uninsured_marked_insured",
        "enrolled_not_in_school",
        "dropout",
    }


@pytest.mark.django_db
def test_payroll_names_the_relation(county):
    people, _ = county
    (finding,) = evaluate("national-2016", year=2019, only=("payroll",))
    assert finding.person_id == people["spouse"].pk
    assert finding.sentence == "成员 王*（配偶）为财政供养人员（县农业局，公务员）"
    assert finding.sentence_en.startswith("Member 王* (") and "on the public payroll" in (
        finding.sentence_en
    )


@pytest.mark.django_db
def test_duckdb_finds_what_the_database_finds(listed):
    """Through the comparison's DuckDB snapshot: the same findings and sentences."""

    def shown(findings: list) -> list[tuple]:
        return [(f.rule.id, f.person_id, f.row_id, f.sentence, f.sentence_en) for f in findings]

    on_db = evaluate("national-2016", year=2019, only=NEW)
    assert len(on_db) == 8
    assert shown(evaluate("national-2016", year=2019, only=NEW, engine="duckdb")) == shown(on_db)
