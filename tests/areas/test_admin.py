"""Area changes in the Django admin go through the audited services and are validated: a
township code under another county's parent is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.areas.models import Area
from jingzhun.audit.models import Action, AuditEntry
from tests.factories import UserFactory

ADD = "admin:areas_area_add"


@pytest.fixture
def admin_client(client, village):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, area=None))
    return client


def form(**values: object) -> dict[str, object]:
    return {"code": "", "name": "", "level": "township", "parent": ""} | values


def test_a_township_code_under_the_wrong_parent_is_refused(admin_client):
    Area.objects.create(code="532501000000", name="个旧市", level="county",
                        parent_id="532500000000")  # fmt: skip
    before = AuditEntry.objects.count()

    response = admin_client.post(
        reverse(ADD), form(code="532527101000", name="错镇", parent="532501000000")
    )

    assert response.status_code == 200
    assert "上级区划代码应为「532527000000」（区划代码的前6位），实际为「532501000000」" in (
        response.content.decode()
    )
    assert not Area.objects.filter(code="532527101000").exists()
    assert AuditEntry.objects.count() == before


def test_a_level_that_is_not_the_codes_is_refused(admin_client):
    response = admin_client.post(
        reverse(ADD), form(code="532527101000", name="错镇", level="village", parent="532527000000")
    )

    assert "是乡镇级代码" in response.content.decode()
    assert not Area.objects.filter(code="532527101000").exists()


def test_an_area_added_in_the_admin_is_audited(admin_client):
    response = admin_client.post(
        reverse(ADD), form(code="532527101000", name="新镇", parent="532527000000")
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_id="532527101000")
    assert entry.action == Action.CREATE
    assert entry.changes["name"] == [None, "新镇"]
    assert entry.changes["parent"] == [None, "532527000000"]


def test_a_village_attribute_changed_in_the_admin_is_audited_with_before_and_after(
    admin_client, village
):
    url = reverse("admin:areas_area_change", args=[village.code])
    response = admin_client.post(
        url,
        {
            "name": village.name,
            "level": "village",
            "parent": village.parent_id,
            "rural_population": 1000,
            "poor_village": "on",
            "poor_village_planned_exit_year": 2019,
            "hardened_road": "true",
        },
    )

    assert response.status_code == 302
    village.refresh_from_db()
    assert (village.poor_village, village.hardened_road) == (True, True)
    entry = AuditEntry.objects.get(object_id=village.code, action=Action.UPDATE)
    assert entry.changes == {
        "hardened_road": [None, True],
        "poor_village": [False, True],
        "poor_village_planned_exit_year": [None, 2019],
    }


def test_an_exit_date_on_a_village_that_is_not_poor_is_refused(admin_client, village):
    url = reverse("admin:areas_area_change", args=[village.code])
    response = admin_client.post(
        url,
        {
            "name": village.name,
            "level": "village",
            "parent": village.parent_id,
            "poor_village_exited_on": "2017-12-01",
        },
    )

    assert "只有贫困村才有出列日期" in response.content.decode()
    village.refresh_from_db()
    assert village.poor_village_exited_on is None


def test_a_deletion_in_the_admin_is_audited(admin_client, village):
    url = reverse("admin:areas_area_delete", args=[village.code])

    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Area.objects.filter(code=village.code).exists()
    entry = AuditEntry.objects.get(object_id=village.code)
    assert entry.action == Action.DELETE
    assert entry.changes["name"] == [village.name, None]


def test_an_admin_bound_to_a_county_cannot_add_outside_it(client, village):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, area=village.parent.parent))
    Area.objects.create(code="532501000000", name="个旧市", level="county",
                        parent_id="532500000000")  # fmt: skip

    response = client.post(reverse(ADD), form(code="532501101000", name="外镇",
                                              parent="532501000000"))  # fmt: skip

    assert response.status_code == 403
    assert not Area.objects.filter(code="532501101000").exists()
