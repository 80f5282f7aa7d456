"""A hand-built registry covering every input-view edge, shared by the engine tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jingzhun.registry.models import Measure
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory, area_chain

YEAR = 2018
SPARK_MASTER = "local[2]"


@pytest.fixture(scope="session")
def spark():
    """The local Spark session, started once for the whole test run (start-up takes seconds);
    `spark_snapshot()` and Spark assessment runs reuse it. Skipped only without pyspark."""
    pytest.importorskip("pyspark", reason="pyspark not installed (extra jingzhun[spark])")
    from jingzhun.engine.connect import spark_session

    return spark_session(SPARK_MASTER)


def person(household, born: datetime.date, relation: str = "son", **fields):
    return PersonFactory(household=household, birth_date=born, relation=relation, **fields)


@pytest.fixture
def registry():
    """Two counties. 泸西县: V1 (poor, exited 2018, 1000 people), V2 (poor, exits 2019, zero
    rural population), V3 (not poor, population unknown). 522301: one village, no poor village."""
    v1 = area_chain()
    county = v1.parent.parent
    county.rural_income_growth = Decimal("10.32")
    county.province_income_growth = Decimal("9.20")
    county.education_balance_year = 2016
    county.save()
    v1.poor_village, v1.poor_village_exited_on = True, datetime.date(2018, 11, 20)
    v1.poor_village_planned_exit_year = 2018
    v1.hardened_road, v1.grid_power, v1.safe_water = True, True, False
    v1.collective_income = Decimal("50000.10")
    v1.save()
    v2 = area_chain(township="101", village="202")
    v2.poor_village, v2.poor_village_planned_exit_year, v2.rural_population = True, 2019, 0
    v2.save()
    v3 = area_chain(village="203")
    v3.rural_population = None
    v3.save()
    vb = area_chain(county="522301")
    vb.rural_population = 500
    vb.save()

    h1 = HouseholdFactory(village=v1, status="registered", housing_grade="A")
    person(h1, datetime.date(1980, 1, 1), "head", pension_insured=True)
    person(
        h1,
        datetime.date(1982, 3, 1),
        "spouse",
        health="serious",
        medical_insured=False,
        serious_illness_insured=False,
        pension_insured=True,
    )
    person(h1, datetime.date(2003, 12, 31))  # 15 on 31 Dec 2018, out of school: a dropout
    person(h1, datetime.date(2002, 12, 31))  # 16: due for pension, uninsured, not a dropout
    person(h1, datetime.date(2012, 6, 1), schooling="primary")  # 6, in school
    IncomeFactory(
        household=h1,
        year=YEAR,
        members_count=5,
        wage_income=Decimal("6000.07"),
        dibao_income=Decimal("1500"),
    )
    IncomeFactory(household=h1, year=YEAR - 1, members_count=5)
    h2 = HouseholdFactory(village=v1, status="relapsed", housing_grade="D", kind="dibao")
    person(h2, datetime.date(1950, 5, 5), "head", pension_insured=True)
    person(h2, datetime.date(1952, 5, 5), "spouse", pension_insured=True)
    h3 = HouseholdFactory(village=v1, status="exited", housing_grade="C", water_safe=False)
    person(h3, datetime.date(1970, 1, 1), "head")
    IncomeFactory(
        household=h3,
        year=YEAR,
        members_count=1,
        wage_income=Decimal("0"),
        operating_income=Decimal("0"),
        operating_expenses=Decimal("0"),
    )
    h4 = HouseholdFactory(village=v1, status="deregistered", housing_grade="C")
    person(h4, datetime.date(1960, 1, 1), "head")
    h5 = HouseholdFactory(village=v2, status="monitored", food_secure=False)
    person(h5, datetime.date(1990, 1, 1), "head")
    h6 = HouseholdFactory(village=v2, status="registered")
    person(h6, datetime.date(1991, 1, 1), "head")
    person(h6, datetime.date(1992, 1, 1), "spouse")
    h7 = HouseholdFactory(village=vb, status="registered", number="522301100201000001")
    person(h7, datetime.date(1985, 1, 1), "head")
    Measure.objects.bulk_create(
        [
            Measure(household=h1, kind="industry", year=2017),
            Measure(household=h1, kind="education", year=2018),
            Measure(household=h1, kind="health", year=2019),
            Measure(household=h3, kind="industry", year=2019),
            Measure(household=h5, kind="credit", year=2016),
        ]
    )
    return {"h": [h1, h2, h3, h4, h5, h6, h7], "v": [v1, v2, v3, vb]}
