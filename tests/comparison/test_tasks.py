"""Verification tasks: one per new finding with a deadline by severity; the village checks on
site; a 不属实 needs a second person at township level; a 属实 is closed with its action; a run
that finds a checked finding again sends no new task."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jingzhun.audit.models import AuditEntry
from jingzhun.comparison import verification
from jingzhun.comparison.loading import load_dataset
from jingzhun.comparison.models import Finding, VerificationTask
from jingzhun.comparison.runs import create_run, execute_run
from tests.comparison.conftest import sheet
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 4)


@pytest.fixture
def clerk(village):
    return UserFactory(role="county_admin", area=village.parent.parent)


@pytest.fixture
def cadre(village):
    return UserFactory(role="village_operator", area=village)


@pytest.fixture
def township(village):
    return UserFactory(role="township_operator", area=village.parent)


def run(user):
    return execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=user))


def task_of(rule: str) -> VerificationTask:
    return VerificationTask.objects.select_related("finding").get(finding__rule=rule)


def test_every_new_finding_gets_one_task_with_a_deadline_by_severity(county, clerk, village):
    run(clerk)
    assert VerificationTask.objects.count() == Finding.objects.count() == 7
    today = timezone.localdate()
    assert task_of("vehicle").due == today + datetime.timedelta(days=15)  # high
    assert task_of("young_in_senior_school").due == today + datetime.timedelta(days=60)  # low
    assert task_of("vehicle").area_code == village.code
    run(clerk)
    assert VerificationTask.objects.count() == 7


def test_confirmed_then_closed_with_its_action(county, clerk, cadre):
    run(clerk)
    task = task_of("vehicle")

    verification.record_check(
        task, result="confirmed", note="车辆确为户主所有，用于跑运输", checked_on=TODAY,
        acting_user=cadre,
    )  # fmt: skip
    task.refresh_from_db()
    assert (task.status, task.checked_by) == ("confirmed", cadre)
    assert task.finding.status == "confirmed"
    with pytest.raises(ValidationError):
        verification.record_check(
            task, result="confirmed", note="again", checked_on=TODAY, acting_user=cadre
        )
    verification.close_confirmed(task, note="已启动销号程序", acting_user=cadre)
    task.refresh_from_db()
    assert (task.status, task.closed_note) == ("closed", "已启动销号程序")
    assert AuditEntry.objects.filter(model="comparison.verificationtask").count() == 2
    run(clerk)  # found again: the confirmed finding is kept, no second task
    assert VerificationTask.objects.filter(finding__rule="vehicle").count() == 1


def test_not_confirmed_needs_a_second_person_at_township_level(county, clerk, cadre, township):
    run(clerk)
    task = task_of("payroll")
    verification.record_check(
        task, result="not_confirmed", note="同名不同人", checked_on=TODAY, acting_user=cadre
    )
    task.refresh_from_db()
    assert task.status == "review"
    with pytest.raises(PermissionDenied):  # a village user may not agree
        verification.review(task, agree=True, note="同意", acting_user=cadre)
    same = UserFactory(role="township_operator", area=township.area)
    task.checked_by = same
    task.save()
    with pytest.raises(PermissionDenied):  # not the one who checked
        verification.review(task, agree=True, note="同意", acting_user=same)
    verification.review(task, agree=False, note="请核对身份证原件", acting_user=township)
    task.refresh_from_db()
    assert (task.status, task.result) == ("assigned", "")
    verification.record_check(
        task, result="not_confirmed", note="已核对原件，不是同一人", checked_on=TODAY,
        acting_user=cadre,
    )  # fmt: skip
    verification.review(task, agree=True, note="同意", acting_user=township)
    task.refresh_from_db()
    assert task.status == "closed" and task.finding.status == "dismissed"
    run(clerk)
    assert Finding.objects.filter(rule="payroll").count() == 1  # dismissed, not found anew
    assert VerificationTask.objects.filter(finding__rule="payroll").count() == 1


def test_a_gone_cause_closes_its_open_task(county, clerk):
    run(clerk)
    load_dataset(
        sheet(["证件号码", "姓名", "死亡日期", "数据来源"], [["", "某人", "2019-02-01", "火化"]]),
        kind="deaths", year=2019, acting_user=clerk, name="deaths-v2.xlsx",
    )  # fmt: skip
    run(clerk)
    task = task_of("deceased")
    assert task.status == "closed" and task.closed_note.startswith("原因已消除")


def test_the_village_cadre_checks_on_a_phone_page(county, clerk, cadre, client):
    run(clerk)
    client.force_login(cadre)
    listed = client.get(reverse("comparison-tasks")).content.decode()
    task = task_of("vehicle")
    assert f'id="task-{task.pk}"' in listed and "名下小型轿车" in listed
    response = client.post(
        reverse("comparison-task", args=[task.pk]),
        {"action": "check", "result": "confirmed", "checked_on": "2026-12-01", "note": "属实"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "confirmed"
    empty = client.post(
        reverse("comparison-task", args=[task.pk]), {"action": "close", "closed_note": ""}
    )
    assert "这个字段是必填项" in empty.content.decode() or "必填" in empty.content.decode()
    export = client.get(reverse("comparison-tasks-export"), {"status": "all"})
    rows = list(
        openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
    )
    mine = VerificationTask.objects.visible_to(cadre).count()
    assert rows[0][0] == "任务编号" and len(rows) == 1 + mine == 7  # not the county's omission


def test_overdue_tasks_are_marked(county, clerk, cadre, client):
    run(clerk)
    task = task_of("vehicle")
    VerificationTask.objects.filter(pk=task.pk).update(due=datetime.date(2020, 1, 1))
    client.force_login(cadre)
    page = client.get(reverse("comparison-tasks"), {"overdue": "1"}).content.decode()
    assert f'id="task-{task.pk}"' in page and "已逾期" in page
    assert len(re.findall(r'id="task-\d+"', page)) == 1


def test_the_reports_links_narrow_the_tasks_by_area_and_rule(county, clerk, other_village, client):
    """比对报表 links a count to its tasks with ?area=&rule=: the list, its pager and its
    export keep them."""
    run(clerk)
    vehicle = task_of("vehicle")
    client.force_login(clerk)
    url = reverse("comparison-tasks")
    page = client.get(url, {"rule": "vehicle", "area": vehicle.area_code}).content.decode()
    assert re.findall(r'id="task-(\d+)"', page) == [str(vehicle.pk)]
    assert "rule=vehicle" in page and f"area={vehicle.area_code}" in page  # export link
    township = vehicle.area_code[:9] + "000"
    assert f'id="task-{vehicle.pk}"' in client.get(url, {"area": township}).content.decode()
    elsewhere = client.get(url, {"area": other_village.parent_id[:6] + "999000"})
    assert not re.findall(r'id="task-\d+"', elsewhere.content.decode())
    everything = client.get(url).content.decode()
    assert len(re.findall(r'id="task-\d+"', everything)) == VerificationTask.objects.count() > 1


def test_others_cannot_see_or_act(county, clerk, other_village):
    run(clerk)
    stranger = UserFactory(role="village_operator", area=other_village)
    task = task_of("vehicle")
    assert not VerificationTask.objects.visible_to(stranger).exists()
    with pytest.raises(PermissionDenied):
        verification.record_check(
            task, result="confirmed", note="x", checked_on=TODAY, acting_user=stranger
        )


def test_a_confirmed_exclusion_starts_the_deregistration_citing_the_task(
    county, clerk, cadre, client
):
    from jingzhun.procedures.models import Procedure, StepRecord

    people, _ = county
    run(clerk)
    task = task_of("vehicle")
    verification.record_check(
        task, result="confirmed", note="户主确有轿车", checked_on=TODAY, acting_user=cadre
    )
    client.force_login(cadre)
    page = client.get(reverse("comparison-task", args=[task.pk])).content.decode()
    assert 'id="deregister-form"' in page

    client.post(reverse("comparison-task", args=[task.pk]), {"action": "deregister"})

    task.refresh_from_db()
    procedure = Procedure.objects.get()
    assert (task.status, task.procedure) == ("closed", procedure)
    assert procedure.kind == "deregistration" and procedure.reason == "wrong"
    assert procedure.household_id == people["head"].household_id
    evidence = StepRecord.objects.get(procedure=procedure).evidence
    assert f"核查任务 #{task.pk}" in evidence["note"] and "名下小型轿车" in evidence["note"]
    closed = client.get(reverse("comparison-task", args=[task.pk])).content.decode()
    assert reverse("procedures-detail", args=[procedure.pk]) in closed
    deceased = task_of("deceased")  # a mismatch, not an exclusion: no deregistration offered
    verification.record_check(
        deceased, result="confirmed", note="已死亡", checked_on=TODAY, acting_user=cadre
    )
    with pytest.raises(ValidationError):
        verification.start_deregistration(deceased, acting_user=cadre)


def test_a_county_omission_is_handed_down_to_a_village_and_then_checked_there(
    county, clerk, cadre, township, village, other_village, client
):
    """转派: the dibao list was loaded for the county, its omission found at the county; the
    county sends it to a village, whose cadre then sees and checks it. Audited with both areas."""
    run(clerk)
    task = task_of("dibao_not_registered")
    county_code = task.area_code
    assert county_code == village.parent.parent.code
    assert not VerificationTask.objects.visible_to(cadre).filter(pk=task.pk).exists()
    choices = [v.code for v in verification.villages_below(task, clerk)]
    assert choices == [village.code, other_village.code]
    # A township does not see the county's task; a code that is not one of its villages is
    # named in the refusal.
    assert verification.villages_below(task, township) == []
    with pytest.raises(PermissionDenied):
        verification.hand_down(task, village_code=village.code, acting_user=township)
    with pytest.raises(ValidationError, match=village.parent.code):
        verification.hand_down(task, village_code=village.parent.code, acting_user=clerk)

    client.force_login(clerk)
    page = client.get(reverse("comparison-task", args=[task.pk])).content.decode()
    assert 'id="hand-down-form"' in page and other_village.code in page
    response = client.post(
        reverse("comparison-task", args=[task.pk]),
        {"action": "hand_down", "village": village.code},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.area_code == task.finding.area_code == village.code
    entry = AuditEntry.objects.filter(object_id=str(task.pk)).latest("pk")
    assert entry.changes == {"area_code": [county_code, village.code]}
    assert VerificationTask.objects.visible_to(cadre).filter(pk=task.pk).exists()
    # At a village now: no further hand-down, and the village checks it as any other task.
    assert verification.villages_below(task, clerk) == []
    with pytest.raises(ValidationError):
        verification.hand_down(task, village_code=village.code, acting_user=clerk)
    verification.record_check(
        task, result="confirmed", note="入户核实，确未识别", checked_on=TODAY, acting_user=cadre
    )


def test_a_task_is_not_handed_down_once_checked_nor_by_a_village(county, clerk, cadre, village):
    run(clerk)
    task = task_of("dibao_not_registered")
    with pytest.raises(PermissionDenied):  # the county's task is outside the village's scope
        verification.hand_down(task, village_code=village.code, acting_user=cadre)
    verification.record_check(
        task, result="not_confirmed", note="查无此人", checked_on=TODAY, acting_user=clerk
    )
    with pytest.raises(ValidationError, match="尚未核查"):
        verification.hand_down(task, village_code=village.code, acting_user=clerk)
    task.refresh_from_db()
    assert task.area_code == village.parent.parent.code
