"""Runs started from the page: recorded at once, executed by the task worker, progress polled."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from jingzhun.assessment.models import AssessmentRun, Verdict
from jingzhun.assessment.services import create_run
from jingzhun.audit.models import AuditEntry
from tests.factories import UserFactory
from tests.worker import task_worker


def work_off_queue() -> None:
    """What `jingzhun db_worker --batch` does."""
    task_worker().run()


def start(client, **data):
    form = {"standard": "yunnan-2018", "year": "2018", "engine": "db", "area": ""} | data
    return client.post(reverse("assessment-start"), form)


@pytest.fixture
def admin(registry):
    return UserFactory(role="county_admin", area=registry["v"][0].parent.parent)


@pytest.mark.django_db(transaction=True)
def test_page_queues_a_run_and_the_worker_executes_it(client, admin, registry):
    client.force_login(admin)
    response = start(client)
    assert response.status_code == 302
    run = AssessmentRun.objects.get()
    # Recorded and queued, nothing evaluated yet: the request does not do the work.
    assert (run.status, run.area_code, run.created_by) == ("queued", admin.area_id, admin)
    assert not Verdict.objects.exists()
    assert DBTaskResult.objects.get().args_kwargs == {"args": [run.pk], "kwargs": {}}
    fragment = client.get(reverse("assessment-progress", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "排队" in fragment

    work_off_queue()

    run.refresh_from_db()
    assert (run.status, run.progress) == ("finished", "已完成")
    # Only the admin's county (532527): 5 households of 泸西县, not the other county's.
    assert run.counts["household"]["entities"] == 5
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    fragment = client.get(reverse("assessment-progress", args=[run.pk])).content.decode()
    assert "hx-trigger" not in fragment and 'data-status="finished"' in fragment
    page = client.get(reverse("assessment-runs")).content.decode()
    assert f'id="run-{run.pk}"' in page and "泸西县" in page


@pytest.mark.django_db(transaction=True)
def test_a_failing_run_is_marked_failed_with_its_error(client, admin, registry, monkeypatch):
    client.force_login(admin)
    assert start(client).status_code == 302

    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr("jingzhun.assessment.services.input_view", broken)
    work_off_queue()
    run = AssessmentRun.objects.get()
    assert run.status == "failed" and "engine exploded" in run.error
    assert not Verdict.objects.filter(run=run).exists()
    assert DBTaskResult.objects.get().status == "FAILED"
    fragment = client.get(reverse("assessment-progress", args=[run.pk])).content.decode()
    assert 'data-status="failed"' in fragment and "engine exploded" in fragment


@pytest.mark.django_db
def test_refusals_write_nothing(client, admin, registry):
    client.force_login(admin)
    other_county = registry["v"][3].code  # 522301…, outside the admin's county
    response = start(client, area=other_county)
    assert response.status_code == 400
    # No poverty line before 2014: refused on the form, not later in the worker.
    response = start(client, year="2013")
    assert response.status_code == 400
    assert "2013" in response.content.decode()
    assert not AssessmentRun.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not AuditEntry.objects.filter(model="assessment.assessmentrun").exists()


@pytest.mark.django_db
def test_only_editors_start_runs_and_runs_are_scoped(client, registry):
    county = registry["v"][0].parent.parent
    viewer = UserFactory(role="viewer", area=county)
    client.force_login(viewer)
    page = client.get(reverse("assessment-runs")).content.decode()
    assert 'id="run-form"' not in page
    assert start(client).status_code == 403
    run = create_run(standard_id="yunnan-2018", area_code=county.code)
    assert client.get(reverse("assessment-progress", args=[run.pk])).status_code == 200
    stranger = UserFactory(role="county_admin", area=registry["v"][3].parent.parent)
    client.force_login(stranger)
    assert client.get(reverse("assessment-progress", args=[run.pk])).status_code == 404
    assert f'id="run-{run.pk}"' not in client.get(reverse("assessment-runs")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_run_is_never_executed(client, admin, registry):
    client.force_login(admin)
    start(client)
    run = AssessmentRun.objects.get()
    assert client.post(reverse("assessment-cancel", args=[run.pk])).status_code == 302
    work_off_queue()
    run.refresh_from_db()
    assert run.status == "cancelled" and not Verdict.objects.exists()
    assert AuditEntry.objects.filter(object_id=str(run.pk), action="update").exists()
    # Deleting removes the run with its rows; a second cancel is refused politely.
    response = client.post(reverse("assessment-cancel", args=[run.pk]), follow=True)
    assert "不能取消" in response.content.decode()


@pytest.mark.django_db
def test_deleting_a_finished_run_removes_its_rows_and_is_audited(client, admin, registry):
    from jingzhun.assessment.models import IndicatorResult
    from jingzhun.assessment.services import run_assessment

    run = run_assessment(standard_id="yunnan-2018", acting_user=admin)
    other = run_assessment(standard_id="national-2016", acting_user=admin)
    assert IndicatorResult.objects.filter(run=run).exists()
    client.force_login(UserFactory(role="viewer", area=admin.area))
    assert client.post(reverse("assessment-delete", args=[run.pk])).status_code == 403
    client.force_login(admin)
    assert client.post(reverse("assessment-delete", args=[run.pk])).status_code == 302
    assert not AssessmentRun.objects.filter(pk=run.pk).exists()
    assert not IndicatorResult.objects.filter(run_id=run.pk).exists()
    assert not Verdict.objects.filter(run_id=run.pk).exists()
    assert Verdict.objects.filter(run=other).exists()  # the other run is untouched
    assert AuditEntry.objects.filter(
        object_id=str(run.pk), action="delete", model="assessment.assessmentrun"
    ).exists()
