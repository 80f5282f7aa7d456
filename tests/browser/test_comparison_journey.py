"""Journeys of 数据比对 (issue #12), a county clerk at 1366 px and a village cadre on a 390 px
phone: the clerk loads a department's list (the traffic police's vehicles; the deaths list),
runs the comparison (a real task worker); the cadre sees the task, confirms it on site and
starts the deregistration, which cites it. No page scrolls sideways."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.utils import timezone

from jingzhun.comparison.models import VerificationTask
from jingzhun.procedures.models import Procedure, StepRecord
from tests.browser.conftest import log_in
from tests.factories import HouseholdFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def vehicles_file(path, owner: str) -> None:
    book = openpyxl.Workbook()
    book.active.append(
        ["车主证件号码", "车主姓名", "号牌号码", "车辆类型", "购置价格（元）", "初次登记日期"]
    )
    book.active.append([owner, "李四", "云G12345", "小型轿车", 86000, "2018-06-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())


def load_and_compare(page, live_server, kind: str, upload, rule: str) -> None:
    """The clerk at 1366 px loads the file as a dataset of `kind`, runs the comparison and sees
    one finding of `rule`; then logs out."""
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, "clerk")
    page.click("nav >> text=数据比对")
    page.click("#comparison-nav >> text=部门数据")
    page.click("#dataset-load-link")
    page.select_option("select[name=kind]", kind)
    page.fill("input[name=year]", "2019")
    page.set_input_files("input[name=file]", str(upload))
    page.click("form.import-form button[type=submit]")
    page.wait_for_selector("#import-result >> text=导入完成")

    page.goto(f"{live_server.url}/comparison/runs/")
    page.fill("input[name=year]", "2019")
    page.click("#run-form button[type=submit]")
    page.wait_for_selector('.run-status-box[data-status="finished"]', timeout=60_000)
    page.reload()
    assert "1" in page.inner_text(f"#rule-{rule}")
    page.click("text=退出")


def confirm_on_a_phone(page, live_server, task: VerificationTask, note: str) -> None:
    """The cadre on a 390 px phone opens the task from the list and records 属实."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "cadre")
    page.goto(f"{live_server.url}/comparison/tasks/")
    assert overflow(page) <= 0
    page.click(f"#task-{task.pk} a")
    page.check("input[name=result][value=confirmed]")
    page.fill("input[name=checked_on]", timezone.localdate().isoformat())
    page.fill("textarea[name=note]", note)
    page.click("#check-form button[type=submit]")


def test_from_a_department_list_to_a_deregistration(
    live_server, page, village, worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    head = PersonFactory(household=HouseholdFactory(village=village), name="李四")
    UserFactory(username="clerk", role="county_admin", area=village.parent.parent)
    UserFactory(username="cadre", role="village_operator", area=village)
    upload = tmp_path / "车辆登记.xlsx"
    vehicles_file(upload, head.id_number)

    load_and_compare(page, live_server, "vehicles", upload, "vehicle")

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "cadre")
    page.goto(f"{live_server.url}/comparison/tasks/")
    assert overflow(page) <= 0
    task = VerificationTask.objects.get()
    card = page.inner_text(f"#task-{task.pk}")
    assert "名下小型轿车（云G12345），购置价 86,000 元" in card and "李四" not in card
    page.click(f"#task-{task.pk} a")
    page.check("input[name=result][value=confirmed]")
    page.fill("input[name=checked_on]", timezone.localdate().isoformat())
    page.fill("textarea[name=note]", "入户核实：户主名下轿车属实，用于家庭出行")
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#deregister-form")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth + 1).map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)"
    )
    assert overflow(page) <= 0, wide
    page.click("#deregister-form button[type=submit]")
    page.wait_for_selector("text=查看程序")
    assert overflow(page) <= 0

    procedure = Procedure.objects.get()
    assert (procedure.kind, procedure.household_id) == ("deregistration", head.household_id)
    note = StepRecord.objects.get(procedure=procedure).evidence["note"]
    assert f"核查任务 #{task.pk}" in note and "用于家庭出行" in note


def test_from_a_deaths_list_to_the_deregistration_of_a_household_of_one(
    live_server, page, village, worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    alone = PersonFactory(household=HouseholdFactory(village=village), name="王五")
    UserFactory(username="clerk", role="county_admin", area=village.parent.parent)
    UserFactory(username="cadre", role="village_operator", area=village)
    upload = tmp_path / "死亡人口.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["证件号码", "姓名", "死亡日期", "数据来源"])
    book.active.append([alone.id_number, "王五", "2019-08-01", "火化"])
    book.save(upload)

    load_and_compare(page, live_server, "deaths", upload, "deceased")
    task = VerificationTask.objects.get()
    confirm_on_a_phone(page, live_server, task, "入户核实：王五已于8月去世，村委会出具证明")
    page.wait_for_selector("#death-form")
    assert overflow(page) <= 0
    page.goto(f"{live_server.url}/comparison/tasks/import/")  # the paper list comes back here
    assert page.locator("#task-import-form input[name=file]").count() == 1
    assert overflow(page) <= 0
    page.goto(f"{live_server.url}/comparison/tasks/{task.pk}/")
    assert page.locator("#deregister-form").count() == 0  # a death is not an exclusion
    page.click("#death-form button[type=submit]")
    page.wait_for_selector("text=查看程序")
    assert overflow(page) <= 0

    procedure = Procedure.objects.get()
    assert (procedure.kind, procedure.reason) == ("deregistration", "death")
    assert procedure.household_id == alone.household_id
    note = StepRecord.objects.get(procedure=procedure).evidence["note"]
    assert f"核查任务 #{task.pk}" in note and "村委会出具证明" in note
    page.click("text=查看程序")  # the procedure opened from the task, to run its own steps
    page.wait_for_selector(f"text={alone.household.number}")
