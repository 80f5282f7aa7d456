"""The yearly trend: registered, exited, relapsed, monitored and poor at year end, from entry and
exit years and the status history."""

from __future__ import annotations

import datetime

import pytest

from jingzhun.dashboard import figures
from jingzhun.dashboard.trend import trend
from jingzhun.registry.models import StatusChange
from tests.factories import HouseholdFactory, PersonFactory, UserFactory


def household(village, number, status, entry, exit_year=None, members=1, change=None):
    h = HouseholdFactory(
        village=village,
        number=f"53252710020100{number:04d}",
        status=status,
        entry_year=entry,
        exit_year=exit_year,
    )
    for index in range(members):
        PersonFactory(household=h, relation="head" if index == 0 else "son")
    if change:
        StatusChange.objects.create(household=h, date=change, new_status=status)
    return h


@pytest.mark.django_db
def test_trend_by_year(village):
    household(village, 1, "registered", 2015, members=3)
    household(village, 2, "exited", 2015, 2017, members=2)
    household(village, 3, "relapsed", 2015, 2016, change=datetime.date(2018, 3, 1))
    household(village, 4, "deregistered", 2016, change=datetime.date(2017, 5, 1))
    household(village, 5, "monitored", 2018, members=2, change=datetime.date(2018, 6, 1))
    user = UserFactory(area=village.parent.parent)
    rows = trend(user, "", 1000, 2018)
    assert [r.year for r in rows] == [2015, 2016, 2017, 2018]
    assert [r.registered for r in rows] == [3, 1, 0, 0]
    assert [r.exited for r in rows] == [0, 1, 1, 0]
    assert [r.relapsed for r in rows] == [0, 0, 0, 1]
    assert [r.monitored for r in rows] == [0, 0, 0, 1]
    assert [r.poor_households for r in rows] == [3, 3, 1, 2]
    assert [r.poor_persons for r in rows] == [6, 6, 3, 4]
    assert [r.incidence for r in rows] == [0.60, 0.60, 0.30, 0.40]
    # The dashboard passes the spells its per-village query read: the same years.
    picture = figures.picture(user, user.area, 2018, datetime.date(2026, 12, 5))
    assert trend(user, "", 1000, 2018, picture.spells) == rows


@pytest.mark.django_db
def test_trend_is_scoped(village, other_village):
    household(village, 1, "registered", 2015, members=3)
    other = HouseholdFactory(
        village=other_village, number="5325271012020001", status="registered", entry_year=2016
    )
    PersonFactory(household=other)
    user = UserFactory(role="township_operator", area=other_village.parent)
    rows = trend(user, "", 1000, 2016)
    assert [(r.year, r.registered, r.poor_persons) for r in rows] == [(2016, 1, 1)]
    assert trend(user, village.code, 1000, 2016) == []  # another township's: nothing
