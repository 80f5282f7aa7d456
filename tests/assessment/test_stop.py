"""Stopping a running run: asked from the page, noticed at the next progress step, the run ends
cancelled with nothing stored; a run whose worker died (no progress for RUN_STALE_MINUTES) is
marked failed by the same action."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jingzhun.assessment import services
from jingzhun.assessment.models import AssessmentRun, IndicatorResult, Verdict
from jingzhun.assessment.services import create_run, delete_run, execute_run, stop_run
from jingzhun.audit.models import AuditEntry
from tests.assessment.test_background import start, work_off_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(registry):
    return UserFactory(role="county_admin", area=registry["v"][0].parent.parent)


def stop_after(monkeypatch, name: str, calls: int, action) -> None:
    """Call `action()` once, right after the `calls`-th call of services.`name` returned."""
    original = getattr(services, name)
    seen = []

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        seen.append(1)
        if len(seen) == calls:
            action()
        return result

    monkeypatch.setattr(services, name, wrapped)


def stop_audits(run: AssessmentRun) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(run.pk), action="update").values_list(
            "message", flat=True
        )
    )


def test_stop_between_levels_ends_the_run_cancelled_with_nothing_stored(
    registry, admin, monkeypatch
):
    run = create_run(standard_id="yunnan-2018", acting_user=admin)
    # Asked while the household level is being evaluated: noticed before the village level.
    stop_after(monkeypatch, "level_counts", 1, lambda: stop_run(run, admin))
    said: list[str] = []
    result = execute_run(run, said.append)
    assert result.status == "cancelled" and result.finished is not None
    assert result.error == "" and result.progress == "已按请求停止"
    assert said == ["正在读取登记数据", "正在计算户级指标"]
    assert Verdict.objects.count() == 0 and IndicatorResult.objects.count() == 0
    assert stop_audits(run) == [f"请求停止评估 #{run.pk}"]
    entry = AuditEntry.objects.get(object_id=str(run.pk), action="update")
    assert entry.actor == admin and entry.area_code == admin.area_id


@pytest.mark.parametrize("engine", ["db", "duckdb"])
def test_stop_during_the_store_rolls_the_stored_rows_back(registry, admin, monkeypatch, engine):
    run = create_run(standard_id="yunnan-2018", engine=engine, acting_user=admin)

    # After the households' verdicts and results are written (two store calls), inside the
    # store transaction: the check before the village level's store sees it.
    def ask() -> None:
        assert Verdict.objects.filter(run=run).exists()  # rows were written…
        stop_run(run, admin)

    stop_after(monkeypatch, "store", 2, ask)
    said: list[str] = []
    assert execute_run(run, said.append).status == "cancelled"
    assert said[-1] == "保存 户 层级结果…"
    # …and rolled back with the transaction.
    assert Verdict.objects.count() == 0 and IndicatorResult.objects.count() == 0
    # The engine is left usable: the next run on it finishes.
    monkeypatch.undo()
    again = services.run_assessment(standard_id="yunnan-2018", engine=engine)
    assert again.status == "finished" and Verdict.objects.filter(run=again).exists()


def test_a_run_that_finishes_before_noticing_stays_finished(registry, admin, monkeypatch):
    run = create_run(standard_id="yunnan-2018", acting_user=admin)
    # Asked after the last progress step (storing the county results): too late.
    stop_after(monkeypatch, "store", 6, lambda: stop_run(run, admin))
    result = execute_run(run)
    assert result.status == "finished" and result.counts["household"]["entities"] == 5
    assert Verdict.objects.filter(run=run).count() == 5 + 3 + 1
    assert AssessmentRun.objects.get(pk=run.pk).status == "finished"


def test_stopping_a_run_that_is_not_running_is_refused(registry, admin):
    finished = services.run_assessment(standard_id="yunnan-2018", acting_user=admin)
    queued = create_run(standard_id="yunnan-2018", acting_user=admin)
    assert stop_run(finished, admin) is None and stop_run(queued, admin) is None
    assert (finished.status, queued.status) == ("finished", "queued")
    assert stop_audits(finished) == [] and stop_audits(queued) == []
    assert Verdict.objects.filter(run=finished).count() == 5 + 3 + 1


def test_a_second_stop_request_records_nothing_more(registry, admin):
    run = create_run(standard_id="yunnan-2018", acting_user=admin)
    AssessmentRun.objects.filter(pk=run.pk).update(status="running")
    assert stop_run(run, admin) == "cancelling"
    assert stop_run(run, admin) == "cancelling"
    assert run.status == "cancelling" and len(stop_audits(run)) == 1
    with pytest.raises(ValueError, match="尚未结束"):
        delete_run(run, admin)  # still live: its worker has not noticed yet


def test_a_run_without_progress_for_too_long_is_marked_failed(client, registry, admin, settings):
    client.force_login(admin)
    settings.RUN_STALE_MINUTES = 30
    stale = create_run(standard_id="yunnan-2018", acting_user=admin)
    stopping = create_run(standard_id="yunnan-2018", acting_user=admin)
    fresh = create_run(standard_id="yunnan-2018", acting_user=admin)
    old = timezone.now() - datetime.timedelta(minutes=31)
    AssessmentRun.objects.filter(pk=stale.pk).update(status="running", updated=old)
    AssessmentRun.objects.filter(pk=stopping.pk).update(status="cancelling", updated=old)
    recent = timezone.now() - datetime.timedelta(minutes=29)
    AssessmentRun.objects.filter(pk=fresh.pk).update(status="running", updated=recent)
    stale.refresh_from_db()
    assert stale.is_stale is True
    fragment = client.get(reverse("assessment-progress", args=[stale.pk])).content.decode()
    assert "长时间没有进度，后台进程可能已中断" in fragment

    assert stop_run(stale, admin) == "failed"
    assert (stale.status, stale.error) == ("failed", "后台进程已中断")
    assert stale.finished is not None
    assert stop_audits(stale) == [
        f"评估 #{stale.pk} 超过 30 分钟没有进度，后台进程已中断，标记为失败"
    ]
    # A stop already asked for, but the worker is gone: the second click fails it.
    assert stop_run(stopping, admin) == "failed" and stopping.status == "failed"
    # Progress 29 minutes ago: still alive, asked to stop instead.
    assert stop_run(fresh, admin) == "cancelling" and fresh.error == ""
    assert fresh.is_stale is False
    delete_run(stale, admin)  # over now: it can go


def test_a_worker_that_wakes_after_being_marked_failed_stores_nothing(
    registry, admin, monkeypatch, settings
):
    run = create_run(standard_id="yunnan-2018", acting_user=admin)

    def abandoned() -> None:
        old = timezone.now() - datetime.timedelta(minutes=settings.RUN_STALE_MINUTES + 1)
        AssessmentRun.objects.filter(pk=run.pk).update(updated=old)
        assert stop_run(run, admin) == "failed"

    stop_after(monkeypatch, "level_counts", 2, abandoned)
    result = execute_run(run)
    assert (result.status, result.error) == ("failed", "后台进程已中断")
    assert Verdict.objects.count() == 0


def test_the_heartbeat_moves_with_each_progress_step(registry, admin):
    run = create_run(standard_id="yunnan-2018", acting_user=admin)
    before = run.updated
    AssessmentRun.objects.filter(pk=run.pk).update(updated=before - datetime.timedelta(hours=2))
    execute_run(run)
    run.refresh_from_db()
    assert run.status == "finished" and run.updated >= before


def test_assess_command_says_the_run_was_stopped(registry, monkeypatch):
    def ask() -> None:
        run = AssessmentRun.objects.get()
        stop_run(run, None)

    stop_after(monkeypatch, "level_counts", 1, ask)
    with pytest.raises(CommandError, match=r"评估 #\d+ 已按请求停止，未保存任何结果"):
        call_command("assess")
    assert AssessmentRun.objects.get().status == "cancelled"
    assert not Verdict.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_page_stops_a_running_run(client, admin, registry, monkeypatch):
    client.force_login(admin)
    assert start(client).status_code == 302
    run = AssessmentRun.objects.get()
    shown: dict[str, str] = {}

    def press_stop() -> None:
        page = client.get(reverse("assessment-runs")).content.decode()
        shown["list"] = page
        response = client.post(reverse("assessment-stop", args=[run.pk]), follow=True)
        shown["message"] = response.content.decode()
        shown["fragment"] = client.get(
            reverse("assessment-progress", args=[run.pk])
        ).content.decode()

    stop_after(monkeypatch, "level_counts", 1, press_stop)
    work_off_queue()

    assert reverse("assessment-stop", args=[run.pk]) in shown["list"]
    assert "将在当前步骤结束后停止" in shown["message"]
    assert 'data-status="cancelling"' in shown["fragment"] and "正在停止" in shown["fragment"]
    assert 'hx-trigger="every 1s"' in shown["fragment"]
    run.refresh_from_db()
    assert run.status == "cancelled" and not Verdict.objects.exists()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    fragment = client.get(reverse("assessment-progress", args=[run.pk])).content.decode()
    assert 'data-status="cancelled"' in fragment and "已取消：已按请求停止" in fragment
    page = client.get(reverse("assessment-runs")).content.decode()
    assert reverse("assessment-stop", args=[run.pk]) not in page
    assert reverse("assessment-delete", args=[run.pk]) in page
    # Stopping it again is refused politely.
    response = client.post(reverse("assessment-stop", args=[run.pk]), follow=True)
    assert "不在运行中，不能停止" in response.content.decode()


def test_only_editors_of_the_runs_area_may_stop_it(client, admin, registry):
    run = create_run(standard_id="yunnan-2018", acting_user=admin)
    AssessmentRun.objects.filter(pk=run.pk).update(status="running")
    url = reverse("assessment-stop", args=[run.pk])
    stranger = UserFactory(role="county_admin", area=registry["v"][3].parent.parent)
    client.force_login(stranger)
    assert client.post(url).status_code == 404
    client.force_login(UserFactory(role="viewer", area=admin.area))
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    run.refresh_from_db()
    assert run.status == "running" and stop_audits(run) == []
    client.force_login(admin)
    detail = client.get(reverse("assessment-run", args=[run.pk])).content.decode()
    assert url in detail and 'name="next" value="detail"' in detail
    response = client.post(url, {"next": "detail"})
    assert response.status_code == 302 and response.url == reverse("assessment-run", args=[run.pk])
    run.refresh_from_db()
    assert run.status == "cancelling"


@pytest.mark.django_db(transaction=True)
def test_a_stop_from_another_connection_is_seen_during_the_store(registry, admin, monkeypatch):
    """PostgreSQL: the worker holds no lock on the run's row while it stores, so the request
    (another connection) neither waits for the store nor goes unseen. (SQLite serialises every
    write: there the request waits for the store's transaction to end.)"""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    run = create_run(standard_id="yunnan-2018", acting_user=admin)
    storing, asked = threading.Event(), threading.Event()

    def pause() -> None:
        storing.set()
        assert asked.wait(30)

    stop_after(monkeypatch, "store", 2, pause)
    outcome: dict[str, object] = {}

    def worker() -> None:
        try:
            outcome["status"] = execute_run(run).status
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    assert storing.wait(30)
    began = time.monotonic()
    assert stop_run(run, admin) == "cancelling"
    assert time.monotonic() - began < 5  # not blocked by the worker's open transaction
    asked.set()
    thread.join(60)
    assert outcome["status"] == "cancelled"
    assert AssessmentRun.objects.get(pk=run.pk).status == "cancelled"
    assert Verdict.objects.count() == 0 and IndicatorResult.objects.count() == 0
    assert stop_audits(run) == [f"请求停止评估 #{run.pk}"]
