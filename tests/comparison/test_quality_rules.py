"""The data-quality checks over the registry alone (`quality-2016`, reference.md §4.4): each rule
with a hit, a near miss and an edge, on the application database (SQLite and PostgreSQL); what
the database cannot hold (two heads, no birth date): test_quality_rules_engines.py."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jingzhun.comparison.findings import evaluate
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory

pytestmark = pytest.mark.django_db
YEAR = 2019


def born(age: int) -> datetime.date:
    """Aged `age` on 31 December of YEAR."""
    return datetime.date(YEAR - age, 6, 1)


@pytest.fixture
def make(village):
    """make(tag, members=[{...}], **household) → the household; `tags` maps household and person
    ids to the tags of their test ("hit", "near", "edge" …)."""
    tags: dict[tuple[str, int], str] = {}

    def build(tag: str, members: list[dict], **household: object) -> object:
        home = HouseholdFactory(village=village, **household)
        tags[("h", home.pk)] = tag
        for n, fields in enumerate(members):
            fields = dict(fields)
            shown = fields.pop("tag", tag if n == 0 else f"{tag}{n}")
            person = PersonFactory(household=home, **{"relation": "son", **fields})
            tags[("p", person.pk)] = shown
        return home

    build.tags = tags
    return build


def found(rule: str, make, by: str = "h") -> set[str]:
    findings = evaluate("quality-2016", year=YEAR, only=(rule,))
    assert all(f.rule.id == rule for f in findings)
    if by == "h":
        return {make.tags[("h", f.household_id)] for f in findings}
    return {make.tags[("p", f.person_id)] for f in findings}


HEAD = {"relation": "head"}


def test_illness_cause_without_a_sick_member(make):
    make("hit", [HEAD, {"relation": "spouse", "sex": "female"}], main_cause="illness")
    make("near", [HEAD, {"health": "chronic"}], main_cause="illness")
    make("other_cause", [HEAD], main_cause="land")
    # Disabled is not ill: a household of the healthy and the disabled, 因病, is flagged.
    make("edge", [HEAD, {"health": "disabled", "disability_grade": 2}], main_cause="illness")
    assert found("illness_cause_without_sick", make) == {"hit", "edge"}
    (finding,) = [
        f
        for f in evaluate("quality-2016", year=YEAR, only=("illness_cause_without_sick",))
        if make.tags[("h", f.household_id)] == "hit"
    ]
    assert finding.sentence == "户主 张* 户主要致贫原因为因病，2 名成员中无长期慢性病或大病患者"
    assert make.tags[("p", finding.person_id)] == "hit"  # the head names the household


def test_disability_cause_without_a_disabled_member(make):
    make("hit", [HEAD, {"health": "serious"}], main_cause="disability")
    make("near", [HEAD, {"health": "disabled", "disability_grade": 1}], main_cause="disability")
    # A grade registered on a member marked healthy still counts as disabled: not flagged.
    make("edge", [HEAD, {"disability_grade": 4}], main_cause="disability")
    assert found("disability_cause_without_disabled", make) == {"hit"}


def test_schooling_cause_without_a_student(make):
    make("hit", [HEAD, {"birth_date": born(17)}], main_cause="schooling")
    make("near", [HEAD, {"schooling": "junior", "birth_date": born(13)}], main_cause="schooling")
    make("edge", [HEAD, {"schooling": "preschool", "birth_date": born(4)}], main_cause="schooling")
    assert found("schooling_cause_without_student", make) == {"hit"}


def test_dibao_household_without_a_dibao_member(make):
    make("hit", [HEAD, {}], kind="dibao")
    make("near", [HEAD, {"dibao": True}], kind="dibao")
    # A destitute member is not a dibao member.
    make("edge", [{**HEAD, "destitute": True}], kind="dibao")
    make("ordinary", [HEAD], kind="ordinary")
    assert found("dibao_household_without_dibao_member", make) == {"hit", "edge"}
    (finding,) = [
        f
        for f in evaluate("quality-2016", year=YEAR, only=("dibao_household_without_dibao_member",))
        if make.tags[("h", f.household_id)] == "hit"
    ]
    assert finding.sentence == "户主 张* 户属性为低保贫困户，2 名成员均未标注享受低保"


def test_destitute_household_with_a_labourer_of_working_age(make):
    old = {**HEAD, "birth_date": born(70)}
    make("hit", [old, {"birth_date": born(40)}], kind="destitute")
    make("near", [old, {"birth_date": born(66)}, {"birth_date": born(40), "labour": "partial"}],
         kind="destitute")  # fmt: skip
    make("edge", [old, {"birth_date": born(65), "labour": "skilled"}], kind="destitute")
    make("ordinary", [old, {"birth_date": born(40)}], kind="ordinary")
    assert found("destitute_household_with_labourer", make) == {"hit", "edge"}


def test_a_household_needs_exactly_one_head(make):
    make("hit", [{"relation": "son"}, {"relation": "daughter", "sex": "female"}])
    make("near", [HEAD, {"relation": "son"}])
    make("edge", [HEAD])  # a household of one: its head
    assert found("head_count", make) == {"hit"}
    (finding,) = evaluate("quality-2016", year=YEAR, only=("head_count",))
    assert finding.sentence == "张* 所在户 2 名成员中登记户主 0 名（应为 1 名）"
    assert make.tags[("p", finding.person_id)] == "hit"  # no head: its first member


def test_head_and_spouse_of_one_sex(make):
    make("hit", [HEAD, {"relation": "spouse", "sex": "male"}])
    make("near", [HEAD, {"relation": "spouse", "sex": "female"}])
    make("edge", [{**HEAD, "sex": "female"}, {"relation": "spouse", "sex": "female"}])
    make("no_spouse", [HEAD, {"relation": "son"}])
    assert found("same_sex_spouse", make) == {"hit", "edge"}


def test_relation_that_contradicts_the_sex(make):
    make("h", [
        {**HEAD, "tag": "head"},
        {"relation": "son", "sex": "female", "tag": "hit"},
        {"relation": "son", "sex": "male", "tag": "near"},
        {"relation": "daughter_in_law", "sex": "male", "tag": "edge"},  # 之儿媳 male
        {"relation": "parent", "sex": "female", "tag": "parent"},  # names no sex
    ])  # fmt: skip
    assert found("relation_sex_conflict", make, by="p") == {"hit", "edge"}
    sentences = {
        f.sentence for f in evaluate("quality-2016", year=YEAR, only=("relation_sex_conflict",))
    }
    assert "成员 张* 与户主关系为之子，性别登记为女" in sentences


def test_migrant_work_logic(make):
    make("h", [
        {**HEAD, "tag": "head"},
        {"labour": "lost", "work_status": "in_county", "work_months": 6, "tag": "no_labour"},
        {"labour": "partial", "work_status": "in_county", "work_months": 6, "tag": "partial"},
        {"labour": "none", "tag": "none_at_home"},
        {"work_status": "in_province", "work_months": 0, "tag": "zero_months"},
        {"work_status": "none", "work_months": 3, "tag": "months_at_home"},
        {"work_status": "out_of_province", "work_months": 12, "tag": "twelve"},
        {"work_status": "out_of_province", "work_months": 13, "tag": "thirteen"},
    ])  # fmt: skip
    assert found("migrant_without_labour", make, by="p") == {"no_labour"}
    assert found("work_without_months", make, by="p") == {"zero_months"}
    assert found("months_without_work", make, by="p") == {"months_at_home"}
    assert found("work_months_out_of_range", make, by="p") == {"thirteen"}  # 12 is allowed


def test_the_year_income(make):
    hit = make("hit", [HEAD], entry_year=2015)
    near = make("near", [HEAD], entry_year=2015)
    IncomeFactory(household=near, year=YEAR)
    make("later", [HEAD], entry_year=YEAR + 1)  # edge: registered after the year
    make("applicant", [HEAD], entry_year=YEAR, status="applicant")  # edge: still applying
    make("this_year", [HEAD], entry_year=YEAR)  # registered in the year: its income is due
    IncomeFactory(household=hit, year=YEAR - 1)  # last year's income is not this year's
    assert found("income_missing", make) == {"hit", "this_year"}

    negative = make("negative", [HEAD])
    zero = make("zero", [HEAD])
    IncomeFactory(household=negative, year=YEAR, wage_income=0, operating_income=0,
                  operating_expenses=Decimal("3000"))  # fmt: skip
    IncomeFactory(household=zero, year=YEAR, wage_income=0, operating_income=0,
                  operating_expenses=0)  # fmt: skip
    assert found("income_negative", make) == {"negative"}  # 0 is not negative
    (finding,) = evaluate("quality-2016", year=YEAR, only=("income_negative",))
    assert finding.sentence == "户主 张* 户当年人均纯收入为 -1,000 元"


def test_id_numbers_empty_or_not_18_characters(make):
    make("h", [
        {**HEAD, "tag": "near"},
        {"id_number": "", "tag": "hit"},
        {"id_number": "532527800101001", "tag": "edge"},  # 15 digits: to be upgraded
    ])  # fmt: skip
    assert found("id_number_malformed", make, by="p") == {"hit", "edge"}
    sentences = {
        f.sentence for f in evaluate("quality-2016", year=YEAR, only=("id_number_malformed",))
    }
    assert sentences == {
        "成员 张* 证件号码为 0 位（应为 18 位）",
        "成员 张* 证件号码为 15 位（应为 18 位）",
    }
    assert found("birth_date_missing", make, by="p") == set()  # the database requires one


def test_duckdb_finds_what_the_database_finds(make):
    """Through the comparison's DuckDB snapshot (engine "duckdb"): the same findings, sentences
    included, as on the application database — the snapshot carries the new person columns."""
    make("h1", [HEAD, {"relation": "spouse", "sex": "male"}], main_cause="illness", kind="dibao")
    make("h2", [
        {"relation": "son", "sex": "female", "labour": "lost", "work_status": "in_county",
         "work_months": 13, "id_number": ""},
    ], main_cause="schooling", kind="destitute")  # fmt: skip
    negative = make("h3", [HEAD], main_cause="disability")
    IncomeFactory(household=negative, year=YEAR, operating_expenses=Decimal("30000"))
    # The new columns reach the snapshot: other_causes, the income items, empty codes.
    home = make("h4", [
        {**HEAD, "health": "", "dibao": True},
        {"birth_date": born(20), "schooling": "primary", "labour": "none"},
        {"birth_date": born(30), "labour": ""},
    ], main_cause="labour", other_causes="capital,labour")  # fmt: skip
    IncomeFactory(household=home, year=YEAR, wage_income=0, operating_expenses=0,
                  dibao_income=Decimal("600"), destitute_income=Decimal("300"))  # fmt: skip

    def shown(findings: list) -> list[tuple]:
        return [(f.rule.id, f.household_id, f.person_id, f.sentence) for f in findings]

    on_db = evaluate("quality-2016", year=YEAR)
    assert len({f.rule.id for f in on_db}) >= 20
    assert {
        "secondary_cause_same_as_main", "health_missing", "labour_missing",
        "old_in_primary_school", "ordinary_household_with_dibao_member",
        "operating_income_without_expenses", "dibao_and_destitute_income",
        "ordinary_household_with_assistance_income",
    } <= {f.rule.id for f in on_db}  # fmt: skip
    assert shown(evaluate("quality-2016", year=YEAR, engine="duckdb")) == shown(on_db)


def test_a_secondary_cause_that_repeats_the_main_one(make):
    make("hit", [HEAD], main_cause="illness", other_causes="capital,illness")
    make("near", [HEAD], main_cause="illness", other_causes="capital,skills")
    make("none", [HEAD], main_cause="illness", other_causes="")
    make("spaced", [HEAD], main_cause="labour", other_causes="capital, labour")  # spaces ignored
    # A whole code, never a part of one: "island" does not list "land".
    make("edge", [HEAD], main_cause="land", other_causes="island,water")
    assert found("secondary_cause_same_as_main", make) == {"hit", "spaced"}
    (finding, _) = evaluate("quality-2016", year=YEAR, only=("secondary_cause_same_as_main",))
    assert finding.sentence == "户主 张* 户主要致贫原因为因病，其他致贫原因中又填报了该项"
    assert finding.sentence_en == (
        "Household of 张*: main cause Illness, listed again among the secondary causes"
    )


def test_an_ordinary_household_with_a_dibao_member(make):
    make("hit", [HEAD, {"dibao": True}], kind="ordinary")
    make("near", [HEAD, {}], kind="ordinary")
    make("dibao", [HEAD, {"dibao": True}], kind="dibao")  # the household is a dibao one
    make("edge", [HEAD, {"destitute": True}], kind="ordinary")  # destitute is not dibao
    assert found("ordinary_household_with_dibao_member", make) == {"hit"}
    (finding,) = evaluate("quality-2016", year=YEAR, only=("ordinary_household_with_dibao_member",))
    assert finding.sentence == "户主 张* 户属性为一般贫困户，2 名成员中有 1 名标注享受低保"


def test_a_healthy_member_of_working_age_without_labour(make):
    make("h", [
        {**HEAD, "tag": "head"},
        {"birth_date": born(16), "labour": "none", "tag": "sixteen"},
        {"birth_date": born(65), "labour": "lost", "tag": "sixty_five"},
        {"birth_date": born(15), "labour": "none", "tag": "fifteen"},
        {"birth_date": born(66), "labour": "lost", "tag": "sixty_six"},
        {"birth_date": born(30), "labour": "partial", "tag": "partial"},
        {"birth_date": born(30), "labour": "lost", "health": "chronic", "tag": "ill"},
        {"birth_date": born(18), "labour": "none", "schooling": "college", "tag": "student"},
    ])  # fmt: skip
    assert found("healthy_working_age_without_labour", make, by="p") == {"sixteen", "sixty_five"}
    sentences = {
        f.sentence
        for f in evaluate("quality-2016", year=YEAR, only=("healthy_working_age_without_labour",))
    }
    assert sentences == {
        "成员 张* 16 岁，健康，劳动技能登记为无劳动力",
        "成员 张* 65 岁，健康，劳动技能登记为丧失劳动力",
    }
    # Ages are the compared year's, not today's: a year later the 65-year-old is 66 and the
    # 15-year-old 16.
    later = evaluate("quality-2016", year=YEAR + 1, only=("healthy_working_age_without_labour",))
    assert {make.tags[("p", f.person_id)] for f in later} == {"sixteen", "fifteen"}


def test_an_age_that_contradicts_the_school_stage(make):
    make("h", [
        {**HEAD, "tag": "head"},
        {"birth_date": born(14), "schooling": "senior", "tag": "young_senior"},
        {"birth_date": born(15), "schooling": "senior", "tag": "senior_at_15"},
        {"birth_date": born(14), "schooling": "junior", "tag": "junior_at_14"},
        {"birth_date": born(20), "schooling": "primary", "tag": "old_primary"},
        {"birth_date": born(19), "schooling": "primary", "tag": "primary_at_19"},
        {"birth_date": born(25), "schooling": "preschool", "tag": "old_preschool"},
        {"birth_date": born(20), "schooling": "junior", "tag": "junior_at_20"},
    ])  # fmt: skip
    assert found("young_in_senior_school", make, by="p") == {"young_senior"}
    assert found("old_in_primary_school", make, by="p") == {"old_primary", "old_preschool"}
    sentences = {
        f.sentence for f in evaluate("quality-2016", year=YEAR, only=("old_in_primary_school",))
    }
    assert sentences == {"成员 张* 20 岁，在校生状况为小学", "成员 张* 25 岁，在校生状况为学前教育"}


def test_ethnicity_and_education_left_empty(make):
    """民族 of anyone; 文化程度 of a member not in school from school age (6) on."""
    make("h", [
        {**HEAD, "education": "junior", "tag": "head"},
        {"ethnicity": "", "education": "primary", "tag": "no_ethnicity"},
        {"birth_date": born(30), "schooling": "none", "education": "", "tag": "adult"},
        {"birth_date": born(6), "schooling": "none", "education": "", "tag": "six"},  # edge
        {"birth_date": born(5), "schooling": "none", "education": "", "tag": "five"},  # too young
        {"birth_date": born(10), "schooling": "primary", "education": "", "tag": "pupil"},
    ])  # fmt: skip
    assert found("ethnicity_missing", make, by="p") == {"no_ethnicity"}
    assert found("education_missing", make, by="p") == {"adult", "six"}
    found_ = evaluate("quality-2016", year=YEAR, only=("education_missing",))
    assert {f.sentence for f in found_} == {
        "成员 张* 30 岁，非在校生，文化程度为空",
        "成员 张* 6 岁，非在校生，文化程度为空",
    }


def test_key_fields_left_empty(make):
    make("h", [
        {**HEAD, "tag": "head"},
        {"health": "", "tag": "no_health"},
        {"birth_date": born(16), "labour": "", "tag": "labour_16"},
        {"birth_date": born(65), "labour": "", "tag": "labour_65"},
        {"birth_date": born(15), "labour": "", "tag": "labour_15"},
        {"birth_date": born(66), "labour": "", "tag": "labour_66"},
        {"birth_date": born(6), "schooling": "", "tag": "school_6"},
        {"birth_date": born(23), "schooling": "", "tag": "school_23"},
        {"birth_date": born(5), "schooling": "", "tag": "school_5"},
        {"birth_date": born(24), "schooling": "", "tag": "school_24"},
    ])  # fmt: skip
    make("no_cause", [HEAD], main_cause="")
    make("cause", [HEAD], main_cause="land")
    assert found("health_missing", make, by="p") == {"no_health"}
    assert found("labour_missing", make, by="p") == {"labour_16", "labour_65"}
    assert found("schooling_missing", make, by="p") == {"school_6", "school_23"}
    assert found("main_cause_missing", make) == {"no_cause"}
    sentences = {f.sentence for f in evaluate("quality-2016", year=YEAR, only=("labour_missing",))}
    assert sentences == {"成员 张* 16 岁，劳动技能为空", "成员 张* 65 岁，劳动技能为空"}
