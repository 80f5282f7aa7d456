"""A small county whose report figures are computed by hand (2018, yunnan-2018).

Township 100: seven poor villages P1–P7 (codes …100201–…100207); township 101: one non-poor village
N8 (…101208). Every village meets every village indicator except the hardened road where noted.

| village | exited (20 Dec) | planned | road | village verdict | class (2018)        |
|---------|-----------------|---------|------|-----------------|---------------------|
| P1      | 2016            | 2016    | yes  | met             | exited              |
| P2      | 2017            | —       | yes  | met             | exited              |
| P3      | 2015            | —       | no   | not met         | exited              |
| P4      | —               | 2018    | yes  | met             | planned, ready      |
| P5      | —               | 2018    | no   | not met (road, housing)* | planned, not ready |
| P6      | —               | —       | yes  | met             | ready, not planned  |
| P7      | —               | 2019    | no   | not met (road)  | not ready           |

* housing: household D lives in a grade C house in P5.

County projection: poor 7, exited 3, planned 2 (1 ready, 1 not), required ceil(0.9 × 7) = 7,
gap 7 − 3 − 2 = 2, ready-but-unplanned 1 (P6): not enough to close the gap.

Households (one member each, head aged 38, pension insured, one measure in 2018, income of
8,500 yuan for one member unless noted):

| household | village | status     | unmet              |
|-----------|---------|------------|--------------------|
| A         | N8      | registered | —  (candidate)     |
| B         | N8      | registered | income (5 members) |
| C         | N8      | registered | income, housing D  |
| D         | P5      | registered | housing C          |
| E         | P5      | registered | measures (none)    |
| F         | N8      | exited     | —  (not counted)   |
| G         | P5      | relapsed   | —  (candidate)     |

Poor households 6, met 2 (A, G). income 2 (33.3 %), only 1 (B); housing 2 (33.3 %), only 1 (D);
measures 1 (16.7 %), only 1 (E); education, medical, pension 0.
Township 100: 3 households, 1 met, housing 1, measures 1. Township 101: 3, 1 met, income 2,
housing 1. Village blockers (open poor villages P4–P7: 4, met 2): road 2 (50 %), only 1 (P7);
housing 1 (25 %), only 0.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jingzhun.registry.models import Measure
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory, area_chain

YEAR = 2018
VILLAGES = {  # name: (township, village, year exited, year planned, road)
    "P1": ("100", "201", 2016, 2016, True),
    "P2": ("100", "202", 2017, None, True),
    "P3": ("100", "203", 2015, None, False),
    "P4": ("100", "204", None, 2018, True),
    "P5": ("100", "205", None, 2018, False),
    "P6": ("100", "206", None, None, True),
    "P7": ("100", "207", None, 2019, False),
}


def _village(
    township: str,
    code: str,
    *,
    poor: bool,
    road: bool,
    exited: int | None = None,
    planned: int | None = None,
):
    village = area_chain(township=township, village=code)
    village.poor_village = poor
    village.poor_village_exited_on = datetime.date(exited, 12, 20) if exited else None
    village.poor_village_planned_exit_year = planned
    village.hardened_road = road
    for name in (
        "grid_power",
        "radio_tv",
        "broadband",
        "clinic_with_doctor",
        "safe_water",
        "public_space",
    ):
        setattr(village, name, True)
    village.collective_income = Decimal("30000")
    village.rural_population = 1000
    village.save()
    return village


def _household(village, key: str, status: str = "registered", **fields):
    members = fields.pop("members", 1)
    measure = fields.pop("measure", True)
    household = HouseholdFactory(
        village=village, status=status, number=f"{village.code}{key}", **fields
    )
    PersonFactory(
        household=household,
        name=f"户主{key}",
        birth_date=datetime.date(1980, 1, 1),
        pension_insured=True,
    )
    IncomeFactory(household=household, year=YEAR, members_count=members)
    if measure:
        Measure.objects.create(household=household, kind="industry", year=YEAR)
    return household


@pytest.fixture
def county_fixture(db):
    villages = {
        name: _village(t, v, poor=True, exited=exited, planned=planned, road=road)
        for name, (t, v, exited, planned, road) in VILLAGES.items()
    }
    villages["N8"] = _village("101", "208", poor=False, road=True)
    county = villages["P1"].parent.parent
    county.rural_income_growth = Decimal("10")
    county.province_income_growth = Decimal("9")
    county.education_balance_year = 2016
    county.save()
    n8, p5 = villages["N8"], villages["P5"]
    households = {
        "A": _household(n8, "A01"),
        "B": _household(n8, "B02", members=5),
        "C": _household(n8, "C03", members=5, housing_grade="D"),
        "D": _household(p5, "D04", housing_grade="C"),
        "E": _household(p5, "E05", measure=False),
        "F": _household(n8, "F06", status="exited"),
        "G": _household(p5, "G07", status="relapsed"),
    }
    return {"villages": villages, "households": households, "county": county}
