"""Export: the same workbook filled, audited, and an exact round trip through import."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from jingzhun.audit.models import Action, AuditEntry
from jingzhun.registry import services
from jingzhun.registry.excel import export_workbook, import_workbook
from jingzhun.registry.models import Helper, Household, Income, Measure, Person, PersonNameKey
from jingzhun.workbook import SYSTEM
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory

SKIP = {"id", "created", "updated", "household", "household_id"}


def rows(model) -> list[dict]:
    """Every row's values without surrogate keys, the household named by its number."""
    result = []
    for row in model.objects.values(
        *[f.attname for f in model._meta.concrete_fields],
        "household__number" if model is not Household else "number",
    ):
        result.append({k: v for k, v in row.items() if k not in SKIP})
    return sorted(result, key=repr)


def snapshot() -> dict[str, list[dict]]:
    return {m.__name__: rows(m) for m in (Household, Person, Income, Helper, Measure)}


def registry(village, county_admin) -> None:
    h = HouseholdFactory(
        number="5325271002010001",
        village=village,
        other_causes="capital,skills",
        phone="13800001234",
        bank_account="6228480012345678",
        arable_land_mu=Decimal("3.25"),
        relocated=True,
        relocation_method="centralised",
        relocation_year=2017,
        status="exited",
        exit_year=2019,
    )
    PersonFactory(household=h, name="张三", relation="head")
    PersonFactory(
        household=h,
        name="李梅",
        relation="spouse",
        sex="female",
        health="disabled",
        disability_grade=2,
        disability_category="physical",
        work_status="in_county",
        work_months=6,
    )
    IncomeFactory(household=h, year=2018, dibao_income=Decimal("1234.56"))
    IncomeFactory(household=h, year=2019, members_count=2)
    services.add_helper(h, {"name": "王五", "unit": "县农业局"}, acting_user=county_admin)
    services.add_measure(
        h,
        {"kind": "industry", "year": 2018, "amount": Decimal("2000.50"), "description": "仔猪"},
        acting_user=county_admin,
    )
    other = HouseholdFactory(number="5325271002010002", village=village)
    PersonFactory(household=other, name="赵六", relation="head")


def test_export_writes_every_sheet_with_labels_and_full_id_numbers(village, county_admin):
    registry(village, county_admin)

    content = export_workbook(Household.objects.all(), acting_user=county_admin)

    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames[:5] == ["户", "成员", "收入", "帮扶责任人", "帮扶措施"]
    persons = list(book["成员"].iter_rows(values_only=True))
    assert persons[0][:6] == ("户编号", "姓名", "证件号码", "性别", "出生日期", "与户主关系")
    zhang = Person.objects.get(name="张三")
    assert (*persons[1][:4], persons[1][4].date().isoformat(), persons[1][5]) == (
        "5325271002010001",
        "张三",
        zhang.id_number,
        "男",
        "1980-01-01",
        "户主",
    )
    households = list(book["户"].iter_rows(values_only=True))
    header = households[0]
    first = dict(zip(header, households[1], strict=True))
    assert (
        first["所在行政村名称"],
        first["其他致贫原因"],
        first["贫困户状态"],
        first["易地扶贫搬迁户"],
    ) == (
        "100镇201村",
        "缺资金、缺技术",
        "已脱贫",
        "是",
    )
    assert book["户"].freeze_panes == "B2"
    export = AuditEntry.objects.get(action=Action.EXPORT)
    assert export.changes["counts"] == {
        "户": 2,
        "成员": 3,
        "收入": 2,
        "帮扶责任人": 1,
        "帮扶措施": 1,
    }


def test_reimporting_an_export_changes_nothing(village, county_admin):
    registry(village, county_admin)
    content = export_workbook(Household.objects.all(), acting_user=county_admin)
    before, audit_rows = snapshot(), AuditEntry.objects.count()

    result = import_workbook(content, acting_user=county_admin)

    assert result.errors == []
    assert [(n.created, n.updated) for n in result.counts.values()] == [(0, 0)] * 5
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit_rows + 1  # the import summary only


def test_an_export_imported_into_an_empty_database_reproduces_every_row(village, county_admin):
    registry(village, county_admin)
    content = export_workbook(Household.objects.all(), acting_user=county_admin)
    before = snapshot()
    keys = sorted(PersonNameKey.objects.values_list("person__id_number", "key"))
    Household.objects.all().delete()
    assert Person.objects.count() == 0

    result = import_workbook(content, acting_user=county_admin)

    assert result.errors == []
    assert snapshot() == before
    assert sorted(PersonNameKey.objects.values_list("person__id_number", "key")) == keys


def test_export_is_scoped_to_the_user(village, other_village, township_operator, county_admin):
    registry(village, county_admin)
    HouseholdFactory(number="FAR", village=other_village)

    content = export_workbook(Household.objects.all(), acting_user=township_operator)

    numbers = [
        r[0]
        for r in openpyxl.load_workbook(io.BytesIO(content))["户"].iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert numbers == ["5325271002010001", "5325271002010002"]


def test_cli_import_exit_codes_and_error_file(tmp_path, village, county_admin):
    registry(village, county_admin)
    good = tmp_path / "good.xlsx"
    call_command("export", str(good))
    assert (
        AuditEntry.objects.filter(action=Action.EXPORT, actor=None)
        .get()
        .message.startswith("命令行")
    )

    call_command("import", str(good))  # returns normally: exit code 0

    book = openpyxl.load_workbook(good)
    book["户"]["B2"] = "999999999999"
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", str(bad), "--dry-run")
    assert exit_info.value.code == 1
    annotated = openpyxl.load_workbook(tmp_path / "bad.errors.xlsx")["户"]
    assert [c.value for c in annotated[1]][-1] == "错误信息"
    assert (
        annotated.cell(row=2, column=annotated.max_column).value
        == "所在行政村代码：区划代码「999999999999」不存在"
    )


def test_pages_template_export_and_import_with_error_download(
    client, village, county_admin, viewer
):
    registry(village, county_admin)
    client.force_login(county_admin)

    template = client.get(reverse("registry-template"))
    assert template.status_code == 200
    export = client.get(reverse("registry-export"), {"status": "exited"})
    numbers = [
        r[0]
        for r in openpyxl.load_workbook(io.BytesIO(export.content))["户"].iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert numbers == ["5325271002010001"]
    assert AuditEntry.objects.get(action=Action.EXPORT).changes["filter"] == {"status": ["exited"]}

    book = openpyxl.load_workbook(io.BytesIO(export.content))
    book["户"]["B2"] = "999999999999"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "mine.xlsx"
    page = client.post(reverse("registry-import"), {"file": buffer, "dry_run": "on"}, follow=True)
    assert page.status_code == 200
    assert "区划代码「999999999999」不存在" in page.content.decode()
    job = page.context["job"]
    download = client.get(reverse("import-errors", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"

    client.force_login(viewer)  # another user: not theirs to see or download, may not import
    assert client.get(reverse("import-errors", args=[job.pk])).status_code == 404
    assert client.get(reverse("import-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("registry-import")).status_code == 403


def test_system_export_sees_everything(village, other_village):
    HouseholdFactory(number="FAR", village=other_village)
    content = export_workbook(Household.objects.all(), acting_user=SYSTEM)
    assert openpyxl.load_workbook(io.BytesIO(content))["户"]["A2"].value == "FAR"
