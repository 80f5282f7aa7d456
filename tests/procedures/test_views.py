"""The procedure pages: the board (counts per stage, overdue, awaiting me), the batch page's step,
close and objection forms with their refusals, proposals, history, scope and the household
page's section."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jingzhun.audit.models import AuditEntry
from jingzhun.procedures import services
from jingzhun.procedures.flows import Closed, Kind, StepId
from jingzhun.procedures.models import Batch, Objection, Procedure, StepRecord
from jingzhun.registry.models import Household
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, area_chain
from tests.procedures.builders import (
    EVIDENCE,
    TODAY,
    YEAR,
    advance,
    assess,
    exit_batch,
    meeting_household,
    verdict_of,
)

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def village(staff):
    return staff.village_op.area


@pytest.fixture
def trio(staff, village):
    """Three households proposed for exit in one batch (heads 李建国)."""
    return exit_batch(village, staff, [meeting_household(village) for _ in range(3)])


def step_post(procedures: list[Procedure], step: str, evidence: dict, **extra: Any) -> dict:
    data: dict[str, Any] = {
        "procedures": [p.pk for p in procedures],
        "step": step,
        **{f"version-{p.pk}": p.version for p in procedures},
        **{f"{step}-{name}": value for name, value in evidence.items()},
    }
    data.update(extra)
    return data


def batch_url(procedure: Procedure, action: str = "") -> str:
    name = "procedures-batch" + (f"-{action}" if action else "")
    return reverse(name, args=[procedure.batch_id])


# --- the board -----------------------------------------------------------------------------------


def test_board_counts_batches_by_stage(staff, trio, monkeypatch, pinned_today):
    advance(trio[:2], StepId.VILLAGE_REVIEW, staff, monkeypatch)
    services.close(trio[2], Closed.WITHDRAWN, "户主要求暂缓", acting_user=staff.village_op)
    response = client_for(staff.township).get(reverse("procedures-board"), {"year": YEAR})
    assert response.status_code == 200
    (label, items), *others = response.context["groups"]
    assert others == []
    assert label == Kind.EXIT.label
    (item,) = items
    stages = item["stages"]
    assert stages.total == 3
    assert [(s.label, s.count) for s in stages.open] == [("待入户核实", 2)]
    assert [(s.label, s.count) for s in stages.closed] == [("已撤回", 1)]
    assert "待入户核实 2" in text(response)


def test_board_counts_running_notice_and_default_year(staff, trio, monkeypatch, pinned_today):
    advance(trio, StepId.NOTICE, staff, monkeypatch)  # notice 2019-01-05 .. 2019-01-11
    client = client_for(staff.county)
    # Default year: the newest with batches (2018, though today is in 2019).
    response = client.get(reverse("procedures-board"))
    assert response.context["year"] == YEAR and response.context["groups"]
    assert client.get(reverse("procedures-board"), {"year": 2019}).context["groups"] == []
    response = client.get(reverse("procedures-board"), {"year": YEAR})
    stages = response.context["groups"][0][1][0]["stages"]
    assert [(s.label, s.count) for s in stages.open] == [("公示中", 3)]
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 12))
    response = client.get(reverse("procedures-board"), {"year": YEAR})
    stages = response.context["groups"][0][1][0]["stages"]
    assert [(s.label, s.count) for s in stages.open] == [("待乡镇审核", 3)]


def test_board_area_filter_stays_within_scope(staff, trio):
    other = area_chain(township="101", village="202")
    HouseholdFactory(village=other)
    client = client_for(staff.county)
    shown = client.get(reverse("procedures-board"), {"year": YEAR, "area": other.code})
    assert shown.context["groups"] == []
    own = client.get(reverse("procedures-board"), {"year": YEAR, "area": trio[0].village_id})
    assert len(own.context["groups"]) == 1
    # An area outside the user's scope is ignored, not used to widen or to leak.
    outsider = UserFactory(role="village_operator", area=other)
    response = client_for(outsider).get(
        reverse("procedures-board"), {"year": YEAR, "area": trio[0].village_id}
    )
    assert response.context["groups"] == []
    assert response.context["chosen_area"] == ""


def age(procedures: list[Procedure], days: int) -> None:
    since = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(9)))
    Procedure.objects.filter(pk__in=[p.pk for p in procedures]).update(
        state_since=since - datetime.timedelta(days=days)
    )


def test_overdue_counts_from_state_since(staff, trio, pinned_today):
    # Awaiting the village review (15 days): 16 days is late, 15 is not.
    age(trio[:1], 16)
    age(trio[1:2], 15)
    response = client_for(staff.county).get(reverse("procedures-board"))
    assert [p.pk for p in response.context["overdue"]] == [trio[0].pk]
    assert response.context["overdue_count"] == 1
    (row,) = response.context["overdue"]
    assert row.due == TODAY - datetime.timedelta(days=1)
    assert row.late_days == 1
    assert "超期未办" in text(response)


def test_overdue_after_a_notice_counts_from_the_day_after_it_ends(staff, trio, monkeypatch):
    advance(trio, StepId.NOTICE, staff, monkeypatch)  # ends 2019-01-11; review due 2019-01-17
    age(trio, 100)  # state_since does not matter for the step after a notice
    client = client_for(staff.township)
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 17))
    assert client.get(reverse("procedures-board")).context["overdue_count"] == 0
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 18))
    response = client.get(reverse("procedures-board"))
    assert response.context["overdue_count"] == 3
    assert {r.due for r in response.context["overdue"]} == {datetime.date(2019, 1, 17)}


def test_awaiting_me_by_role_level_and_blocking(staff, trio, monkeypatch):
    village_client = client_for(staff.village_op)
    response = village_client.get(reverse("procedures-board"))
    assert {p.pk for p in response.context["awaiting"]} == {p.pk for p in trio}
    assert client_for(staff.township).get(reverse("procedures-board")).context["awaiting"] == []

    advance(trio, StepId.NOTICE, staff, monkeypatch)  # today pinned inside the notice
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 8))
    assert village_client.get(reverse("procedures-board")).context["awaiting_count"] == 0
    services.record_objection(trio[0], "该户有小汽车", acting_user=staff.village_op)
    response = client_for(staff.township).get(reverse("procedures-board"))
    rows = {p.pk: p for p in response.context["awaiting"]}
    assert set(rows) == {p.pk for p in trio}
    assert rows[trio[0].pk].blocked == "有未处理的异议"
    assert rows[trio[1].pk].blocked == "公示期至 2019-01-11 结束"
    assert "暂不能办理" in text(response)

    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 12))
    rows = {
        p.pk: p
        for p in client_for(staff.township).get(reverse("procedures-board")).context["awaiting"]
    }
    assert rows[trio[0].pk].blocked == "有未处理的异议"
    assert rows[trio[1].pk].blocked == ""


def test_awaiting_me_leaves_out_checker_steps_on_my_own_procedures(staff, trio, monkeypatch):
    advance(trio, StepId.COUNTY_APPROVAL, staff, monkeypatch)  # by staff.county
    mine = client_for(staff.county).get(reverse("procedures-board")).context
    assert mine["awaiting_count"] == 0  # the announcement is a checker's step
    other = client_for(staff.county2).get(reverse("procedures-board")).context
    assert other["awaiting_count"] == 3
    assert {p.next_step.id for p in other["awaiting"]} == {StepId.ANNOUNCEMENT}


def test_board_queries_do_not_grow_with_procedures(staff, village, monkeypatch):
    client = client_for(staff.county2)
    first = exit_batch(village, staff, [meeting_household(village)])
    advance(first, StepId.COUNTY_APPROVAL, staff, monkeypatch)
    age(first, 30)

    def board_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("procedures-board"), {"year": YEAR})
        assert response.status_code == 200
        return len(queries)

    once = board_queries()
    more = [meeting_household(village) for _ in range(5)]
    batch = Batch.objects.get()
    services.propose(
        batch,
        [
            services.Proposal(
                household=h, evidence={"verdict": verdict_of(assess(village, staff.county), h).pk}
            )
            for h in more
        ],
        acting_user=staff.village_op,
    )
    assert board_queries() == once


# --- the batch page: steps -----------------------------------------------------------------------


def test_batch_page_lists_masked_heads_and_step_panel(staff, trio):
    response = client_for(staff.village_op).get(batch_url(trio[0]))
    assert response.status_code == 200
    page = text(response)
    assert "李*国" in page and "李建国" not in page
    assert [p["step"].id for p in response.context["panels"]] == [StepId.VILLAGE_REVIEW]
    assert response.context["panels"][0]["allowed"] is True
    assert 'name="village_review-attendance"' in page
    # A township user sees who may take it instead of the form.
    other = client_for(staff.township).get(batch_url(trio[0]))
    assert other.context["panels"][0]["allowed"] is False
    assert "须由村级操作员办理" in text(other)


def test_batch_step_form_takes_the_step(staff, trio):
    client = client_for(staff.village_op)
    data = step_post(trio[:2], StepId.VILLAGE_REVIEW, EVIDENCE[StepId.VILLAGE_REVIEW])
    response = client.post(batch_url(trio[0], "step"), data)
    assert response.status_code == 302
    states = dict(Procedure.objects.values_list("pk", "state"))
    assert states == {
        trio[0].pk: StepId.VILLAGE_REVIEW,
        trio[1].pk: StepId.VILLAGE_REVIEW,
        trio[2].pk: StepId.PROPOSAL,
    }
    record = StepRecord.objects.get(procedure=trio[0], step=StepId.VILLAGE_REVIEW)
    assert record.actor == staff.village_op
    assert record.evidence["votes_for"] == 28 and record.evidence["date"] == "2019-01-02"
    follow = client.get(response["Location"])
    assert "已办理「民主评议」：2 户" in text(follow)


def test_batch_step_refused_for_the_wrong_role(staff, trio):
    data = step_post(trio[:1], StepId.VILLAGE_REVIEW, EVIDENCE[StepId.VILLAGE_REVIEW])
    response = client_for(staff.township).post(batch_url(trio[0], "step"), data)
    assert response.status_code == 403
    assert "「民主评议」须由村级操作员办理" in text(response)
    assert Procedure.objects.get(pk=trio[0].pk).state == StepId.PROPOSAL
    assert not StepRecord.objects.filter(step=StepId.VILLAGE_REVIEW).exists()


def test_batch_step_bad_evidence_is_shown_on_the_fields(staff, trio):
    client = client_for(staff.village_op)
    evidence = {**EVIDENCE[StepId.VILLAGE_REVIEW], "date": ""}
    response = client.post(
        batch_url(trio[0], "step"), step_post(trio, StepId.VILLAGE_REVIEW, evidence)
    )
    assert response.status_code == 400
    (panel,) = response.context["panels"]
    assert "date" in panel["form"].errors
    # The service's own rule lands on its field too.
    evidence = {**EVIDENCE[StepId.VILLAGE_REVIEW], "votes_for": 10, "votes_against": 2}
    response = client.post(
        batch_url(trio[0], "step"), step_post(trio, StepId.VILLAGE_REVIEW, evidence)
    )
    assert response.status_code == 400
    assert "赞成票未超过参会人数的一半" in str(
        response.context["panels"][0]["form"].errors["votes_for"]
    )
    assert set(Procedure.objects.values_list("state", flat=True)) == {StepId.PROPOSAL}


def test_batch_step_cannot_skip_a_step(staff, trio):
    evidence = EVIDENCE[StepId.VERIFICATION]
    response = client_for(staff.village_op).post(
        batch_url(trio[0], "step"), step_post(trio[:1], StepId.VERIFICATION, evidence)
    )
    assert response.status_code == 400
    assert "当前应办理「民主评议」" in text(response)
    assert Procedure.objects.get(pk=trio[0].pk).state == StepId.PROPOSAL


def test_batch_step_with_a_stale_version_is_a_conflict(staff, trio):
    client = client_for(staff.village_op)
    data = step_post(trio[:1], StepId.VILLAGE_REVIEW, EVIDENCE[StepId.VILLAGE_REVIEW])
    # Someone else moved it after the page was read.
    services.take_step(
        trio[:1],
        StepId.VILLAGE_REVIEW,
        EVIDENCE[StepId.VILLAGE_REVIEW],
        acting_user=staff.village_op2,
    )
    response = client.post(batch_url(trio[0], "step"), data)
    assert response.status_code == 409
    assert "已被他人办理，请刷新" in text(response)
    assert StepRecord.objects.filter(procedure=trio[0], step=StepId.VILLAGE_REVIEW).count() == 1


def test_batch_step_needs_a_selection(staff, trio):
    data = step_post([], StepId.VILLAGE_REVIEW, EVIDENCE[StepId.VILLAGE_REVIEW])
    response = client_for(staff.village_op).post(batch_url(trio[0], "step"), data)
    assert response.status_code == 400
    assert "请选择要办理的户" in text(response)


def test_batch_close_rejects_with_reason(staff, trio):
    client = client_for(staff.village_op)
    data = {"procedures": [trio[0].pk], f"version-{trio[0].pk}": 0, "outcome": "rejected"}
    missing = client.post(batch_url(trio[0], "close"), {**data, "reason": ""})
    assert missing.status_code == 400
    assert Procedure.objects.get(pk=trio[0].pk).state == StepId.PROPOSAL
    response = client.post(batch_url(trio[0], "close"), {**data, "reason": "评议未通过"})
    assert response.status_code == 302
    procedure = Procedure.objects.get(pk=trio[0].pk)
    assert (procedure.state, procedure.closing_reason) == (Closed.REJECTED, "评议未通过")
    # The county may not reject what a village operator takes next.
    data = {"procedures": [trio[1].pk], "outcome": "rejected", "reason": "不同意"}
    refused = client_for(staff.county).post(batch_url(trio[1], "close"), data)
    assert refused.status_code == 403
    assert Procedure.objects.get(pk=trio[1].pk).state == StepId.PROPOSAL


# --- objections ----------------------------------------------------------------------------------


def test_objection_recorded_in_person_blocks_and_is_resolved(staff, trio, monkeypatch):
    advance(trio, StepId.NOTICE, staff, monkeypatch)
    client = client_for(staff.village_op)
    response = client.post(
        reverse("procedures-objection-new", args=[trio[0].batch_id]),
        {"procedure": trio[0].pk, "text": "该户家中有人在县城买房", "contact": "13912345678"},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.recorded_by == staff.village_op and objection.channel == "in_person"
    page = text(client_for(staff.township).get(batch_url(trio[0])))
    assert "该户家中有人在县城买房" in page and "记录核查结论" in page

    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 12))
    review = {**EVIDENCE[StepId.TOWNSHIP_REVIEW]}
    blocked = client_for(staff.township).post(
        batch_url(trio[0], "step"), step_post(trio[:1], StepId.TOWNSHIP_REVIEW, review)
    )
    assert blocked.status_code == 400
    assert "有未处理的异议" in text(blocked)

    url = reverse("procedures-objection-resolve", args=[objection.pk])
    prefix = f"objection-{objection.pk}"
    denied = client.post(url, {f"{prefix}-decision": "upheld", f"{prefix}-finding": "属实"})
    assert denied.status_code == 403
    assert "异议须由乡镇或县级审核人员处理" in text(denied)
    done = client_for(staff.township).post(
        url, {f"{prefix}-decision": "upheld", f"{prefix}-finding": "经核实属实"}
    )
    assert done.status_code == 302
    procedure = Procedure.objects.get(pk=trio[0].pk)
    assert procedure.state == Closed.REMOVED
    assert Objection.objects.get().decided_by == staff.township


# --- proposals -----------------------------------------------------------------------------------


def test_exit_proposal_page_lists_households_meeting_the_standard(staff, village):
    meeting = [meeting_household(village), meeting_household(village)]
    not_meeting = HouseholdFactory(village=village, status="registered")
    PersonFactory(household=not_meeting, name="赵六")
    busy = meeting_household(village)
    run = assess(village, staff.county)
    batch = services.open_batch(Kind.EXIT, village, YEAR, acting_user=staff.village_op)
    services.propose(
        batch,
        [services.Proposal(household=busy, evidence={"verdict": verdict_of(run, busy).pk})],
        acting_user=staff.village_op,
    )
    client = client_for(staff.village_op)
    response = client.get(reverse("procedures-new"), {"kind": "exit"})
    assert response.status_code == 200
    assert response.context["year"] == YEAR  # the latest assessed year
    assert response.context["run_id"] == run.pk
    assert [r["key"] for r in response.context["rows"]] == [h.pk for h in meeting]
    assert "李*国" in text(response)

    data = {"selected": [meeting[0].pk], f"verdict-{meeting[0].pk}": verdict_of(run, meeting[0]).pk}
    created = client.post(reverse("procedures-new") + f"?kind=exit&year={YEAR}", data)
    assert created.status_code == 302
    assert created["Location"] == reverse("procedures-batch", args=[batch.pk])
    assert Procedure.objects.filter(batch=batch, household=meeting[0]).exists()


def test_exit_proposal_citing_a_wrong_verdict_is_refused_all_or_none(staff, village):
    a, b = meeting_household(village), meeting_household(village)
    run = assess(village, staff.county)
    data = {
        "selected": [a.pk, b.pk],
        f"verdict-{a.pk}": verdict_of(run, a).pk,
        f"verdict-{b.pk}": verdict_of(run, a).pk,  # a's verdict cited for b
    }
    response = client_for(staff.village_op).post(
        reverse("procedures-new") + f"?kind=exit&year={YEAR}", data
    )
    assert response.status_code == 400
    assert f"户编号 {b.number}" in text(response)
    assert not Procedure.objects.exists()
    assert not Batch.objects.exists()


def test_deregistration_proposal_takes_reason_per_household(staff, village):
    household = HouseholdFactory(village=village, status="registered")
    PersonFactory(household=household, name="孙七")
    url = reverse("procedures-new") + f"?kind=deregistration&year={YEAR}"
    client = client_for(staff.village_op)
    response = client.get(url)
    assert [r["key"] for r in response.context["rows"]] == [household.pk]
    data = {"selected": [household.pk], "proposal-date": "2019-01-02"}
    missing = client.post(url, data)
    assert missing.status_code == 400
    assert "原因类别" in text(missing)
    done = client.post(url, {**data, f"reason-{household.pk}": "death"})
    assert done.status_code == 302
    procedure = Procedure.objects.get(household=household)
    assert (procedure.kind, procedure.reason) == (Kind.DEREGISTRATION, "death")


def test_proposal_page_refuses_the_wrong_role(staff):
    response = client_for(staff.township).get(reverse("procedures-new"), {"kind": "exit"})
    assert response.status_code == 403
    assert "「提出」须由村级操作员办理" in text(response)


def test_village_exit_proposal_for_township(staff, village):
    response = client_for(staff.township).get(reverse("procedures-new"), {"kind": "village_exit"})
    assert response.status_code == 200
    assert response.context["area"] == village.parent


# --- history, scope, household page ------------------------------------------------------------


def test_procedure_page_shows_history_with_labelled_evidence(staff, trio, monkeypatch):
    advance(trio[:1], StepId.VILLAGE_REVIEW, staff, monkeypatch)
    response = client_for(staff.county).get(reverse("procedures-detail", args=[trio[0].pk]))
    assert response.status_code == 200
    page = text(response)
    assert "评议会日期：2019-01-02" in page and "赞成票：28" in page
    assert [r.step for r in response.context["records"]] == [
        StepId.PROPOSAL,
        StepId.VILLAGE_REVIEW,
    ]


def test_another_areas_batch_and_procedure_are_404(staff, trio):
    other = area_chain(township="101", village="202")
    outsider = client_for(UserFactory(role="village_operator", area=other))
    assert outsider.get(batch_url(trio[0])).status_code == 404
    assert outsider.get(reverse("procedures-detail", args=[trio[0].pk])).status_code == 404
    data = step_post(trio[:1], StepId.VILLAGE_REVIEW, EVIDENCE[StepId.VILLAGE_REVIEW])
    assert outsider.post(batch_url(trio[0], "step"), data).status_code == 404
    # A procedure of another area slipped into one's own batch's form: 404 as well.
    own = UserFactory(role="village_operator", area=other)
    HouseholdFactory(village=other)
    assert (
        client_for(own).post(batch_url(trio[0], "close"), {"procedures": [trio[0].pk]}).status_code
        == 404
    )
    assert Procedure.objects.get(pk=trio[0].pk).state == StepId.PROPOSAL


def test_household_page_lists_its_procedures(staff, trio, monkeypatch):
    advance(trio[:1], StepId.VILLAGE_REVIEW, staff, monkeypatch)
    response = client_for(staff.village_op).get(
        reverse("household-detail", args=[trio[0].household_id])
    )
    page = text(response)
    assert "办理程序" in page
    assert reverse("procedures-detail", args=[trio[0].pk]) in page
    assert trio[0].batch.title in page
    assert "民主评议" in page
    empty = HouseholdFactory(village=trio[0].village)
    assert "暂无办理程序" in text(
        client_for(staff.village_op).get(reverse("household-detail", args=[empty.pk]))
    )


def test_audit_entries_written_by_page_actions(staff, trio):
    before = AuditEntry.objects.filter(model="procedures.procedure").count()
    client_for(staff.village_op).post(
        batch_url(trio[0], "step"),
        step_post(trio[:2], StepId.VILLAGE_REVIEW, EVIDENCE[StepId.VILLAGE_REVIEW]),
    )
    assert AuditEntry.objects.filter(model="procedures.procedure").count() == before + 2
    assert Household.objects.filter(status="registered").count() == 3
