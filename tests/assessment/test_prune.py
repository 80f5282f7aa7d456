"""Pruning old runs: per (standard, year, area) the newest finished runs stay, older ones and
day-old failed or cancelled runs go with their rows (audited); runs cited by a procedure stay."""

from __future__ import annotations

import datetime
import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jingzhun.assessment import services
from jingzhun.assessment.models import AssessmentRun, IndicatorResult, Verdict
from jingzhun.assessment.services import prune_runs, run_assessment
from jingzhun.audit.models import AuditEntry
from jingzhun.procedures.flows import Kind, ReasonCategory, StepId
from jingzhun.procedures.models import Batch, Procedure
from tests.factories import HouseholdFactory, UserFactory, area_chain

pytestmark = pytest.mark.django_db

COUNTY = "532527000000"
OTHER_COUNTY = "522301000000"


def make_run(days_ago: float, *, area_code: str = COUNTY, status: str = "finished", **fields):
    """A run started (and ended) `days_ago` days ago, with one verdict and one result row."""
    run = AssessmentRun.objects.create(
        standard_id=fields.pop("standard_id", "yunnan-2018"),
        standard_version="1",
        year=fields.pop("year", 2018),
        engine="db",
        area_code=area_code,
        status=status,
        **fields,
    )
    when = timezone.now() - datetime.timedelta(days=days_ago)
    AssessmentRun.objects.filter(pk=run.pk).update(
        started=when, finished=when if status not in ("queued", "running") else None
    )
    Verdict.objects.create(
        run=run, level="household", entity="1", area_code=area_code, met=False, unmet="income"
    )
    IndicatorResult.objects.create(
        run=run, level="household", entity="1", area_code=area_code, indicator="income", met=False
    )
    run.refresh_from_db()
    return run


def remaining() -> set[int]:
    return set(AssessmentRun.objects.values_list("pk", flat=True))


def cite(run: AssessmentRun) -> Procedure:
    """A procedure citing one of the run's verdicts."""
    village = area_chain()
    batch = Batch.objects.create(kind=Kind.EXIT, area=village, year=2018, title="x")
    return Procedure.objects.create(
        batch=batch,
        kind=Kind.EXIT,
        household=HouseholdFactory(village=village),
        village=village,
        state=StepId.PROPOSAL,
        state_since=timezone.now(),
        reason=ReasonCategory.MEETS_STANDARD,
        verdict=Verdict.objects.filter(run=run).first(),
    )


@pytest.fixture
def runs():
    """Four finished runs of one group (oldest first) and one of another area."""
    group = [make_run(days) for days in (40, 30, 20, 10)]
    other = make_run(50, area_code=OTHER_COUNTY)
    return group, other


def test_keep_two_deletes_the_two_oldest_of_the_group_with_their_rows(runs):
    (oldest, older, newer, newest), other = runs
    pruned = prune_runs(2)
    assert [r.pk for r in pruned.deleted] == [oldest.pk, older.pk] and pruned.cited == []
    assert remaining() == {newer.pk, newest.pk, other.pk}
    gone = [oldest.pk, older.pk]
    assert not Verdict.objects.filter(run_id__in=gone).exists()
    assert not IndicatorResult.objects.filter(run_id__in=gone).exists()
    assert Verdict.objects.filter(run__in=[newer, newest, other]).count() == 3
    entries = AuditEntry.objects.filter(action="delete", model="assessment.assessmentrun")
    assert sorted(int(e.object_id) for e in entries) == sorted(gone)
    assert len({e.batch for e in entries}) == 1 and entries[0].batch is not None
    assert entries[0].message.endswith("：清理旧评估，每组保留最近 2 次")


def test_a_run_cited_by_a_procedure_is_kept_and_reported(runs):
    (oldest, older, newer, newest), other = runs
    procedure = cite(oldest)
    pruned = prune_runs(2)
    assert [r.pk for r in pruned.deleted] == [older.pk]
    assert [r.pk for r in pruned.cited] == [oldest.pk]
    assert remaining() == {oldest.pk, newer.pk, newest.pk, other.pk}
    procedure.refresh_from_db()
    assert procedure.verdict.run_id == oldest.pk  # the citation still resolves


