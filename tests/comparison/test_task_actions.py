"""What a confirmed verification task does: a death removes the member through the registry
(or deregisters a household of one), a mismatch corrects the registry field its rule names, an
omission registers an applicant and opens its entry procedure; each linked on the task."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jingzhun.audit.models import AuditEntry
from jingzhun.comparison import actions, verification
from jingzhun.comparison.loading import load_dataset
from jingzhun.comparison.models import VerificationTask
from jingzhun.comparison.runs import create_run, execute_run
from jingzhun.procedures.models import Procedure, StepRecord
from jingzhun.registry.models import Household, Person
from tests.comparison.conftest import sheet
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, id_number

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 1)
DEATHS = ["证件号码", "姓名", "死亡日期", "数据来源"]


@pytest.fixture
def clerk(village):
    return UserFactory(role="county_admin", area=village.parent.parent)


@pytest.fixture
def cadre(village):
    return UserFactory(role="village_operator", area=village)


def load(clerk, kind: str, header: list[str], rows: list[list[object]]) -> None:
    result = load_dataset(
        sheet(header, rows), kind=kind, year=2019, acting_user=clerk, name=f"{kind}.xlsx"
    )
    assert result.ok, result.errors


def run_and_confirm(clerk, cadre, rule: str, note: str = "入户核实属实") -> VerificationTask:
    execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))
    task = VerificationTask.objects.get(finding__rule=rule)
    verification.record_check(
        task, result="confirmed", note=note, checked_on=TODAY, acting_user=cadre
    )
    return task


def test_a_confirmed_death_removes_the_member_through_the_registry(village, clerk, cadre, client):
    household = HouseholdFactory(village=village)
    PersonFactory(household=household, name="李四", relation="head")
    mother = PersonFactory(
        household=household, name="张桂英", relation="mother", sex="female",
        birth_date=datetime.date(1940, 2, 1),
    )  # fmt: skip
    load(clerk, "deaths", DEATHS, [[mother.id_number, "张桂英", "2019-03-01", "火化"]])
    task = run_and_confirm(clerk, cadre, "deceased", "已去世，家属确认")
    client.force_login(cadre)
    page = client.get(reverse("comparison-task", args=[task.pk])).content.decode()
    assert 'id="death-form"' in page and 'id="deregister-form"' not in page

    client.post(reverse("comparison-task", args=[task.pk]), {"action": "death"})

    task.refresh_from_db()
    assert not Person.objects.filter(pk=mother.pk).exists()
    assert list(household.members.values_list("name", flat=True)) == ["李四"]
    change = task.change
    assert (task.status, change.action, change.model) == ("closed", "delete", "registry.person")
    assert change.object_id == str(mother.pk) and change.actor == cadre
    assert change.household_id == household.pk and task.procedure is None
    assert "张*英" in task.closed_note and "张桂英" not in task.closed_note
    shown = client.get(reverse("comparison-task", args=[task.pk])).content.decode()
    assert 'id="task-change"' in shown and "张桂英" not in shown and "张*英" in shown
    assert AuditEntry.objects.filter(
        model="comparison.verificationtask",
        object_id=str(task.pk),
        changes__change=[None, change.pk],
    ).exists()


def test_the_death_of_a_households_only_member_starts_its_deregistration(village, clerk, cadre):
    alone = PersonFactory(household=HouseholdFactory(village=village), name="王五")
    load(clerk, "deaths", DEATHS, [[alone.id_number, "王五", "2019-08-01", "火化"]])
    task = run_and_confirm(clerk, cadre, "deceased")

    actions.record_death(task, acting_user=cadre)

    task.refresh_from_db()
    procedure = Procedure.objects.get()
    assert (procedure.kind, procedure.reason) == ("deregistration", "death")
    assert procedure.household_id == alone.household_id and task.procedure == procedure
    assert Person.objects.filter(pk=alone.pk).exists()  # stays until the procedure ends
    note = StepRecord.objects.get(procedure=procedure).evidence["note"]
    assert f"核查任务 #{task.pk}" in note and task.status == "closed"


def test_a_deceased_head_of_a_larger_household_is_refused_until_the_head_changes(
    county, clerk, cadre
):
    people, _ = county  # the deaths list names the head 李四
    task = run_and_confirm(clerk, cadre, "deceased")
    with pytest.raises(ValidationError, match="户主"):
        actions.record_death(task, acting_user=cadre)
    task.refresh_from_db()
    assert task.status == "confirmed" and Person.objects.filter(pk=people["head"].pk).exists()


def test_a_confirmed_mismatch_corrects_the_registry_field_its_rule_names(
    county, clerk, cadre, client
):
    people, _ = county  # the civil-affairs list has the spouse on dibao, the registry does not
    task = run_and_confirm(clerk, cadre, "dibao_unmarked")
    client.force_login(cadre)
    page = client.get(reverse("comparison-task", args=[task.pk])).content.decode()
    assert 'id="correct-form"' in page and "享受低保：否 → <strong>是</strong>" in page

    client.post(reverse("comparison-task", args=[task.pk]), {"action": "correct"})

    task.refresh_from_db()
    spouse = Person.objects.get(pk=people["spouse"].pk)
    assert spouse.dibao is True and task.status == "closed"
    assert (task.change.action, task.change.changes) == ("update", {"dibao": [False, True]})
    assert task.change.object_id == str(spouse.pk) and task.change.actor == cadre
    shown = client.get(reverse("comparison-task", args=[task.pk])).content.decode()
    assert "享受低保：否 → 是" in shown


def test_a_correction_is_refused_for_other_tasks_and_other_villages(
    county, clerk, cadre, other_village
):
    task = run_and_confirm(clerk, cadre, "vehicle")  # an exclusion: no registry field to set
    with pytest.raises(ValidationError):
        actions.correct_registry(task, acting_user=cadre)
    dibao = VerificationTask.objects.get(finding__rule="dibao_unmarked")
    with pytest.raises(ValidationError):  # not checked yet
        actions.correct_registry(dibao, acting_user=cadre)
    verification.record_check(
        dibao, result="confirmed", note="属实", checked_on=TODAY, acting_user=cadre
    )
    stranger = UserFactory(role="village_operator", area=other_village)
    with pytest.raises(PermissionDenied):
        actions.correct_registry(dibao, acting_user=stranger)
    assert not Person.objects.filter(dibao=True).exists()


def test_a_confirmed_omission_registers_an_applicant_and_opens_its_entry(
    village, clerk, cadre, client
):
    outsider = id_number(datetime.date(1962, 4, 5), female=True)
    load(
        clerk,
        "assistance",
        ["证件号码", "姓名", "所在村区划代码", "救助类别", "月保障金额（元）",
         "家庭年人均收入（元）", "起始日期", "状态"],
        [[outsider, "孙六", village.code, "特困", 500, 2000, "2016-01-01", "在保"]],
    )  # fmt: skip
    task = run_and_confirm(clerk, cadre, "dibao_not_registered", "独居，收入确低于标准")
    assert task.area_code == village.code
    client.force_login(cadre)
    page = client.get(reverse("comparison-task", args=[task.pk])).content.decode()
    assert 'id="entry-form"' in page
    bad = client.post(
        reverse("comparison-task", args=[task.pk]),
        {"action": "entry", "number": "12345", "main_cause": "illness"},
    )
    assert bad.status_code == 200 and not Household.objects.exists()

    number = village.code[:6] + "1002010099"
    client.post(
        reverse("comparison-task", args=[task.pk]),
        {"action": "entry", "number": number, "main_cause": "illness"},
    )

    task.refresh_from_db()
    household = Household.objects.get(number=number)
    assert (household.status, household.kind, household.village) == (
        "applicant", "destitute", village
    )  # fmt: skip
    head = household.members.get()
    assert (head.name, head.id_number, head.relation, head.destitute) == (
        "孙六", outsider, "head", True
    )  # fmt: skip
    procedure = task.procedure
    assert (procedure.kind, procedure.household, procedure.reason) == (
        "entry", household, "below_line"
    )  # fmt: skip
    evidence = StepRecord.objects.get(procedure=procedure).evidence
    assert evidence["source"] == "alert" and f"核查任务 #{task.pk}" in evidence["note"]
    assert (task.status, task.change.model, task.change.action) == (
        "closed", "registry.household", "create"
    )  # fmt: skip


def test_an_omission_outside_a_village_is_not_entered(county, clerk):
    execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))
    task = VerificationTask.objects.get(finding__rule="dibao_not_registered")
    verification.record_check(
        task, result="confirmed", note="属实", checked_on=TODAY, acting_user=clerk
    )
    with pytest.raises(ValidationError, match="行政村"):
        actions.start_entry(
            task, number="5325271002010099", main_cause="illness", acting_user=clerk
        )
    assert not Household.objects.filter(status="applicant").exists()


def test_a_correction_takes_the_departments_value_of_its_column(county, clerk, cadre, monkeypatch):
    grade = actions.Correction("disability_grade", column="certificate_grade")
    assert grade.target({"certificate_grade": 2}) == 2
    assert actions.CORRECTIONS["uninsured_marked_insured"].target({}) is False
    task = run_and_confirm(clerk, cadre, "dibao_unmarked")
    monkeypatch.setitem(
        actions.CORRECTIONS, "dibao_unmarked", actions.Correction("disability_grade", column="x")
    )
    with pytest.raises(ValidationError, match="部门数据中没有该项的值"):
        actions.correct_registry(task, acting_user=cadre)  # the list carries no such value
    task.refresh_from_db()
    assert task.status == "confirmed" and task.change is None


def test_a_disability_grade_is_corrected_to_the_certificates(village, clerk, cadre):
    member = PersonFactory(
        household=HouseholdFactory(village=village), name="赵强", health="disabled",
        disability_grade=3, disability_category="physical",
    )  # fmt: skip
    load(
        clerk,
        "disability",
        ["证件号码", "姓名", "残疾类别", "残疾等级", "发证日期"],
        [[member.id_number, "赵强", "肢体", 2, "2017-05-01"]],
    )
    task = run_and_confirm(clerk, cadre, "disability_grade_mismatch", "残疾人证为二级")

    actions.correct_registry(task, acting_user=cadre)

    member.refresh_from_db()
    task.refresh_from_db()
    assert member.disability_grade == 2 and task.status == "closed"
    assert task.change.changes == {"disability_grade": [3, 2]}


def test_an_exclusion_of_a_household_meeting_the_standard_opens_its_exit(
    village, clerk, cadre, client
):
    from tests.procedures.builders import assess, meeting_household, verdict_of

    household = meeting_household(village)
    run = assess(village, clerk)
    head = household.members.get(relation="head")
    load(clerk, "payroll", ["证件号码", "姓名", "工作单位", "人员类别"],
         [[head.id_number, head.name, "县农业局", "事业编制"]])  # fmt: skip
    task = run_and_confirm(clerk, cadre, "payroll", "2019年考入县农业局")
    client.force_login(cadre)
    page = client.get(reverse("comparison-task", args=[task.pk])).content.decode()
    assert 'id="exit-form"' in page and 'id="deregister-form"' in page  # the cadre chooses

    client.post(reverse("comparison-task", args=[task.pk]), {"action": "exit"})

    task.refresh_from_db()
    procedure = task.procedure
    assert (procedure.kind, procedure.household, procedure.verdict) == (
        "exit", household, verdict_of(run, household)
    )  # fmt: skip
    note = StepRecord.objects.get(procedure=procedure).evidence["note"]
    assert f"核查任务 #{task.pk}" in note and task.status == "closed"


def test_no_exit_without_a_met_verdict(county, clerk, cadre):
    task = run_and_confirm(clerk, cadre, "vehicle")
    with pytest.raises(ValidationError, match="评估结论"):
        actions.start_exit(task, acting_user=cadre)
    assert not Procedure.objects.exists()
