"""The state machines through `services`: allowed and refused transitions, roles and areas,
evidence, separation of duties, the notice period, objections, the approval-time check and the
atomic record change at the announcement."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from jingzhun.audit.models import AuditEntry
from jingzhun.procedures import services
from jingzhun.procedures.flows import FLOWS, Closed, Kind, StepId
from jingzhun.procedures.models import Procedure, StepRecord
from jingzhun.registry import services as registry
from jingzhun.registry.models import Household, StatusChange
from tests.factories import UserFactory, area_chain
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


def messages(error: Exception) -> str:
    return " ".join(getattr(error, "messages", [str(error)]))


@pytest.fixture
def village(staff):
    return staff.village_op.area


@pytest.fixture
def pair(staff, village):
    """Two households proposed for exit in one batch."""
    households = [meeting_household(village), meeting_household(village)]
    return exit_batch(village, staff, households)


# --- the whole way ------------------------------------------------------------------------------


def test_exit_goes_through_every_step_and_changes_status_at_the_announcement(
    staff, pair, monkeypatch
):
    advance(pair, StepId.COUNTY_APPROVAL, staff, monkeypatch)
    household = Household.objects.get(pk=pair[0].household_id)
    assert household.status == "registered"  # nothing changes before the announcement
    advance(pair, StepId.ANNOUNCEMENT, staff, monkeypatch)
    for procedure in pair:
        household = Household.objects.get(pk=procedure.household_id)
        assert household.status == "exited" and household.exit_year == 2019
        change = StatusChange.objects.get(household=household, new_status="exited")
        assert change.old_status == "registered" and change.date == datetime.date(2019, 1, 14)
        assert "泸扶〔2019〕2号" in change.reason
        steps = list(StepRecord.objects.filter(procedure=procedure).values_list("step", flat=True))
        assert steps == [s.id for s in FLOWS[Kind.EXIT].steps]
        assert StepRecord.objects.get(procedure=procedure, step="consent").evidence == {
            "date": "2019-01-04",
            "record": "确认书 2019-001",
            "note": "",
        }
        entries = AuditEntry.objects.filter(model="procedures.procedure", object_id=procedure.pk)
        assert entries.count() == len(FLOWS[Kind.EXIT].steps)
        assert not entries.filter(actor=None).exists()
    assert pair[0].notice.end - pair[0].notice.start == datetime.timedelta(days=6)


def test_announcement_is_atomic_a_failure_on_the_second_household_changes_nothing(
    staff, pair, monkeypatch
):
    advance(pair, StepId.COUNTY_APPROVAL, staff, monkeypatch)
    real = registry.change_status
    calls = []

    def fail_second(household, *args, **kwargs):
        calls.append(household.pk)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(household, *args, **kwargs)

    monkeypatch.setattr(registry, "change_status", fail_second)
    with pytest.raises(RuntimeError):
        services.take_step(
            pair, StepId.ANNOUNCEMENT, EVIDENCE[StepId.ANNOUNCEMENT], acting_user=staff.county2
        )
    for procedure in pair:
        procedure.refresh_from_db()
        assert procedure.state == StepId.COUNTY_APPROVAL
        assert Household.objects.get(pk=procedure.household_id).status == "registered"
    assert not StatusChange.objects.filter(new_status="exited").exists()
    assert not StepRecord.objects.filter(step=StepId.ANNOUNCEMENT).exists()


# --- order --------------------------------------------------------------------------------------


def test_a_step_cannot_be_skipped_or_repeated(staff, pair, pinned_today):
    with pytest.raises(ValidationError) as refused:
        services.take_step(
            pair, StepId.NOTICE, EVIDENCE[StepId.NOTICE], acting_user=staff.village_op
        )
    number = pair[0].household.number
    assert number in messages(refused.value)
    assert "当前应办理「民主评议」" in messages(refused.value)
    services.take_step(
        pair, StepId.VILLAGE_REVIEW, EVIDENCE[StepId.VILLAGE_REVIEW], acting_user=staff.village_op
    )
    with pytest.raises(ValidationError, match="当前应办理「入户核实」"):
        services.take_step(
            pair,
            StepId.VILLAGE_REVIEW,
            EVIDENCE[StepId.VILLAGE_REVIEW],
            acting_user=staff.village_op,
        )
    with pytest.raises(ValidationError, match="没有「nonsense」环节"):
        services.take_step(pair, "nonsense", {}, acting_user=staff.village_op)


def test_consent_belongs_to_exit_only(staff, village, pinned_today):
    household = meeting_household(village, status="exited")
    batch = services.open_batch(Kind.RELAPSE, village, YEAR, acting_user=staff.village_op)
    (procedure,) = services.propose(
        batch,
        [
            services.Proposal(
                household=household, evidence={"date": "2019-01-01", "source": "visit"}
            )
        ],
        acting_user=staff.village_op,
    )
    with pytest.raises(ValidationError, match="没有「consent」环节"):
        services.take_step([procedure], StepId.CONSENT, {}, acting_user=staff.village_op)


# --- who ----------------------------------------------------------------------------------------


def test_each_step_names_its_role_and_level(staff, pair, pinned_today):
    review = EVIDENCE[StepId.VILLAGE_REVIEW]
    with pytest.raises(
        PermissionDenied, match="「民主评议」须由村级操作员办理，且账号所属区划为村级"
    ):
        services.take_step(pair, StepId.VILLAGE_REVIEW, review, acting_user=staff.township)
    with pytest.raises(PermissionDenied, match="村级操作员"):
        services.take_step(pair, StepId.VILLAGE_REVIEW, review, acting_user=staff.county)
    viewer = UserFactory(role="viewer", area=staff.village_op.area)
    with pytest.raises(PermissionDenied):
        services.take_step(pair, StepId.VILLAGE_REVIEW, review, acting_user=viewer)


def test_an_operator_of_another_village_is_refused(staff, pair, pinned_today):
    elsewhere = UserFactory(role="village_operator", area=area_chain(village="299"))
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.take_step(
            pair, StepId.VILLAGE_REVIEW, EVIDENCE[StepId.VILLAGE_REVIEW], acting_user=elsewhere
        )
    assert StepRecord.objects.filter(step=StepId.VILLAGE_REVIEW).count() == 0


def test_a_maker_cannot_check_their_own_work(staff, pair, monkeypatch):
    advance(pair, StepId.COUNTY_APPROVAL, staff, monkeypatch)  # approved by staff.county
    with pytest.raises(PermissionDenied, match="经办与审核分离"):
        services.take_step(
            pair, StepId.ANNOUNCEMENT, EVIDENCE[StepId.ANNOUNCEMENT], acting_user=staff.county
        )
    assert services.may_take(staff.county2, pair[0], pair[0].next_step)
    assert not services.may_take(staff.county, pair[0], pair[0].next_step)


def test_the_township_user_who_proposes_a_village_exit_cannot_review_it(staff, village):
    run = assess(village, staff.county)
    batch = services.open_batch(Kind.VILLAGE_EXIT, village.parent, YEAR, acting_user=staff.township)
    verdict = run.verdicts.get(level="village", entity=village.code)
    assert verdict.met, verdict.unmet
    (procedure,) = services.propose(
        batch,
        [services.Proposal(village=village, evidence={"verdict": verdict.pk})],
        acting_user=staff.township,
    )
    review = EVIDENCE[StepId.TOWNSHIP_REVIEW]
    with pytest.raises(PermissionDenied, match="经办与审核分离"):
        services.take_step([procedure], StepId.TOWNSHIP_REVIEW, review, acting_user=staff.township)
    services.take_step([procedure], StepId.TOWNSHIP_REVIEW, review, acting_user=staff.township2)


# --- evidence -----------------------------------------------------------------------------------


def test_missing_and_bad_evidence_is_named_by_field(staff, pair, pinned_today):
    with pytest.raises(ValidationError) as refused:
        services.take_step(
            pair,
            StepId.VILLAGE_REVIEW,
            {"date": "2019-13-01", "attendance": "x", "votes_against": 1},
            acting_user=staff.village_op,
        )
    errors = refused.value.message_dict
    assert set(errors) == {"date", "attendance", "votes_for"}
    assert "YYYY-MM-DD" in errors["date"][0] and "整数" in errors["attendance"][0]
    assert "必须填写" in errors["votes_for"][0]
    future = {**EVIDENCE[StepId.VILLAGE_REVIEW], "date": "2019-01-11"}
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.take_step(pair, StepId.VILLAGE_REVIEW, future, acting_user=staff.village_op)


def test_a_review_without_a_majority_cannot_pass(staff, pair, pinned_today):
    tied = {**EVIDENCE[StepId.VILLAGE_REVIEW], "votes_for": 15, "votes_against": 15}
    with pytest.raises(ValidationError, match="未超过参会人数的一半"):
        services.take_step(pair, StepId.VILLAGE_REVIEW, tied, acting_user=staff.village_op)
    too_many = {**EVIDENCE[StepId.VILLAGE_REVIEW], "votes_for": 30, "votes_against": 1}
    with pytest.raises(ValidationError, match="不能超过参会人数"):
        services.take_step(pair, StepId.VILLAGE_REVIEW, too_many, acting_user=staff.village_op)


def test_a_notice_may_not_carry_a_phone_or_id_number(staff, pair, monkeypatch):
    advance(pair, StepId.CONSENT, staff, monkeypatch)
    phone = {**EVIDENCE[StepId.NOTICE], "contact": "联系李主任 13512345678"}
    with pytest.raises(ValidationError, match="手机号码"):
        services.take_step(pair, StepId.NOTICE, phone, acting_user=staff.village_op)
    long = {**EVIDENCE[StepId.NOTICE], "days": 31}
    with pytest.raises(ValidationError, match="1 到 30"):
        services.take_step(pair, StepId.NOTICE, long, acting_user=staff.village_op)


def test_notice_days_are_calendar_days_and_the_township_waits_for_the_end(staff, pair, monkeypatch):
    advance(pair, StepId.NOTICE, staff, monkeypatch)
    notice = pair[0].notice
    assert (notice.start, notice.end) == (datetime.date(2019, 1, 5), datetime.date(2019, 1, 11))
    assert notice.days == 7 and pair[1].notice_id == notice.pk
    review = {**EVIDENCE[StepId.TOWNSHIP_REVIEW], "date": "2019-01-11"}
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 11))
    with pytest.raises(ValidationError, match="公示期至 2019-01-11 结束，2019-01-12 起方可办理"):
        services.take_step(pair, StepId.TOWNSHIP_REVIEW, review, acting_user=staff.township)
    monkeypatch.setattr(services, "today", lambda: datetime.date(2019, 1, 12))
    services.take_step(
        pair, StepId.TOWNSHIP_REVIEW, {**review, "date": "2019-01-12"}, acting_user=staff.township
    )


# --- proposals ----------------------------------------------------------------------------------


def test_an_exit_must_cite_a_met_verdict_of_that_household(staff, village):
    good, poor = meeting_household(village), meeting_household(village, housing_grade="D")
    run = assess(village, staff.county)
    batch = services.open_batch(Kind.EXIT, village, YEAR, acting_user=staff.village_op)

    def propose(household, verdict):
        return services.propose(
            batch,
            [services.Proposal(household=household, evidence={"verdict": verdict.pk})],
            acting_user=staff.village_op,
        )

    with pytest.raises(ValidationError, match="未达到退出标准"):
        propose(poor, verdict_of(run, poor))
    with pytest.raises(ValidationError, match="找不到该对象的评估结论"):
        propose(poor, verdict_of(run, good))
    with pytest.raises(ValidationError, match="评估结论: 必须填写"):
        services.propose(batch, [services.Proposal(household=good)], acting_user=staff.village_op)
    (procedure,) = propose(good, verdict_of(run, good))
    assert procedure.verdict_id == verdict_of(run, good).pk
    with pytest.raises(ValidationError, match="已有正在办理的程序"):
        propose(good, verdict_of(run, good))


def test_proposals_are_all_or_none_and_name_the_household(staff, village):
    good, exited = meeting_household(village), meeting_household(village)
    run = assess(village, staff.county)
    Household.objects.filter(pk=exited.pk).update(status="exited")
    batch = services.open_batch(Kind.EXIT, village, YEAR, acting_user=staff.village_op)
    with pytest.raises(ValidationError) as refused:
        services.propose(
            batch,
            [
                services.Proposal(household=h, evidence={"verdict": verdict_of(run, h).pk})
                for h in (good, exited)
            ],
            acting_user=staff.village_op,
        )
    assert f"户编号 {exited.number}" in messages(refused.value)
    assert "「已脱贫」的户不能办理贫困户退出" in messages(refused.value)
    assert not Procedure.objects.exists()


def test_batches_are_per_village_and_opened_by_the_proposing_role(staff, village):
    with pytest.raises(ValidationError, match="按村建立批次"):
        services.open_batch(Kind.EXIT, village.parent, YEAR, acting_user=staff.village_op)
    with pytest.raises(PermissionDenied):
        services.open_batch(Kind.EXIT, village, YEAR, acting_user=staff.township)
    first = services.open_batch(Kind.EXIT, village, YEAR, acting_user=staff.village_op)
    again = services.open_batch(Kind.EXIT, village, YEAR, acting_user=staff.village_op2)
    assert first == again and first.title == f"{village.name} 2018 年贫困户退出名单"


# --- the other flows ----------------------------------------------------------------------------


def test_entry_registers_an_applicant(staff, village, monkeypatch):
    household = meeting_household(village, status="applicant")
    batch = services.open_batch(Kind.ENTRY, village, YEAR, acting_user=staff.village_op)
    procedures = services.propose(
        batch,
        [
            services.Proposal(
                household=household, evidence={"date": "2018-11-02", "source": "application"}
            )
        ],
        acting_user=staff.village_op,
    )
    advance(procedures, StepId.ANNOUNCEMENT, staff, monkeypatch)
    household.refresh_from_db()
    assert household.status == "registered"
    assert household.status_changes.filter(old_status="applicant").exists()


@pytest.mark.parametrize(
    ("kind", "before", "after", "reason"),
    [
        (Kind.RELAPSE, "exited", "relapsed", ""),
        (Kind.DEREGISTRATION, "registered", "deregistered", "death"),
    ],
)
def test_relapse_and_deregistration(staff, village, monkeypatch, kind, before, after, reason):
    household = meeting_household(village, status=before)
    batch = services.open_batch(kind, village, YEAR, acting_user=staff.village_op)
    if kind == Kind.DEREGISTRATION:
        with pytest.raises(ValidationError, match="原因类别"):
            services.propose(
                batch,
                [services.Proposal(household=household, evidence={"date": "2018-12-01"})],
                acting_user=staff.village_op,
            )
    procedures = services.propose(
        batch,
        [
            services.Proposal(
                household=household,
                reason=reason,
                evidence={"date": "2018-12-01", "source": "visit"},
            )
        ],
        acting_user=staff.village_op,
    )
    advance(procedures, StepId.ANNOUNCEMENT, staff, monkeypatch)
    household.refresh_from_db()
    assert household.status == after


def test_village_exit_dates_the_exit_by_its_announcement(staff, village, monkeypatch):
    village.poor_village_planned_exit_year = YEAR
    village.save()
    run = assess(village, staff.county)
    batch = services.open_batch(Kind.VILLAGE_EXIT, village.parent, YEAR, acting_user=staff.township)
    verdict = run.verdicts.get(level="village", entity=village.code)
    procedures = services.propose(
        batch,
        [services.Proposal(village=village, evidence={"verdict": verdict.pk})],
        acting_user=staff.township,
    )
    advance(procedures, StepId.ANNOUNCEMENT, staff, monkeypatch)
    village.refresh_from_db()
    # The exit is the announcement's date, like a household's exit year; the plan stays.
    announced = EVIDENCE[StepId.ANNOUNCEMENT]["date"]
    assert village.poor_village_exited_on == datetime.date.fromisoformat(announced)
    assert village.poor_village_planned_exit_year == YEAR
    assert AuditEntry.objects.filter(model="areas.area", object_id=village.code).exists()


# --- the approval-time check --------------------------------------------------------------------


def test_a_household_that_no_longer_meets_the_standard_is_stopped_at_approval(
    staff, pair, monkeypatch
):
    advance(pair, StepId.TOWNSHIP_REVIEW, staff, monkeypatch)
    # The house was found unsafe after the proposal.
    Household.objects.filter(pk=pair[1].household_id).update(housing_grade="D")
    outcome = services.take_step(
        pair, StepId.COUNTY_APPROVAL, EVIDENCE[StepId.COUNTY_APPROVAL], acting_user=staff.county
    )
    assert [p.pk for p in outcome.taken] == [pair[0].pk]
    ((stopped, reason),) = outcome.stopped
    assert stopped.pk == pair[1].pk and "审定时不再达到退出标准" in reason and "住房" in reason
    pair[1].refresh_from_db()
    assert pair[1].state == Closed.STOPPED and pair[1].closing_reason == reason
    # Kept in English too, shown to a reader of the English pages.
    english = pair[1].closing_reason_en
    assert english.startswith("No longer meets the exit standard at approval: "), english
    assert not re.search(r"[\u4e00-\u9fff]", english), english
    with translation.override("en"):
        assert pair[1].closing_reason_shown == english
    with translation.override("zh-hans"):
        assert pair[1].closing_reason_shown == reason
    assert not pair[1].is_open
    assert StepRecord.objects.get(procedure=pair[1], step=Closed.STOPPED).evidence["reason"]
    advance(pair[:1], StepId.ANNOUNCEMENT, staff, monkeypatch)
    statuses = Household.objects.filter(pk__in=[p.household_id for p in pair])
    assert sorted(statuses.values_list("status", flat=True)) == ["exited", "registered"]


# --- objections ---------------------------------------------------------------------------------


def test_an_open_objection_blocks_and_its_finding_decides(staff, pair, monkeypatch):
    advance(pair, StepId.NOTICE, staff, monkeypatch)
    notice = pair[0].notice
    monkeypatch.setattr(services, "today", lambda: notice.start)
    objection = services.lodge_objection(
        notice, pair[0], "该户家中新购轿车，收入情况不实", client="c1"
    )
    monkeypatch.setattr(services, "today", lambda: notice.end + datetime.timedelta(days=3))
    review = {**EVIDENCE[StepId.TOWNSHIP_REVIEW], "date": "2019-01-13"}
    with pytest.raises(ValidationError, match=f"{pair[0].household.number}: 有未处理的异议"):
        services.take_step(pair, StepId.TOWNSHIP_REVIEW, review, acting_user=staff.township)
    with pytest.raises(PermissionDenied):
        services.resolve_objection(objection, True, "属实", acting_user=staff.village_op)
    with pytest.raises(ValidationError, match="核查结论"):
        services.resolve_objection(objection, True, " ", acting_user=staff.township)
    services.resolve_objection(objection, True, "核实属实，暂缓退出", acting_user=staff.township)
    pair[0].refresh_from_db()
    assert pair[0].state == Closed.REMOVED
    assert pair[0].closing_reason == "异议成立：核实属实，暂缓退出"
    assert pair[0].closing_reason_en == "Objection upheld: 核实属实，暂缓退出"  # as typed
    outcome = services.take_step(
        [pair[1]], StepId.TOWNSHIP_REVIEW, review, acting_user=staff.township
    )
    assert outcome.taken == [pair[1]]
    with pytest.raises(ValidationError, match="该异议已处理"):
        services.resolve_objection(objection, False, "再议", acting_user=staff.township2)


def test_a_dismissed_objection_lets_the_household_continue(staff, pair, monkeypatch):
    advance(pair, StepId.NOTICE, staff, monkeypatch)
    objection = services.record_objection(
        pair[1], "邻居来电反映情况", acting_user=staff.village_op, name="张某"
    )
    with pytest.raises(PermissionDenied, match="登记异议的人员"):
        # a township user who recorded it cannot decide it either
        services.resolve_objection(
            services.record_objection(pair[0], "来访", acting_user=staff.township),
            False,
            "不属实",
            acting_user=staff.township,
        )
    services.resolve_objection(objection, False, "经核查不属实", acting_user=staff.township2)
    objection.refresh_from_db()
    assert (objection.status, objection.decided_by) == ("dismissed", staff.township2)
    pair[1].refresh_from_db()
    assert pair[1].is_open and pair[1].state == StepId.NOTICE


def test_public_objections_only_during_the_period_and_rate_limited(staff, pair, monkeypatch):
    advance(pair, StepId.NOTICE, staff, monkeypatch)
    notice = pair[0].notice
    monkeypatch.setattr(services, "today", lambda: notice.end + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="当前不在公示期内"):
        services.lodge_objection(notice, pair[0], "情况不实，请核查", client="c")
    monkeypatch.setattr(services, "today", lambda: notice.end)
    for _ in range(services.OBJECTIONS_PER_HOUR):
        services.lodge_objection(notice, pair[0], "情况不实，请核查", client="c")
    with pytest.raises(PermissionDenied, match="过于频繁"):
        services.lodge_objection(notice, pair[1], "情况不实，请核查", client="c")
    services.lodge_objection(notice, pair[1], "情况不实，请核查", client="other")


# --- withdraw and reject ------------------------------------------------------------------------


def test_withdraw_before_the_notice_and_reject_by_the_reviewer(staff, pair, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: TODAY)
    services.close(pair[0], Closed.WITHDRAWN, "户主外出务工，暂缓", acting_user=staff.village_op2)
    pair[0].refresh_from_db()
    assert pair[0].state == Closed.WITHDRAWN
    advance(pair[1:], StepId.NOTICE, staff, monkeypatch)
    with pytest.raises(ValidationError, match="已公示的程序不能撤回"):
        services.close(pair[1], Closed.WITHDRAWN, "撤回", acting_user=staff.village_op)
    with pytest.raises(PermissionDenied):
        services.close(pair[1], Closed.REJECTED, "材料不全", acting_user=staff.county)
    services.close(pair[1], Closed.REJECTED, "材料不全", acting_user=staff.township)
    pair[1].refresh_from_db()
    assert (pair[1].state, pair[1].closing_reason) == (Closed.REJECTED, "材料不全")
    # A closed household may start a new procedure.
    assert not Procedure.objects.filter(
        household=pair[1].household_id, state__in=[s.value for s in StepId]
    ).exists()


def test_a_stale_version_is_a_conflict(staff, pair, pinned_today):
    seen = {p.pk: p.version for p in pair}
    services.take_step(
        pair, StepId.VILLAGE_REVIEW, EVIDENCE[StepId.VILLAGE_REVIEW], acting_user=staff.village_op
    )
    with pytest.raises(services.Conflict):
        services.close(pair[0], Closed.WITHDRAWN, "撤回", acting_user=staff.village_op, version=0)
    with pytest.raises(services.Conflict, match="已被他人办理"):
        services.take_step(
            pair,
            StepId.VERIFICATION,
            EVIDENCE[StepId.VERIFICATION],
            acting_user=staff.village_op,
            versions=seen,
        )


def test_the_client_address_comes_from_the_proxy_header_only_when_configured(settings):
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 5.6.7.8"}
    settings.CLIENT_ADDRESS_HEADER = ""
    assert services.client_address(meta) == "10.0.0.1"
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    assert services.client_address(meta) == "5.6.7.8"
    assert services.client_address({"REMOTE_ADDR": "10.0.0.1"}) == "10.0.0.1"
    assert services.client_key("5.6.7.8") != services.client_key("10.0.0.1")
    assert "5.6.7.8" not in services.client_key("5.6.7.8")
