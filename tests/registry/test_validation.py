import datetime

from jingzhun import idcodes
from jingzhun.registry.validation import check_household, check_members, check_person

YEAR = 2026


def person(**overrides):
    born = overrides.pop("born", datetime.date(1980, 5, 3))
    female = overrides.pop("female", False)
    data = {"id_number": idcodes.make("532527", born, 5, female=female), "relation": "head"}
    data.update(overrides)
    return data


def fields(problems):
    return [p.field for p in problems]


def test_a_consistent_person_passes():
    assert check_person(person(sex="male", birth_date=datetime.date(1980, 5, 3)), YEAR) == []


def test_sex_and_birth_date_must_agree_with_the_id_number():
    problems = check_person(person(sex="female", birth_date=datetime.date(1981, 5, 3)), YEAR)
    assert fields(problems) == ["sex", "birth_date"]
    assert "男" in problems[0].message and "1980-05-03" in problems[1].message


def test_bad_id_number_is_reported_on_its_field():
    problems = check_person({"id_number": "532527198005030010"}, YEAR)
    assert fields(problems) == ["id_number"]
    assert "校验位" in problems[0].message


def test_schooling_must_fit_the_age():
    adult = check_person(person(schooling="primary"), YEAR)
    child = check_person(person(born=datetime.date(2016, 3, 1), schooling="primary"), YEAR)
    assert fields(adult) == ["schooling"] and child == []


def test_work_months_without_work_and_disability_without_grade():
    problems = check_person(person(work_status="none", work_months=3, health="disabled"), YEAR)
    assert fields(problems) == ["work_months", "disability_grade"]


def test_exactly_one_head():
    assert fields(check_members([person(), person(relation="head", female=True)])) == ["relation"]
    assert fields(check_members([person(relation="spouse")])) == ["relation"]
    assert check_members([person()]) == []


def test_duplicate_id_in_one_household():
    head = person()
    assert fields(check_members([head, {**head, "relation": "son"}])) == ["id_number"]


def test_household_causes_and_years():
    problems = check_household(
        {
            "main_cause": "illness",
            "other_causes": "illness,labour",
            "entry_year": 2016,
            "exit_year": 2015,
            "status": "exited",
        }
    )
    assert fields(problems) == ["other_causes", "exit_year"]
    assert fields(check_household({"status": "exited", "entry_year": 2016})) == ["exit_year"]
