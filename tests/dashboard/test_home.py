"""The home page: headline figures and poverty incidence per township, scoped to the user."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from jingzhun.dashboard.home import incidence_by_area
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(village, other_village):
    """Township 100: 1 registered household of 2, 1 exited of 1; township 101: 1 relapsed of 3."""
    registered = HouseholdFactory(village=village, status="registered")
    PersonFactory(household=registered)
    PersonFactory(household=registered, name="李梅", relation="spouse", sex="female")
    PersonFactory(household=HouseholdFactory(village=village, status="exited"))
    relapsed = HouseholdFactory(village=other_village, status="relapsed")
    for n, relation in enumerate(["head", "son", "daughter"]):
        PersonFactory(household=relapsed, name=f"王{n}", relation=relation)
    other_village.rural_population = 600
    other_village.save()


def test_incidence_per_township_for_a_county_user(county_admin, world):
    rows = incidence_by_area(county_admin)
    assert [(r["code"], r["poor_persons"], r["population"], r["incidence"]) for r in rows] == [
        ("532527100000", 2, 1000, Decimal("0.20")),
        ("532527101000", 3, 600, Decimal("0.50")),
    ]
    assert [r["name"] for r in rows] == ["100镇", "101镇"]


def test_home_shows_scoped_figures_and_chart_data(client, township_operator, world, village):
    client.force_login(township_operator)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    by_status = {
        row["status"]: (row["households"], row["persons"]) for row in response.context["by_status"]
    }
    assert by_status == {
        "registered": (1, 2),
        "exited": (1, 1),
        "relapsed": (0, 0),
        "deregistered": (0, 0),
        "monitored": (0, 0),
        "applicant": (0, 0),  # in an entry procedure: shown, not yet counted as poor
    }
    assert (response.context["total_households"], response.context["total_persons"]) == (2, 3)
    page = response.content.decode()
    start = page.index('<script id="incidence-data" type="application/json">') + len(
        '<script id="incidence-data" type="application/json">'
    )
    chart = json.loads(page[start : page.index("</script>", start)])
    # A township user sees its villages, not one bar for the whole township.
    assert chart == {"names": [village.name], "values": [0.2]}
    assert "/static/vendor/echarts/echarts.min.js" in page


def test_home_uses_aggregate_queries(client, county_admin, world, django_assert_max_num_queries):
    client.force_login(county_admin)
    for _ in range(10):
        PersonFactory(
            household=HouseholdFactory(village=county_admin.area.children.first().children.first())
        )
    with django_assert_max_num_queries(8):
        client.get(reverse("home"))


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_static_files_are_served_by_the_app(client, settings):
    settings.DEBUG = False
    response = client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)[:2000]
