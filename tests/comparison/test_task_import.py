"""The task list exported for field work, filled in and uploaded back: every row checked (row,
column, value named), nothing recorded if any row is bad, the checks recorded as the uploader
and audited, the same file twice changes nothing."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhun.audit.models import AuditEntry
from jingzhun.comparison.models import VerificationTask
from jingzhun.comparison.runs import create_run, execute_run
from jingzhun.comparison.task_import import import_checks
from jingzhun.imports.models import ImportJob
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def tasks(county, village):
    clerk = UserFactory(role="county_admin", area=village.parent.parent)
    execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))
    return {t.finding.rule: t for t in VerificationTask.objects.select_related("finding")}


@pytest.fixture
def cadre(village):
    return UserFactory(role="village_operator", area=village)


def exported(client, user) -> openpyxl.Workbook:
    client.force_login(user)
    response = client.get(reverse("comparison-tasks-export"))
    return openpyxl.load_workbook(io.BytesIO(response.content))


def fill(book: openpyxl.Workbook, answers: dict[int, tuple]) -> bytes:
    """Write (result, note, date) into the rows of the tasks named in `answers`."""
    sheet = book.active
    header = [c.value for c in sheet[1]]
    columns = [header.index(h) + 1 for h in ("核查结果", "核查情况", "核查日期")]
    for row in range(2, sheet.max_row + 1):
        answer = answers.get(sheet.cell(row, 1).value)
        if answer:
            for column, value in zip(columns, answer, strict=True):
                sheet.cell(row, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_filled_list_is_recorded_as_the_uploader(tasks, cadre, client):
    vehicle, payroll = tasks["vehicle"], tasks["payroll"]
    content = fill(
        exported(client, cadre),
        {
            vehicle.pk: ("属实", "轿车为户主所有", datetime.date(2026, 11, 30)),
            payroll.pk: ("不属实", "同名不同人", "2026-11-29"),
        },
    )

    response = client.post(
        reverse("comparison-tasks-import"),
        {"file": SimpleUploadedFile("核查任务.xlsx", content, XLSX)},
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "finished", job.error
    assert job.result["error_count"] == 0 and job.result["counts"][0][2] == 2
    vehicle.refresh_from_db()
    payroll.refresh_from_db()
    assert (vehicle.status, vehicle.checked_by, vehicle.note) == (
        "confirmed",
        cadre,
        "轿车为户主所有",
    )
    assert vehicle.checked_on == datetime.date(2026, 11, 30)
    assert (payroll.status, payroll.result) == ("review", "not_confirmed")  # township reviews
    left = VerificationTask.objects.filter(status="assigned").count()
    assert left == len(tasks) - 2  # the rows left blank
    assert (
        AuditEntry.objects.filter(model="comparison.verificationtask", action="update").count() == 2
    )
    upload = AuditEntry.objects.get(model="comparison.verificationtask", action="import")
    assert upload.actor == cadre and upload.changes["recorded"] == 2

    again = import_checks(content, name="核查任务.xlsx", acting_user=cadre)
    assert (again.errors, again.recorded, again.unchanged) == ([], 0, 2)
    writes = AuditEntry.objects.filter(
        model="comparison.verificationtask", action__in=["update", "import"]
    )
    assert writes.count() == 3


def test_a_bad_row_is_named_and_nothing_is_recorded(tasks, cadre, client, other_village):
    stranger_task = tasks["dibao_not_registered"]  # the county's: not the village cadre's
    content = fill(
        exported(client, cadre),
        {
            tasks["vehicle"].pk: ("属实", "属实", "2026-11-30"),  # good, but not kept
            tasks["payroll"].pk: ("是", "同名", "2026-11-30"),
            tasks["deceased"].pk: ("属实", "", "2026-11-30"),
            tasks["dibao_unmarked"].pk: ("不属实", "已标注", "2099-01-01"),
            tasks["young_in_senior_school"].pk: ("属实", "年龄有误", "十一月"),
        },
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    book.active.append(
        [stranger_task.pk, None, None, None, None, None, None, "属实", "x", "2026-11-30"]
    )
    book.active.append(
        [tasks["vehicle"].pk, None, None, None, None, None, None, "属实", "x", "2026-11-30"]
    )
    buffer = io.BytesIO()
    book.save(buffer)

    result = import_checks(buffer.getvalue(), name="核查任务.xlsx", acting_user=cadre)

    found = {(e.column, e.message) for e in result.errors}
    assert ("核查结果", "应为「属实」或「不属实」，实际为「是」") in found
    assert ("核查情况", "请填写核查情况") in found
    assert any(c == "核查日期" and "2099-01-01" in m for c, m in found)
    assert any(c == "核查日期" and "十一月" in m for c, m in found)
    assert any(c == "任务编号" and f"找不到任务 {stranger_task.pk}" in m for c, m in found)
    assert any(c == "任务编号" and "重复" in m for c, m in found)
    assert all(e.row > 1 for e in result.errors) and result.recorded == 0
    assert not VerificationTask.objects.exclude(status="assigned").exists()
    assert not AuditEntry.objects.filter(
        model="comparison.verificationtask", action__in=["update", "import"]
    ).exists()


def test_a_file_without_the_columns_is_refused(tasks, cadre):
    book = openpyxl.Workbook()
    book.active.append(["任务编号", "核查结果"])
    book.active.append([tasks["vehicle"].pk, "属实"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_checks(buffer.getvalue(), name="x.xlsx", acting_user=cadre)
    assert [(e.row, e.column) for e in result.errors] == [(1, "核查情况")]
    assert "核查日期" in result.errors[0].message
