"""Comparison runs keep their findings: new ones stored once, found again kept open, those whose
cause disappeared marked resolved; a newer file of the same list is the same cause."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from jingzhun.audit.models import AuditEntry
from jingzhun.comparison.loading import load_dataset
from jingzhun.comparison.models import ComparisonRun, Dataset, DatasetRow, Finding
from jingzhun.comparison.runs import create_run, execute_run
from jingzhun.comparison.tasks import start_run
from jingzhun.standards import rules
from jingzhun.workbook import SYSTEM
from tests.comparison.conftest import sheet
from tests.factories import UserFactory
from tests.worker import task_worker

pytestmark = pytest.mark.django_db

DEATHS = ["证件号码", "姓名", "死亡日期", "数据来源"]
VEHICLES = ["车主证件号码", "车主姓名", "号牌号码", "车辆类型", "购置价格（元）", "初次登记日期"]


@pytest.fixture
def clerk(village):
    return UserFactory(role="county_admin", area=village.parent.parent)


def run(clerk) -> ComparisonRun:
    return execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk))


def test_a_run_stores_its_findings_with_what_it_used(county, clerk):
    people, _ = county

    first = run(clerk)

    shipped = len(rules.load("national-2016").rules)
    assert first.status == "finished" and first.rules_done == first.rules_total == shipped
    assert first.counts["vehicle"] == {"found": 1, "new": 1, "resolved": 0}
    assert sorted(first.datasets) == sorted(Dataset.objects.values_list("pk", flat=True))
    vehicle = Finding.objects.get(rule="vehicle")
    assert (vehicle.person_id, vehicle.household_id) == (
        people["head"].pk,
        people["head"].household_id,
    )
    assert vehicle.area_code == people["head"].household.village_id
    assert vehicle.sentence.startswith("成员 李* 名下小型轿车") and vehicle.status == "open"
    assert vehicle.meaning == "exclusion" and vehicle.severity == "high"
    assert vehicle.dataset_row.amount == 86000
    omitted = Finding.objects.get(rule="dibao_not_registered")
    assert omitted.person_id is None and omitted.area_code == clerk.area_id  # the dataset's area
    assert Finding.objects.count() == 7
    assert AuditEntry.objects.filter(model="comparison.comparisonrun").count() == 1


def test_running_again_duplicates_nothing_and_a_gone_cause_is_resolved(county, clerk, village):
    people, _ = county
    first = run(clerk)
    again = run(clerk)
    assert Finding.objects.count() == 7
    assert again.counts["deceased"] == {"found": 1, "new": 0, "resolved": 0}
    assert set(Finding.objects.values_list("last_run", flat=True)) == {again.pk}
    assert set(Finding.objects.values_list("first_run", flat=True)) == {first.pk}

    # The civil-affairs office corrects its list (the head is not dead); the traffic police send
    # a newer list with the same car in another row: one cause gone, one the same.
    load_dataset(
        sheet(DEATHS, [["110101199001011237", "某人", "2019-02-01", "火化"]]),
        kind="deaths", year=2019, acting_user=clerk, name="deaths-v2.xlsx",
    )  # fmt: skip
    head = people["head"].id_number
    load_dataset(
        sheet(VEHICLES, [["", "某人", "云G1", "摩托车", 3000, "2018-01-01"],
                         [head, "李四", "云G12345", "小型轿车", 86000, "2018-06-01"]]),
        kind="vehicles", year=2019, acting_user=clerk, name="vehicles-v2.xlsx",
    )  # fmt: skip
    third = run(clerk)

    deceased = Finding.objects.get(rule="deceased")
    assert (deceased.status, deceased.resolved_run_id) == ("resolved", third.pk)
    assert third.counts["deceased"] == {"found": 0, "new": 0, "resolved": 1}
    assert third.counts["vehicle"] == {"found": 1, "new": 0, "resolved": 0}
    assert Finding.objects.filter(rule="vehicle").count() == 1


def test_who_may_run_and_where(county, viewer, other_village):
    with pytest.raises(PermissionDenied):
        create_run(ruleset_id="national-2016", year=2019, acting_user=viewer)
    stranger = UserFactory(role="township_operator", area=other_village.parent)
    with pytest.raises(PermissionDenied):
        create_run(
            ruleset_id="national-2016", year=2019, acting_user=stranger, area_code="532527100"
        )


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_started_run(county, clerk):
    started = start_run(ruleset_id="national-2016", year=2019, acting_user=clerk)
    assert started.status == "queued"
    task_worker().run()
    started.refresh_from_db()
    assert started.status == "finished" and Finding.objects.count() == 7


def test_the_command_stores_a_run(county, capsys):
    call_command("compare", "--year", "2019", "--store")
    out = capsys.readouterr().out
    assert (
        "vehicle\t家庭成员名下有购置价超过3万元的机动车：发现 1 条，其中新增 1 条；已消除 0 条"
        in out
    )
    assert ComparisonRun.objects.get().created_by is None
    assert SYSTEM.can_edit()


@pytest.mark.parametrize("engine", ["db", "duckdb"])
def test_a_findings_key_is_the_rows_identity_as_first_defined(county, clerk, engine, settings):
    """Keys written before the engines carried the row's identity (read back from the stored
    row: number, token, category, detail, date, year) stay the same, so open findings of
    earlier runs are found again, not resolved and made anew."""
    settings.SNAPSHOT_DIR = str(settings.HOME)
    execute_run(create_run(ruleset_id="national-2016", year=2019, acting_user=clerk, engine=engine))
    with_rows = Finding.objects.exclude(dataset_row=None)
    assert with_rows.count() >= 5 and with_rows.exclude(person=None).exists()
    assert with_rows.filter(person=None).exists()
    assert with_rows.exclude(dataset_row__date=None).exists()
    for finding in with_rows:
        row = DatasetRow.objects.get(pk=finding.dataset_row_id)
        parts = (row.id_number, row.id_token, row.category, row.detail, row.date, row.year)
        natural = "|".join(str(part or "") for part in parts)
        digest = hashlib.sha256(natural.encode()).hexdigest()[:24]
        assert finding.key == f"p{finding.person_id or '-'}:{digest}", finding.rule
