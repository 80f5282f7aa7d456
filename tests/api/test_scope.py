"""Scope contract: for every endpoint, another area's records are invisible and unchangeable.

The endpoint table below must name every viewset the API routes (test_every_endpoint_is_covered),
so a new endpoint fails here until its scope is tested.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from jingzhun.accounts.api.base import ScopedQuerysetMixin
from jingzhun.areas.api.urls import router as areas_router
from jingzhun.audit.models import AuditEntry
from jingzhun.registry.api.urls import router as registry_router
from tests.api.conftest import client_for, results
from tests.factories import UserFactory

ROUTES = [*areas_router.registry, *registry_router.registry]

# basename → URL, the key field in responses, and a change to try (None: read-only endpoint)
ENDPOINTS: dict[str, dict[str, Any]] = {
    "area": {"url": "/api/areas/", "key": "code", "change": None},
    "household": {"url": "/api/households/", "key": "id", "change": ("hamlet", "新组")},
    "person": {"url": "/api/persons/", "key": "id", "change": ("name", "李四")},
    "income": {"url": "/api/incomes/", "key": "id", "change": ("wage_income", "9999.00")},
    "helper": {"url": "/api/helpers/", "key": "id", "change": ("unit", "新单位")},
    "measure": {"url": "/api/measures/", "key": "id", "change": ("description", "新内容")},
}
WRITABLE = [name for name, spec in ENDPOINTS.items() if spec["change"]]
# Area-bound models served only as nested reads of a household (its history action).
NESTED_ONLY = {"registry.statuschange", "audit.auditentry"}


def keys(world: dict, basename: str, *villages: str) -> set:
    return {world[v][basename].pk for v in villages}


def listed(user: Any, basename: str) -> set:
    spec = ENDPOINTS[basename]
    return {row[spec["key"]] for row in results(client_for(user).get(spec["url"]))}


def detail_url(basename: str, pk: Any) -> str:
    return "{}{}/".format(ENDPOINTS[basename]["url"], pk)


def test_every_endpoint_is_covered() -> None:
    assert {basename for _prefix, _viewset, basename in ROUTES} == set(ENDPOINTS)


@pytest.mark.parametrize("route", ROUTES, ids=[r[2] for r in ROUTES])
def test_every_viewset_builds_its_queryset_from_visible_to(route: tuple) -> None:
    _prefix, viewset, _basename = route
    assert issubclass(viewset, ScopedQuerysetMixin)
    assert viewset.get_queryset is ScopedQuerysetMixin.get_queryset
    assert hasattr(viewset.scoped_model.objects, "visible_to")


def test_every_area_bound_model_has_a_scoped_endpoint() -> None:
    bound = {
        m._meta.label_lower
        for m in apps.get_models()
        if hasattr(m, "area_code_path") and m._meta.app_label in {"areas", "registry", "audit"}
    }
    served = {viewset.scoped_model._meta.label_lower for _p, viewset, _b in ROUTES}
    assert bound - served == NESTED_ONLY


@pytest.mark.parametrize("basename", ENDPOINTS)
def test_township_user_lists_only_own_township(world, township_a, basename) -> None:
    expected = keys(world, basename, "a1", "a2")
    if basename == "area":
        expected.add(world["a1"]["area"].parent_id)
    assert listed(township_a, basename) == expected


@pytest.mark.parametrize("basename", ENDPOINTS)
def test_other_township_record_answers_404(world, township_a, basename) -> None:
    response = client_for(township_a).get(detail_url(basename, world["b"][basename].pk))
    assert response.status_code == 404
    own = client_for(township_a).get(detail_url(basename, world["a1"][basename].pk))
    assert own.status_code == 200


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
@pytest.mark.parametrize("basename", WRITABLE)
def test_other_township_record_cannot_be_changed(world, township_a, basename, method) -> None:
    record = world["b"][basename]
    field, value = ENDPOINTS[basename]["change"]
    before = getattr(record, field)
    response = getattr(client_for(township_a), method)(
        detail_url(basename, record.pk), {field: value}, format="json"
    )
    assert response.status_code == 404
    record.refresh_from_db()
    assert getattr(record, field) == before
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_areas_are_read_only(world, township_a, method) -> None:
    village = world["a1"]["area"]
    response = getattr(client_for(township_a), method)(
        detail_url("area", village.pk), {"name": "改名"}, format="json"
    )
    assert response.status_code == 405
    village.refresh_from_db()
    assert village.name == "100镇201村"


@pytest.mark.parametrize("basename", WRITABLE)
def test_cannot_create_under_other_township(world, township_a, basename) -> None:
    model = type(world["b"][basename])
    before = model.objects.count()
    if basename == "household":
        payload = {"village": world["b"]["area"].pk, "members": []}
        field = "village"
    else:
        payload = {"household": world["b"]["household"].pk}
        field = "household"
    response = client_for(township_a).post(ENDPOINTS[basename]["url"], payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert model.objects.count() == before
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("basename", WRITABLE)
def test_viewer_cannot_write(world, basename) -> None:
    viewer = UserFactory(role="viewer", area=world["a1"]["area"].parent)
    record = world["a1"][basename]
    field, value = ENDPOINTS[basename]["change"]
    before = getattr(record, field)
    client = client_for(viewer)
    assert client.get(detail_url(basename, record.pk)).status_code == 200
    patch = client.patch(detail_url(basename, record.pk), {field: value}, format="json")
    assert patch.status_code == 403
    assert client.delete(detail_url(basename, record.pk)).status_code == 403
    assert client.post(ENDPOINTS[basename]["url"], {}, format="json").status_code == 403
    record.refresh_from_db()
    assert getattr(record, field) == before
    assert AuditEntry.objects.count() == 0


def test_other_township_household_history_answers_404(world, township_a) -> None:
    client = client_for(township_a)
    other = client.get("/api/households/{}/history/".format(world["b"]["household"].pk))
    own = client.get("/api/households/{}/history/".format(world["a1"]["household"].pk))
    assert (other.status_code, own.status_code) == (404, 200)


def test_other_township_person_cannot_be_revealed(world, township_a) -> None:
    person = world["b"]["person"]
    response = client_for(township_a).post(f"/api/persons/{person.pk}/reveal/", {}, format="json")
    assert response.status_code == 404
    assert person.id_number not in response.content.decode()
    assert AuditEntry.objects.count() == 0


def test_search_by_id_finds_only_own_township(world, township_a) -> None:
    client = client_for(township_a)
    other = client.post(
        "/api/persons/search-by-id/", {"id_number": world["b"]["person"].id_number}, format="json"
    )
    own = client.post(
        "/api/persons/search-by-id/", {"id_number": world["a1"]["person"].id_number}, format="json"
    )
    assert other.status_code == 200
    assert other.json() == []
    assert [row["id"] for row in own.json()] == [world["a1"]["person"].pk]


@pytest.mark.parametrize("basename", ENDPOINTS)
def test_village_operator_sees_only_own_village(world, basename) -> None:
    operator = UserFactory(role="village_operator", area=world["a1"]["area"])
    assert listed(operator, basename) == keys(world, basename, "a1")
    response = client_for(operator).get(detail_url(basename, world["a2"][basename].pk))
    assert response.status_code == 404


@pytest.mark.parametrize("basename", ENDPOINTS)
def test_county_admin_sees_whole_county(world, basename) -> None:
    admin = UserFactory(role="county_admin", area=world["a1"]["area"].parent.parent)
    expected = keys(world, basename, "a1", "a2", "b")
    if basename == "area":
        expected |= {
            world["a1"]["area"].parent_id,
            world["b"]["area"].parent_id,
            world["a1"]["area"].parent.parent_id,
        }
    assert listed(admin, basename) == expected


@pytest.mark.parametrize("basename", ENDPOINTS)
def test_superuser_without_area_sees_everything(world, basename) -> None:
    root = UserFactory(role="viewer", area=None, is_superuser=True)
    seen = listed(root, basename)
    assert keys(world, basename, "a1", "a2", "b", "c") <= seen
    model = type(world["a1"][basename])
    assert len(seen) == model.objects.count()


@pytest.mark.parametrize("basename", ENDPOINTS)
def test_user_without_area_sees_nothing(world, basename) -> None:
    nobody = UserFactory(role="county_admin", area=None)
    assert listed(nobody, basename) == set()
    response = client_for(nobody).get(detail_url(basename, world["a1"][basename].pk))
    assert response.status_code == 404
