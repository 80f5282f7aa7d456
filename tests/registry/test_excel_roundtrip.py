"""Round trips and the data year (数据年度): an export imports back unchanged, and a registry of
an earlier year is checked as of that year, not by today's ages."""

from __future__ import annotations

import datetime
import io
import time

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from jingzhun.audit.models import Action, AuditEntry
from jingzhun.registry import services
from jingzhun.registry.demo import REFERENCE_DATE, build_demo
from jingzhun.registry.excel import export_workbook, import_workbook
from jingzhun.registry.models import (
    Helper,
    Household,
    Income,
    Measure,
    Person,
    PersonNameKey,
    StatusChange,
)
from jingzhun.registry.validation import age_in, age_on, reference_date
from jingzhun.workbook import SYSTEM
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory, id_number

REGISTRY = (Household, Person, Income, Helper, Measure, PersonNameKey, StatusChange)
# The whole demo (泸西县, about 16,400 poor persons, every status and gap), as `jingzhun demo`
# builds it: about 20 s on SQLite (build, export, import).
DEMO_SCALE = 1.0


def rows() -> dict[str, list[tuple]]:
    """Every registry row, without its timestamps: what a no-change import must leave alone."""
    return {
        m.__name__: sorted(
            m.objects.values_list(
                *[
                    f.attname
                    for f in m._meta.concrete_fields
                    if f.name not in {"created", "updated", "recorded"}
                ]
            )
        )
        for m in REGISTRY
    }


def test_the_demo_export_imports_back_with_no_error_and_no_change(db):
    build_demo(DEMO_SCALE, users=False)
    content = export_workbook(Household.objects.all(), acting_user=SYSTEM)
    before, audit_before = rows(), AuditEntry.objects.count()

    started = time.perf_counter()
    result = import_workbook(content, acting_user=SYSTEM, name="demo.xlsx")
    seconds = time.perf_counter() - started

    assert result.errors == []
    assert result.year == REFERENCE_DATE.year == 2018
    assert result.year_source == "incomes"
    assert {t: (n.created, n.updated) for t, n in result.counts.items()} == {
        "户": (0, 0),
        "成员": (0, 0),
        "收入": (0, 0),
        "帮扶责任人": (0, 0),
        "帮扶措施": (0, 0),
    }
    assert result.counts["成员"].unchanged == Person.objects.count() > 16_000
    assert result.counts["户"].unchanged == Household.objects.count()
    assert rows() == before
    # Only the import's own summary is added: no entry for a created or changed row.
    assert AuditEntry.objects.count() == audit_before + 1
    assert AuditEntry.objects.filter(batch=result.batch).get().action == Action.IMPORT
    assert seconds < 120


# An older registry ---------------------------------------------------------------------------


