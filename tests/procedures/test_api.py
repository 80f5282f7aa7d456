"""The procedures API through HTTP: batches, proposals, steps (no skipping, roles, conflicts),
closing, objections, "awaiting me", scope (404) and the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from jingzhun.accounts.api.base import ScopedQuerysetMixin
from jingzhun.audit.models import AuditEntry
from jingzhun.procedures import services
from jingzhun.procedures.api.urls import router
from jingzhun.procedures.flows import Closed, Kind, StepId
from jingzhun.procedures.models import Batch, Objection, Procedure, StepRecord
from tests.api.conftest import client_for, results
from tests.factories import UserFactory, area_chain
from tests.procedures.builders import (
    EVIDENCE,
    YEAR,
    advance,
    assess,
    exit_batch,
    meeting_household,
    verdict_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(staff):
    return staff.village_op.area


@pytest.fixture
def pair(staff, village):
    return exit_batch(village, staff, [meeting_household(village), meeting_household(village)])


@pytest.fixture
def outsider(db):
    """A village operator of another township."""
    return UserFactory(role="village_operator", area=area_chain(township="101", village="202"))


def step(user: Any, procedures: list[Procedure], step_id: str, **extra: Any) -> Any:
    body = {
        "procedures": [p.pk for p in procedures],
        "step": step_id,
        "evidence": EVIDENCE.get(step_id, {}),
        **extra,
    }
    return client_for(user).post("/api/procedures/step/", body, format="json")


def audit_count(model: str = "procedures.procedure") -> int:
    return AuditEntry.objects.filter(model=model).count()


@pytest.mark.parametrize("route", router.registry, ids=[r[2] for r in router.registry])
def test_every_viewset_builds_its_queryset_from_visible_to(route: tuple) -> None:
    _prefix, viewset, _basename = route
    assert issubclass(viewset, ScopedQuerysetMixin)
    assert viewset.get_queryset is ScopedQuerysetMixin.get_queryset


# --- batches and proposals -----------------------------------------------------------------------


def test_open_batch_and_propose(staff, village):
    households = [meeting_household(village), meeting_household(village)]
    run = assess(village, staff.county)
    client = client_for(staff.village_op)
    before = audit_count("procedures.batch")
    response = client.post(
        "/api/batches/", {"kind": "exit", "area": village.code, "year": YEAR}, format="json"
    )
    assert response.status_code == 201, response.content
    batch = response.json()
    assert (batch["kind"], batch["area"], batch["year"]) == ("exit", village.code, YEAR)
    assert audit_count("procedures.batch") == before + 1
    again = client.post(
        "/api/batches/", {"kind": "exit", "area": village.code, "year": YEAR}, format="json"
    )
    assert again.json()["id"] == batch["id"]  # one batch per kind, area and year

    proposals = [
        {"household": h.pk, "evidence": {"verdict": verdict_of(run, h).pk}} for h in households
    ]
    before = audit_count()
    response = client.post(
        f"/api/batches/{batch['id']}/propose/", {"proposals": proposals}, format="json"
    )
    assert response.status_code == 201, response.content
    rows = response.json()
    assert [r["household"] for r in rows] == [h.pk for h in households]
    assert {r["state"] for r in rows} == {"proposal"}
    assert rows[0]["head_name"] == "李*国"
    assert rows[0]["next_step"] == "village_review"
    assert rows[0]["steps"][0]["step"] == "proposal"
    assert audit_count() == before + 2


def test_propose_refuses_all_when_one_is_wrong(staff, village):
    a, b = meeting_household(village), meeting_household(village)
    run = assess(village, staff.county)
    batch = services.open_batch(Kind.EXIT, village, YEAR, acting_user=staff.village_op)
    proposals = [
        {"household": a.pk, "evidence": {"verdict": verdict_of(run, a).pk}},
        {"household": b.pk, "evidence": {}},
    ]
    response = client_for(staff.village_op).post(
        f"/api/batches/{batch.pk}/propose/", {"proposals": proposals}, format="json"
    )
    assert response.status_code == 400
    assert f"户编号 {b.number}" in str(response.json())
    assert not Procedure.objects.exists()


def test_open_batch_by_the_wrong_level_is_403(staff, village):
    response = client_for(staff.township).post(
        "/api/batches/", {"kind": "exit", "area": village.code, "year": YEAR}, format="json"
    )
    assert response.status_code == 403
    assert "须由村级操作员办理" in response.json()["detail"]
    assert not Batch.objects.exists()


def test_batches_list_filters_and_scope(staff, pair, outsider):
    client = client_for(staff.county)
    assert [b["id"] for b in results(client.get("/api/batches/"))] == [pair[0].batch_id]
    assert results(client.get("/api/batches/", {"kind": "entry"})) == []
    assert results(client.get("/api/batches/", {"year": YEAR + 1})) == []
    assert len(results(client.get("/api/batches/", {"area": pair[0].village_id[:9]}))) == 1
    assert results(client.get("/api/batches/", {"area": "532527101"})) == []
    detail = client.get(f"/api/batches/{pair[0].batch_id}/").json()
    assert detail["title"] == pair[0].batch.title and detail["notices"] == []
    other = client_for(outsider)
    assert results(other.get("/api/batches/")) == []
    assert other.get(f"/api/batches/{pair[0].batch_id}/").status_code == 404
    response = other.post(
        f"/api/batches/{pair[0].batch_id}/propose/", {"proposals": [{}]}, format="json"
    )
    assert response.status_code == 404


# --- procedures: reads ---------------------------------------------------------------------------


def test_procedures_list_retrieve_filters_and_scope(staff, pair, monkeypatch, outsider):
    advance(pair[:1], StepId.VILLAGE_REVIEW, staff, monkeypatch)
    client = client_for(staff.township)
    rows = results(client.get("/api/procedures/"))
    assert [r["id"] for r in rows] == [p.pk for p in pair]
    assert [
        r["id"] for r in results(client.get("/api/procedures/", {"state": "village_review"}))
    ] == [pair[0].pk]
    assert len(results(client.get("/api/procedures/", {"batch": pair[0].batch_id}))) == 2
    assert results(client.get("/api/procedures/", {"kind": "entry"})) == []
    assert [
        r["id"]
        for r in results(client.get("/api/procedures/", {"household": pair[1].household_id}))
    ] == [pair[1].pk]
    detail = client.get(f"/api/procedures/{pair[0].pk}/").json()
    assert [s["step"] for s in detail["steps"]] == ["proposal", "village_review"]
    assert detail["steps"][1]["evidence"]["votes_for"] == 28
    assert detail["steps"][1]["actor"] == str(staff.village_op)
    assert detail["version"] == 1
    assert detail["head_name"] == "李*国"
    other = client_for(outsider)
    assert results(other.get("/api/procedures/")) == []
    assert other.get(f"/api/procedures/{pair[0].pk}/").status_code == 404


# --- steps ---------------------------------------------------------------------------------------


def test_step_through_the_api(staff, pair):
    before = audit_count()
    response = step(staff.village_op, pair, StepId.VILLAGE_REVIEW, versions={str(pair[0].pk): 0})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["state"] for r in body["taken"]] == ["village_review"] * 2
    assert body["stopped"] == []
    assert StepRecord.objects.filter(step="village_review").count() == 2
    assert audit_count() == before + 2


def test_a_step_cannot_be_skipped_through_the_api(staff, pair):
    response = step(staff.village_op, pair, StepId.NOTICE)
    assert response.status_code == 400
    assert "当前应办理「民主评议」" in str(response.json())
    assert set(Procedure.objects.values_list("state", flat=True)) == {"proposal"}
    assert not StepRecord.objects.exclude(step="proposal").exists()


def test_step_by_the_wrong_role_is_403(staff, pair):
    response = step(staff.county, pair, StepId.VILLAGE_REVIEW)
    assert response.status_code == 403
    assert "「民主评议」须由村级操作员办理" in response.json()["detail"]
    assert set(Procedure.objects.values_list("state", flat=True)) == {"proposal"}


def test_viewer_cannot_step(staff, pair, village):
    viewer = UserFactory(role="viewer", area=village)
    assert step(viewer, pair, StepId.VILLAGE_REVIEW).status_code == 403


def test_stale_version_is_409(staff, pair):
    first = step(staff.village_op, pair[:1], StepId.VILLAGE_REVIEW, versions={pair[0].pk: 0})
    assert first.status_code == 200
    again = step(staff.village_op2, pair[:1], StepId.VERIFICATION, versions={pair[0].pk: 0})
    assert again.status_code == 409
    assert "已被他人办理，请刷新" in again.json()["detail"]
    assert Procedure.objects.get(pk=pair[0].pk).state == "village_review"


def test_step_on_another_areas_procedure_is_404(staff, pair, outsider):
    response = step(outsider, pair, StepId.VILLAGE_REVIEW)
    assert response.status_code == 404
    assert set(Procedure.objects.values_list("state", flat=True)) == {"proposal"}


def test_step_bad_evidence_is_400_naming_the_field(staff, pair):
    response = client_for(staff.village_op).post(
        "/api/procedures/step/",
        {
            "procedures": [pair[0].pk],
            "step": "village_review",
            "evidence": {**EVIDENCE[StepId.VILLAGE_REVIEW], "attendance": "many"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "attendance" in response.json()


def test_approval_stops_a_household_no_longer_meeting(staff, pair, monkeypatch):
    advance(pair, StepId.TOWNSHIP_REVIEW, staff, monkeypatch)
    # The household's income fell since the assessment.
    pair[0].household.incomes.update(
        wage_income=0, operating_income=0, net_income=0, income_per_capita=0
    )
    response = step(staff.county, pair, StepId.COUNTY_APPROVAL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["id"] for r in body["taken"]] == [pair[1].pk]
    assert [s["procedure"] for s in body["stopped"]] == [pair[0].pk]
    assert Procedure.objects.get(pk=pair[0].pk).state == Closed.STOPPED


# --- close ---------------------------------------------------------------------------------------


def test_close_through_the_api(staff, pair):
    client = client_for(staff.village_op)
    url = f"/api/procedures/{pair[0].pk}/close/"
    missing = client.post(url, {"outcome": "withdrawn", "reason": ""}, format="json")
    assert missing.status_code == 400
    response = client.post(url, {"outcome": "withdrawn", "reason": "户主要求撤回"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "withdrawn"
    assert response.json()["closing_reason"] == "户主要求撤回"
    again = client.post(url, {"outcome": "withdrawn", "reason": "再撤"}, format="json")
    assert again.status_code == 400
    stale = client.post(
        f"/api/procedures/{pair[1].pk}/close/",
        {"outcome": "rejected", "reason": "不符合", "version": 5},
        format="json",
    )
    assert stale.status_code == 409
    denied = client_for(staff.township).post(
        f"/api/procedures/{pair[1].pk}/close/",
        {"outcome": "rejected", "reason": "不符合"},
        format="json",
    )
    assert denied.status_code == 403
    assert Procedure.objects.get(pk=pair[1].pk).state == "proposal"


# --- objections and awaiting ---------------------------------------------------------------------


def test_objections_record_list_resolve(staff, pair, monkeypatch, outsider):
    advance(pair, StepId.NOTICE, staff, monkeypatch)
    client = client_for(staff.village_op)
    before = audit_count("procedures.objection")
    response = client.post(
        "/api/objections/",
        {"procedure": pair[0].pk, "text": "该户有稳定工资收入以外的隐瞒", "contact": "13912345678"},
        format="json",
    )
    assert response.status_code == 201, response.content
    objection = response.json()
    assert objection["channel"] == "in_person" and objection["status"] == "open"
    assert objection["contact"] == "139****5678"
    # The receipt the recorder hands the objector (their status lookup), as the page shows it.
    assert objection["receipt"] == Objection.objects.get(pk=objection["id"]).receipt
    assert len(objection["receipt"]) == 12 and objection["receipt"].isdigit()
    assert audit_count("procedures.objection") == before + 1
    assert [o["id"] for o in results(client.get("/api/objections/", {"status": "open"}))] == [
        objection["id"]
    ]
    assert results(client_for(outsider).get("/api/objections/")) == []
    assert client_for(outsider).get(f"/api/objections/{objection['id']}/").status_code == 404
    detail = client.get(f"/api/procedures/{pair[0].pk}/").json()
    assert [o["id"] for o in detail["objections"]] == [objection["id"]]

    # Blocks the next step.
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 12))
    blocked = step(staff.township, pair[:1], StepId.TOWNSHIP_REVIEW)
    assert blocked.status_code == 400
    assert "有未处理的异议" in str(blocked.json())

    url = f"/api/objections/{objection['id']}/resolve/"
    denied = client.post(url, {"upheld": False, "finding": "不属实"}, format="json")
    assert denied.status_code == 403
    response = client_for(staff.township).post(
        url, {"upheld": False, "finding": "经核实不属实"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dismissed"
    assert response.json()["decided_by"] == str(staff.township)
    assert step(staff.township, pair[:1], StepId.TOWNSHIP_REVIEW).status_code == 200


def test_objection_before_the_notice_is_400(staff, pair):
    response = client_for(staff.village_op).post(
        "/api/objections/", {"procedure": pair[0].pk, "text": "不同意"}, format="json"
    )
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_awaiting_me(staff, pair, monkeypatch):
    village_rows = results(client_for(staff.village_op).get("/api/procedures/awaiting/"))
    assert [(r["id"], r["next_step"], r["blocked"]) for r in village_rows] == [
        (pair[0].pk, "village_review", ""),
        (pair[1].pk, "village_review", ""),
    ]
    assert results(client_for(staff.county).get("/api/procedures/awaiting/")) == []
    advance(pair, StepId.NOTICE, staff, monkeypatch)
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 8))
    rows = results(client_for(staff.township).get("/api/procedures/awaiting/"))
    assert [r["blocked"] for r in rows] == ["公示期至 2019-01-11 结束"] * 2
    assert results(client_for(staff.village_op).get("/api/procedures/awaiting/")) == []
    filtered = client_for(staff.township).get("/api/procedures/awaiting/", {"kind": "entry"})
    assert results(filtered) == []
