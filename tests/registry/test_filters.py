import datetime
from decimal import Decimal

import pytest

from jingzhun.registry.filters import HouseholdFilter, looks_like_id_number
from jingzhun.registry.models import Household
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory


@pytest.mark.parametrize(
    ("query", "id_like"),
    [
        ("53252719800503014X", True),
        ("53252719800503014x", True),
        ("532527198005030145", True),
        ("53252719800503014", True),  # a 17-digit body is as revealing as the whole number
        ("532527800503014", True),  # old 15-digit number
        ("5325271002010001", False),  # a 16-digit household number
        ("zs", False),
        ("张三", False),
    ],
)
def test_id_like_queries(query, id_like):
    assert looks_like_id_number(query) is id_like


def numbers(params):
    return sorted(
        HouseholdFilter(params, queryset=Household.objects.all()).qs.values_list(
            "number", flat=True
        )
    )


@pytest.mark.django_db
def test_full_household_number_is_searchable(village):
    HouseholdFactory(number="5325271002010001", village=village)
    HouseholdFactory(number="5325271002010002", village=village)
    assert numbers({"q": "5325271002010001"}) == ["5325271002010001"]
    assert numbers({"q": "53252710020100"}) == ["5325271002010001", "5325271002010002"]
    assert numbers({"q": "532527100201000"}) == []  # 15 digits: an old ID number, not searched


@pytest.mark.django_db
def test_income_gap_uses_the_latest_year_and_the_line_is_not_passed_on_equality(village):
    on_line = HouseholdFactory(number="H-ON", village=village)
    above = HouseholdFactory(number="H-ABOVE", village=village)
    # 2018 line 2,995: exactly on it is a gap, one fen above is not.
    IncomeFactory(
        household=on_line,
        year=2018,
        members_count=2,
        wage_income=Decimal("5990"),
        operating_income=0,
        operating_expenses=0,
    )
    IncomeFactory(
        household=above,
        year=2018,
        members_count=2,
        wage_income=Decimal("5990.02"),
        operating_income=0,
        operating_expenses=0,
    )
    IncomeFactory(
        household=above,
        year=2017,
        members_count=2,
        wage_income=Decimal("100"),
        operating_income=0,
        operating_expenses=0,
    )
    assert numbers({"gap": ["income"]}) == ["H-ON"]
    assert numbers({"gap": ["income"], "year": 2017}) == ["H-ABOVE"]


@pytest.mark.django_db
def test_dropout_gap_counts_ages_at_the_end_of_the_year_assessed(village):
    household = HouseholdFactory(number="H-DROP", village=village)
    PersonFactory(household=household, relation="head", birth_date=datetime.date(1980, 1, 1))
    # Aged 15 on 2018-12-31 and out of school: a dropout in 2018, an adult today.
    PersonFactory(
        household=household,
        relation="son",
        name="张小",
        birth_date=datetime.date(2003, 6, 1),
        schooling="none",
    )
    IncomeFactory(household=household, year=2018)
    assert numbers({"gap": ["education"]}) == ["H-DROP"]
    assert numbers({"gap": ["education"], "year": 2025}) == []
