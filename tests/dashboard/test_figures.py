"""驾驶舱 figures over the hand-built registry (tests/engine/conftest.py::registry): exact counts
per township, the county rule, scope, and a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingzhun.areas.models import Area
from jingzhun.dashboard import figures
from tests.engine.conftest import registry  # noqa: F401 - the fixture
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, area_chain

TODAY = datetime.date(2026, 12, 5)
T100, T101 = "532527100000", "532527101000"


def county_user():
    return UserFactory(role="county_admin", area=Area.objects.get(code="532527000000"))


@pytest.mark.django_db
def test_county_picture_per_township(registry):  # noqa: F811
    user = county_user()
    picture = figures.picture(user, user.area, 2018, TODAY)
    assert [c.code for c in picture.children] == [T100, T101]
    t100, t101 = picture.children
    # 100镇: h1 registered (5 members), h2 relapsed (2), h3 exited, h4 deregistered.
    assert (t100.poor_households, t100.poor_persons, t100.population) == (2, 7, 1000)
    assert t100.incidence == 0.70
    assert t100.households["exited"] == 1
    assert (t100.villages, t100.poor_villages, t100.exited_villages) == (2, 1, 1)
    # 101镇: h6 registered (2 members), h5 monitored; its village's population is 0.
    assert (t101.poor_households, t101.poor_persons, t101.population) == (1, 2, 0)
    assert t101.incidence is None
    assert t101.households["monitored"] == 1
    total = picture.total
    assert (total.poor_households, total.poor_persons, total.population) == (3, 9, 1000)
    assert total.incidence == 0.90
    # Two poor villages: one exited in 2018, none planned; 90% of 2 rounds up to 2.
    assert (total.poor_villages, total.exited_villages, total.planned_villages) == (2, 1, 0)
    assert (total.required_villages, total.exit_gap, total.exit_share) == (2, 1, 50.0)
    # In 2019 V2 is planned: the gap closes.
    later = figures.picture(user, user.area, 2019, TODAY).total
    assert (later.exited_villages, later.planned_villages, later.exit_gap) == (1, 1, 0)


@pytest.mark.django_db
def test_township_user_sees_its_villages_only(registry):  # noqa: F811
    user = UserFactory(role="township_operator", area=Area.objects.get(code=T101))
    picture = figures.picture(user, user.area, 2018, TODAY)
    assert [c.code for c in picture.children] == ["532527101202"]
    assert [v.code for v in picture.villages] == ["532527101202"]
    assert picture.total.poor_households == 1
    assert picture.total.households["registered"] == 1
    assert picture.total.households["relapsed"] == 0  # 100镇's relapsed household is not seen


@pytest.mark.django_db
def test_village_user_sees_one_village(registry):  # noqa: F811
    user = UserFactory(role="village_operator", area=Area.objects.get(code="532527100201"))
    picture = figures.picture(user, user.area, 2018, TODAY)
    assert [c.code for c in picture.children] == ["532527100201"]
    assert (picture.total.poor_households, picture.total.poor_persons) == (2, 7)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_townships(registry):  # noqa: F811
    user = county_user()
    with CaptureQueriesContext(connection) as before:
        figures.picture(user, user.area, 2018, TODAY)
    for township in ("102", "103", "104"):
        village = area_chain(township=township, village="301")
        household = HouseholdFactory(
            village=village, number=f"532527{township}301000001", status="registered"
        )
        PersonFactory(household=household)
    with CaptureQueriesContext(connection) as after:
        picture = figures.picture(user, user.area, 2018, TODAY)
    assert len(picture.children) == 5
    assert len(after.captured_queries) == len(before.captured_queries) == 5