def test_failed_and_cancelled_runs_go_after_a_day_live_runs_never(runs):
    (_, _, newer, newest), other = runs
    old_failed = make_run(2, status="failed")
    old_cancelled = make_run(1.5, status="cancelled", area_code=OTHER_COUNTY)
    recent_failed = make_run(0.5, status="failed")
    old_running = make_run(30, status="running")
    old_stopping = make_run(30, status="cancelling")
    pruned = prune_runs(3)
    assert {r.pk for r in pruned.deleted} == {runs[0][0].pk, old_failed.pk, old_cancelled.pk}
    assert remaining() == {
        runs[0][1].pk,
        newer.pk,
        newest.pk,
        other.pk,
        recent_failed.pk,
        old_running.pk,
        old_stopping.pk,
    }


def test_dry_run_reports_and_deletes_nothing(runs):
    (oldest, older, _, _), _ = runs
    before = remaining()
    pruned = prune_runs(2, dry_run=True)
    assert [r.pk for r in pruned.deleted] == [oldest.pk, older.pk]
    assert remaining() == before and Verdict.objects.count() == 5
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_a_user_prunes_only_runs_within_their_scope(runs):
    (oldest, older, _, _), other = runs
    older_elsewhere = make_run(60, area_code=OTHER_COUNTY)
    user = UserFactory(role="county_admin", area=area_chain(county="522301").parent.parent)
    pruned = prune_runs(1, acting_user=user)
    assert [r.pk for r in pruned.deleted] == [older_elsewhere.pk]
    assert oldest.pk in remaining() and other.pk in remaining()
    assert AuditEntry.objects.get(action="delete").actor == user


def test_keeping_no_run_is_refused(runs):
    with pytest.raises(ValueError, match="至少保留 1 次"):
        prune_runs(0)
    assert len(remaining()) == 5


def test_command_lists_what_it_deletes_and_keeps(runs):
    (oldest, older, newer, _), _ = runs
    cite(oldest)
    out = io.StringIO()
    call_command("prune_runs", "--keep", "2", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "将删除 1 次评估：" in text and f"#{older.pk} yunnan-2018 2018 年度" in text
    assert "保留 1 次被办理程序引用的评估（不删除）：" in text and f"#{oldest.pk} " in text
    assert "试运行：未删除任何评估" in text
    assert len(remaining()) == 5

    out = io.StringIO()
    call_command("prune_runs", "--keep", "2", stdout=out)
    text = out.getvalue()
    assert "已删除 1 次评估：" in text and f"#{older.pk} " in text and "已完成" in text
    assert "试运行" not in text
    assert older.pk not in remaining() and oldest.pk in remaining()

    out = io.StringIO()
    call_command("prune_runs", "--keep", "3", stdout=out)
    assert "没有需要删除的评估（每组保留 3 次）" in out.getvalue()


def test_command_needs_a_number_to_keep(runs, settings):
    settings.KEEP_RUNS = 0
    with pytest.raises(CommandError, match="--keep"):
        call_command("prune_runs")
    settings.KEEP_RUNS = 3
    out = io.StringIO()
    call_command("prune_runs", stdout=out)
    assert "已删除 1 次评估：" in out.getvalue() and runs[0][0].pk not in remaining()


def test_a_finished_run_prunes_its_own_group_when_asked_to(registry, settings):
    older = make_run(10, area_code="")
    old_elsewhere = make_run(20, area_code=COUNTY)
    settings.KEEP_RUNS = 0
    first = run_assessment(standard_id="yunnan-2018")
    assert {older.pk, old_elsewhere.pk, first.pk} <= remaining()

    settings.KEEP_RUNS = 1
    second = run_assessment(standard_id="yunnan-2018")
    assert second.status == "finished"
    # Its group (yunnan-2018, 2018, all areas): only it is left; the other group untouched.
    assert remaining() == {second.pk, old_elsewhere.pk}
    assert not Verdict.objects.filter(run_id__in=[older.pk, first.pk]).exists()
    assert Verdict.objects.filter(run=second).exists()


def test_a_failing_prune_does_not_fail_the_run(registry, settings, monkeypatch, caplog):
    settings.KEEP_RUNS = 1

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "prune_runs", broken)
    with caplog.at_level(logging.ERROR, logger="jingzhun.assessment.services"):
        run = run_assessment(standard_id="yunnan-2018")
    assert run.status == "finished" and Verdict.objects.filter(run=run).exists()
    assert AssessmentRun.objects.get(pk=run.pk).status == "finished"
    assert "disk on fire" in caplog.text and f"run #{run.pk}" in caplog.text
