"""The 驾驶舱 page and its map shapes: scope (another area is a 404), drill-down links whose
lists hold exactly the counted rows, a deployment's GeoJSON cut to the user's areas, and a
fixed number of queries."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingzhun.areas.models import Area
from tests.engine.conftest import registry  # noqa: F401 - the fixture
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, area_chain

T100, T101 = "532527100000", "532527101000"


def client_of(client, role, code):
    user = UserFactory(role=role, area=Area.objects.get(code=code))
    client.force_login(user)
    return user


def map_data(response) -> dict:
    found = re.search(
        r'<script id="map-data" type="application/json">(.*?)</script>', response.text, re.S
    )
    return json.loads(found.group(1))


@pytest.mark.django_db
def test_county_drills_from_township_incidence_to_its_list(client, registry):  # noqa: F811
    client_of(client, "county_admin", "532527000000")
    response = client.get("/dashboard/")
    assert response.status_code == 200
    row = re.search(rf'<tr data-code="{T100}">(.*?)</tr>', response.text, re.S).group(1)
    link = re.search(r'<a class="incidence" href="([^"]+)">([^<]+)</a>', row)
    assert link.group(2) == "0.70"
    href = link.group(1).replace("&amp;", "&")
    assert href == f"/registry/households/?area={T100}&status=registered&status=relapsed"
    households = re.search(r'<a class="poor-households" href="[^"]+">(\d+)</a>', row).group(1)
    listed = client.get(href)
    assert "共 2 户" in listed.text and households == "2"


@pytest.mark.django_db
def test_township_user_gets_404_for_another_township(client, registry):  # noqa: F811
    client_of(client, "township_operator", T101)
    assert client.get(f"/dashboard/?area={T100}").status_code == 404
    assert client.get(f"/dashboard/map.json?area={T100}").status_code == 404
    assert client.get("/dashboard/?area=abc").status_code == 404
    response = client.get("/dashboard/")
    assert response.status_code == 200
    data = map_data(response)
    assert [v["code"] for v in data["villages"]] == ["532527101202"]
    shapes = client.get("/dashboard/map.json").json()
    assert [f["properties"]["code"] for f in shapes["features"]] == ["532527101202"]
    assert shapes["schematic"] is True


@pytest.mark.django_db
def test_county_user_opens_a_township(client, registry):  # noqa: F811
    client_of(client, "county_admin", "532527000000")
    response = client.get(f"/dashboard/?area={T100}")
    assert response.status_code == 200
    data = map_data(response)
    assert [c["code"] for c in data["children"]] == ["532527100201", "532527100203"]
    assert 'href="/dashboard/?area=532527000000"' in response.text  # back up to the county


@pytest.mark.django_db
def test_deployment_geojson_is_cut_to_the_users_areas(client, registry, settings, tmp_path):  # noqa: F811
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
        }
        for code, name in [("532527100", "甲镇"), ("532527101", "乙镇"), ("522301100", "外县镇")]
    ]
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    settings.MAP_GEOJSON = str(path)
    client_of(client, "county_admin", "532527000000")
    shapes = client.get("/dashboard/map.json").json()
    # Township shapes only (the file has no villages): the county's two, not the other county's.
    assert [f["properties"]["code"] for f in shapes["features"]] == [T100, T101]
    assert (shapes["schematic"], shapes["level"]) == (False, "child")


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_townships(client, registry):  # noqa: F811
    client_of(client, "county_admin", "532527000000")
    client.get("/dashboard/")  # warm caches (standards, templates)
    with CaptureQueriesContext(connection) as before:
        client.get("/dashboard/")
    for township in ("102", "103", "104"):
        village = area_chain(township=township, village="301")
        household = HouseholdFactory(
            village=village, number=f"532527{township}301000001", status="registered"
        )
        PersonFactory(household=household)
    with CaptureQueriesContext(connection) as after:
        response = client.get("/dashboard/")
    assert response.text.count("<tr data-code=") == 5
    assert len(after.captured_queries) == len(before.captured_queries)
    assert len(after.captured_queries) <= 14


@pytest.mark.django_db
def test_village_user_sees_their_village(client, registry):  # noqa: F811
    client_of(client, "village_operator", "532527100201")
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert [c["code"] for c in map_data(response)["children"]] == ["532527100201"]
    assert response.text.count("<tr data-code=") == 1
    assert client.get("/dashboard/?area=532527100203").status_code == 404  # a sister village


@pytest.mark.django_db
def test_user_without_area_sees_everything_or_nothing(client, registry):  # noqa: F811
    reader = UserFactory(role="viewer", area=None)
    client.force_login(reader)
    assert client.get("/dashboard/").status_code == 404  # no area: no scope
    admin = UserFactory(role="county_admin", area=None, is_superuser=True)
    client.force_login(admin)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert [c["code"] for c in map_data(response)["children"]] == ["520000000000", "530000000000"]


@pytest.mark.django_db
def test_trend_registered_links_to_exactly_those_households(client, registry):  # noqa: F811
    client_of(client, "county_admin", "532527000000")
    response = client.get("/dashboard/?year=2015")
    table = re.search(r'<table id="trend">(.*?)</table>', response.text, re.S).group(1)
    row = re.search(r"<tr><td>2015</td>(.*?)</tr>", table, re.S).group(1)
    href, count = re.search(r'<a href="([^"]+)">(\d+)</a>', row).groups()
    # Every household of the county entered in 2015; the monitored one was never counted poor.
    assert count == "5"
    listed = client.get(href.replace("&amp;", "&"))
    assert "共 5 户" in listed.text
