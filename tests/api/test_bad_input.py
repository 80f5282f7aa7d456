"""Issue #11 item 9: malformed or out-of-range input answers 400 with a message, never a 500.

Over-large integers used to reach the database (SQLite raises OverflowError past 2**63),
unbounded years built impossible dates, a protected delete raised ProtectedError and a proposal
without its household raised AttributeError."""

from __future__ import annotations

from typing import Any

import pytest

from jingzhun.procedures.flows import Kind
from jingzhun.procedures.models import Batch, Procedure
from jingzhun.registry.models import Household
from tests.api.conftest import client_for, populate
from tests.factories import UserFactory, area_chain

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # past 2**64: no database integer holds it


@pytest.fixture
def admin(db) -> Any:
    village = area_chain()
    populate(village)
    return UserFactory(role="county_admin", area=village.parent.parent)


def assert_400(response: Any) -> dict:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body, "a 400 says why"
    return body


@pytest.mark.parametrize(
    "url",
    [
        f"/api/households/?area={HUGE}",
        "/api/households/?area=5325x7",
        "/api/households/?area=5325271002010",
        f"/api/persons/?area={HUGE}",
        f"/api/incomes/?area={HUGE}",
        f"/api/helpers/?area={HUGE}",
        f"/api/measures/?area={HUGE}",
        f"/api/batches/?area={HUGE}",
        f"/api/procedures/?area={HUGE}",
    ],
)
def test_malformed_area_code_is_400(admin, url):
    body = assert_400(client_for(admin).get(url))
    assert body["area"] == ["区划代码应为1至12位数字"]


@pytest.mark.parametrize(
    "url",
    [
        f"/api/persons/?household={HUGE}",
        f"/api/incomes/?household={HUGE}",
        f"/api/incomes/?year={HUGE}",
        f"/api/helpers/?household={HUGE}",
        f"/api/measures/?household={HUGE}",
        f"/api/measures/?year={HUGE}",
        f"/api/households/?entry_year={HUGE}",
        f"/api/households/?exit_year={HUGE}",
        f"/api/batches/?year={HUGE}",
        f"/api/procedures/?batch={HUGE}",
        f"/api/procedures/?household={HUGE}",
        f"/api/objections/?procedure={HUGE}",
        f"/api/objections/?batch={HUGE}",
        f"/api/assessment-runs/?year={HUGE}",
        "/api/procedures/?batch=-99999999999999999999",
    ],
)
def test_over_large_integer_filter_is_400(admin, url):
    body = assert_400(client_for(admin).get(url))
    (name,) = body
    assert name in url


@pytest.mark.parametrize("year", ["10000", "0", "-1", HUGE])
def test_gap_year_out_of_range_is_400(admin, year):
    body = assert_400(client_for(admin).get(f"/api/households/?gap=education&year={year}"))
    assert "year" in body


@pytest.mark.parametrize("page", [HUGE, "10000000000000000"])
def test_over_large_page_is_400(admin, page):
    body = assert_400(client_for(admin).get(f"/api/households/?page={page}"))
    assert body == {"page": ["页码应为1至10000000之间的整数"]}


def test_page_past_the_end_stays_404(admin):
    assert client_for(admin).get("/api/households/?page=9999999").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["households", "persons", "incomes", "helpers", "measures", "batches", "procedures"],
)
def test_over_large_id_in_url_is_404(admin, path):
    response = client_for(admin).get(f"/api/{path}/{HUGE}/")
    assert response.status_code == 404


def test_over_large_procedure_id_in_step_is_400(admin):
    response = client_for(admin).post(
        "/api/procedures/step/",
        {"procedures": [int(HUGE)], "step": "village_review", "evidence": {}},
        format="json",
    )
    body = assert_400(response)
    assert "procedures" in body


def test_over_large_version_key_in_step_is_400(admin):
    response = client_for(admin).post(
        "/api/procedures/step/",
        {"procedures": [1], "step": "village_review", "evidence": {}, "versions": {HUGE: 1}},
        format="json",
    )
    assert response.status_code in (400, 404)


@pytest.fixture
def household_in_procedure(admin) -> Household:
    household = Household.objects.get()
    batch = Batch.objects.create(
        kind=Kind.EXIT, area=household.village, year=2018, title="2018年贫困户退出"
    )
    Procedure.objects.create(
        batch=batch,
        kind=Kind.EXIT,
        household=household,
        village=household.village,
        state="proposal",
        state_since="2019-01-01T00:00:00Z",
        reason="standard",
    )
    return household


def test_deleting_a_household_with_a_procedure_is_409_with_the_reason(
    admin, household_in_procedure
):
    response = client_for(admin).delete(f"/api/households/{household_in_procedure.pk}/")
    assert response.status_code == 409, response.content
    assert "办理程序" in response.json()["detail"]
    assert Household.objects.filter(pk=household_in_procedure.pk).exists()


def test_propose_a_village_in_a_household_batch_is_400(admin):
    village = Household.objects.get().village
    batch = Batch.objects.create(kind=Kind.EXIT, area=village, year=2018, title="2018年贫困户退出")
    operator = UserFactory(role="village_operator", area=village)
    response = client_for(operator).post(
        f"/api/batches/{batch.pk}/propose/",
        {"proposals": [{"village": village.code}]},
        format="json",
    )
    body = assert_400(response)
    assert body == {"household": ["贫困户退出须指明贫困户"]}
    assert not Procedure.objects.exists()


def test_propose_a_household_in_a_village_batch_is_400(admin):
    household = Household.objects.get()
    batch = Batch.objects.create(
        kind=Kind.VILLAGE_EXIT, area=household.village.parent, year=2018, title="出列"
    )
    operator = UserFactory(role="township_operator", area=household.village.parent)
    response = client_for(operator).post(
        f"/api/batches/{batch.pk}/propose/",
        {"proposals": [{"household": household.pk}]},
        format="json",
    )
    body = assert_400(response)
    assert body == {"village": ["该村不属于本批次所在乡镇"]}
    assert not Procedure.objects.exists()


@pytest.mark.parametrize("item", [{}, {"household": None, "village": None}])
def test_propose_neither_household_nor_village_is_400(admin, item):
    village = Household.objects.get().village
    batch = Batch.objects.create(kind=Kind.EXIT, area=village, year=2018, title="2018年贫困户退出")
    operator = UserFactory(role="village_operator", area=village)
    response = client_for(operator).post(
        f"/api/batches/{batch.pk}/propose/", {"proposals": [item]}, format="json"
    )
    body = assert_400(response)
    assert body == {"proposals": {"0": {"non_field_errors": ["贫困户和行政村须且只须填写一项"]}}}