def registry_2018() -> bytes:
    """A 2018 household: a girl in primary school at 9 in 2018 (17 in 2026, too old for it), a boy
    in preschool at 4 in 2018 (12 today). No income sheet, so the file itself states no year."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    households = book.create_sheet("户")
    households.append(["户编号", "所在行政村代码", "主要致贫原因", "识别年度"])
    households.append(["532527100201000001", "532527100201", "因病", 2015])
    persons = book.create_sheet("成员")
    persons.append(["户编号", "姓名", "证件号码", "与户主关系", "在校生状况"])
    persons.append(["532527100201000001", "张三", id_number(datetime.date(1980, 3, 4)), "户主", ""])
    persons.append(
        [
            "532527100201000001",
            "张小红",
            id_number(datetime.date(2009, 5, 6), female=True),
            "之女",
            "小学",
        ]
    )
    persons.append(
        ["532527100201000001", "张小明", id_number(datetime.date(2014, 2, 1)), "之子", "学前教育"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_older_registry_imports_with_its_data_year(village, tmp_path):
    path = tmp_path / "2018.xlsx"
    path.write_bytes(registry_2018())

    call_command("import", str(path), "--year", "2018")

    assert sorted(Person.objects.values_list("name", "schooling")) == [
        ("张三", "none"),
        ("张小明", "preschool"),
        ("张小红", "primary"),
    ]


def test_an_older_registry_fails_as_of_today_with_the_age_and_the_year(village):
    this_year = timezone.localdate().year
    result = import_workbook(registry_2018(), acting_user=SYSTEM)

    assert (result.year, result.year_source) == (this_year, "current")
    assert [(e.sheet, e.row, e.column, e.message) for e in result.errors] == [
        (
            "成员",
            3,
            "在校生状况",
            f"「小学」与年龄不符：{this_year}年末{this_year - 2009}岁（应为5至16岁）",
        ),
        (
            "成员",
            4,
            "在校生状况",
            f"「学前教育」与年龄不符：{this_year}年末{this_year - 2014}岁（应为0至7岁）",
        ),
    ]
    assert Person.objects.count() == 0


def test_the_latest_income_year_of_the_file_is_its_data_year(village):
    book = openpyxl.load_workbook(io.BytesIO(registry_2018()))
    incomes = book.create_sheet("收入")
    incomes.append(["户编号", "年度", "工资性收入"])
    incomes.append(["532527100201000001", 2017, 5000])
    incomes.append(["532527100201000001", 2018, 6000])
    buffer = io.BytesIO()
    book.save(buffer)

    result = import_workbook(buffer.getvalue(), acting_user=SYSTEM)

    assert (result.errors, result.year, result.year_source) == ([], 2018, "incomes")


def test_a_data_year_out_of_range_is_refused_before_reading(village):
    result = import_workbook(registry_2018(), acting_user=SYSTEM, year=1999)

    assert [e.message for e in result.errors] == [
        f"数据年度应在2013至{timezone.localdate().year + 1}之间，实际为「1999」"
    ]
    assert Household.objects.count() == 0


# The form and the API: the household's latest income year ------------------------------------


def test_a_member_is_checked_as_of_the_households_latest_income_year(village, county_admin):
    household = HouseholdFactory(village=village)
    PersonFactory(household=household)
    girl = {
        "name": "张小红",
        "id_number": id_number(datetime.date(2009, 5, 6), female=True),
        "relation": "daughter",
        "schooling": "primary",
    }
    this_year = timezone.localdate().year

    with pytest.raises(ValidationError) as refused:
        services.add_person(household, girl, acting_user=county_admin)
    assert refused.value.message_dict == {
        "schooling": [f"「小学」与年龄不符：{this_year}年末{this_year - 2009}岁（应为5至16岁）"]
    }

    IncomeFactory(household=household, year=2018)
    services.add_person(household, girl, acting_user=county_admin)
    assert household.members.filter(schooling="primary").count() == 1


# The age at the end of a data year -------------------------------------------------------------

dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))
years = st.integers(min_value=1900, max_value=2100)


@given(birth=dates, year=years)
def test_age_in_a_year_is_the_age_on_its_last_day(birth, year):
    age = age_in(birth, year)
    # Every birthday of the year has passed by 31 December: the age is the difference of years.
    assert age == age_on(birth, reference_date(year)) == year - birth.year


@given(birth=dates, year=years, later=st.integers(min_value=0, max_value=50))
def test_age_in_a_year_grows_by_the_years_between(birth, year, later):
    assert age_in(birth, year + later) == age_in(birth, year) + later


@given(birth=dates, day=dates)
def test_age_on_a_day_is_at_most_the_age_at_its_year_end(birth, day):
    assert age_in(birth, day.year) - 1 <= age_on(birth, day) <= age_in(birth, day.year)


@pytest.mark.parametrize(
    ("birth", "year", "age"),
    [
        (datetime.date(2011, 5, 6), 2018, 7),
        (datetime.date(2011, 12, 31), 2018, 7),
        (datetime.date(2012, 1, 1), 2018, 6),
        (datetime.date(2020, 2, 29), 2018, -2),
    ],
)
def test_age_in_examples(birth, year, age):
    assert age_in(birth, year) == age
