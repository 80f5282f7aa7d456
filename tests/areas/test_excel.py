"""The area workbook (区划表): template, import (every error, nothing written on error, idempotent,
audited, scoped) and an export that imports back unchanged."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from jingzhun.accounts.models import User
from jingzhun.areas.excel import export_workbook, import_areas, template_workbook
from jingzhun.areas.models import Area
from jingzhun.areas.services import ensure_county, generate_county
from jingzhun.audit.models import Action, AuditEntry
from jingzhun.registry.demo import build_demo
from jingzhun.workbook import SYSTEM, RowError, annotate_errors
from tests.factories import UserFactory

COUNTY = "532527000000"


def workbook(rows: list[dict[str, object]], title: str = "区划") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    headers = list(dict.fromkeys(k for row in rows for k in row))
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def township(code: str = "532527100", name: str = "中枢镇", **extra: object) -> dict:
    return {"区划代码": code, "名称": name, "级别": "乡镇", "上级区划代码": "532527"} | extra


def village(code: str = "532527100201", name: str = "一村", **extra: object) -> dict:
    return {
        "区划代码": code,
        "名称": name,
        "级别": "村",
        "上级区划代码": code[:9],
        "农村户籍人口": 1200,
        "贫困村": "是",
        "通硬化路": "是",
        "村集体经济收入(元/年)": 30000,
    } | extra


def snapshot() -> list[tuple]:
    fields = [f.attname for f in Area._meta.concrete_fields if f.name not in {"created", "updated"}]
    return list(Area.objects.order_by("code").values_list(*fields))


@pytest.fixture
def county(db):
    return ensure_county("532527")


@pytest.fixture
def county_user(county):
    return UserFactory(role="county_admin", area=county)


# Template ----------------------------------------------------------------------------------------


def test_the_template_has_instructions_headers_and_examples_that_import_as_nothing(county_user):
    content = template_workbook()
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["说明", "区划"]
    headers = [c.value for c in book["区划"][1]]
    assert headers[:4] == ["区划代码", "名称", "级别", "上级区划代码"]
    for word in ("贫困村", "贫困村出列日期", "贫困村计划出列年度", "通硬化路", "通宽带或4G"):
        assert word in headers
    assert "义务教育发展基本均衡县认定年度" in headers
    assert book["区划"]["A2"].value.startswith("【示例】")
    before = snapshot()

    result = import_areas(content, acting_user=county_user, name="template.xlsx")

    assert result.errors == []
    assert result.total("created") == result.total("updated") == 0
    assert snapshot() == before


# Import ------------------------------------------------------------------------------------------


def test_townships_and_villages_load_with_every_attribute_and_one_audited_batch(county_user):
    content = workbook(
        [
            township(),
            village(
                贫困村出列日期=datetime.date(2017, 11, 20),
                贫困村计划出列年度=2017,
                通自来水或安全饮水="否",
            ),
            village("532527100202", "二村", 贫困村="否", 农村户籍人口=40000),
            {"区划代码": "532527", "名称": "泸西县", "农村居民人均可支配收入(元)": "9300.5",
             "义务教育发展基本均衡县认定年度": 2017},
        ]
    )  # fmt: skip

    result = import_areas(content, acting_user=county_user, name="areas.xlsx")

    assert result.errors == []
    assert [(label, n.created, n.updated) for label, n in result.rows()] == [
        ("县", 0, 1),
        ("乡镇", 1, 0),
        ("行政村", 2, 0),
    ]
    one = Area.objects.get(code="532527100201")
    assert (one.level, one.parent_id, one.name) == ("village", "532527100000", "一村")
    assert one.poor_village is True
    assert one.poor_village_exited_on == datetime.date(2017, 11, 20)
    assert one.poor_village_planned_exit_year == 2017
    assert (one.hardened_road, one.safe_water, one.grid_power) == (True, False, None)
    assert one.collective_income == Decimal("30000")
    assert Area.objects.get(code="532527100202").rural_population == 40000
    county = Area.objects.get(code=COUNTY)
    assert county.rural_income_per_capita == Decimal("9300.50")
    assert county.education_balance_year == 2017
    entries = AuditEntry.objects.filter(batch=result.batch)
    assert sorted(entries.values_list("action", flat=True)) == [
        Action.CREATE,
        Action.CREATE,
        Action.CREATE,
        Action.IMPORT,
        Action.UPDATE,
    ]
    update = entries.get(action=Action.UPDATE)
    assert update.object_id == COUNTY
    assert update.changes == {
        "education_balance_year": [None, 2017],
        "rural_income_per_capita": [None, "9300.50"],
    }
    assert {e.actor_id for e in entries} == {county_user.pk}

    again = import_areas(content, acting_user=county_user, name="areas.xlsx")

    assert again.errors == []
    assert again.total("created") == again.total("updated") == 0
    assert again.total("unchanged") == 4
    # Only the import's own summary: nothing created or changed is recorded.
    assert AuditEntry.objects.filter(batch=again.batch).get().action == Action.IMPORT


def test_a_change_is_audited_with_before_and_after_of_each_field(county_user):
    import_areas(workbook([township(), village()]), acting_user=county_user)

    result = import_areas(
        workbook([village(名称="新一村", 贫困村计划出列年度=2019, 通硬化路="否")]),
        acting_user=county_user,
    )

    assert result.errors == []
    entry = AuditEntry.objects.get(batch=result.batch, action=Action.UPDATE)
    assert entry.changes == {
        "hardened_road": [True, False],
        "name": ["一村", "新一村"],
        "poor_village_planned_exit_year": [None, 2019],
    }
    assert entry.area_code == "532527100201"


def test_a_column_left_out_leaves_the_field_unchanged(county_user):
    import_areas(workbook([township(), village(通动力电="是")]), acting_user=county_user)

    result = import_areas(
        workbook([{"区划代码": "532527100201", "名称": "一村", "通宽带或4G": "是"}]),
        acting_user=county_user,
    )

    assert result.errors == []
    area = Area.objects.get(code="532527100201")
    assert (area.grid_power, area.broadband, area.rural_population) == (True, True, 1200)


def test_a_year_alone_as_the_exit_date_means_31_december(county_user):
    result = import_areas(
        workbook([township(), village(贫困村出列日期=2016), village("532527100202", "二村",
                                                              贫困村出列日期="2017年")]),
        acting_user=county_user,
    )  # fmt: skip

    assert result.errors == []
    dates = dict(Area.objects.filter(level="village").values_list("code", "poor_village_exited_on"))
    assert dates == {
        "532527100201": datetime.date(2016, 12, 31),
        "532527100202": datetime.date(2017, 12, 31),
    }


def test_short_codes_are_padded_and_level_and_parent_may_be_left_out(county_user):
    result = import_areas(
        workbook([{"区划代码": "532527100", "名称": "中枢镇"},
                  {"区划代码": 532527100201, "名称": "一村"}]),
        acting_user=county_user,
    )  # fmt: skip

    assert result.errors == []
    assert Area.objects.get(code="532527100000").parent_id == COUNTY
    area = Area.objects.get(code="532527100201")
    assert (area.level, area.parent_id, area.poor_village) == ("village", "532527100000", False)


def test_every_bad_row_is_reported_and_nothing_is_written(county_user, tmp_path):
    future = timezone.localdate() + datetime.timedelta(days=40)
    content = workbook(
        [
            township(),
            # A township code under another county: the admin used to accept it.
            township("532501101", "错镇", 上级区划代码="532527"),
            township("532527101", "级别错", 级别="村"),
            village("532527100201", "一村", 贫困村="否", 贫困村出列日期="2017-05-01"),
            village("532527100201", "重复"),
            village("532527100202", "一村"),
            village("532527100203", "三村", 贫困村出列日期=future, 贫困村计划出列年度=2012),
            village("532527100204", "四村", 农村户籍人口=-5, 通硬化路="通了"),
            village("532527100205", "五村", 上级区划代码="532527101"),
            village("532527199201", "无上级"),
            village("53252710020", "短码"),
            township("532528100", "邻县镇", 上级区划代码="532528"),
            township("532527102", "有收入的镇", **{"农村居民人均可支配收入(元)": 9000}),
        ]
    )
    before, audit_before = snapshot(), AuditEntry.objects.count()

    result = import_areas(content, acting_user=county_user, name="bad.xlsx")

    assert snapshot() == before
    assert AuditEntry.objects.count() == audit_before
    assert result.batch is None
    found = {(e.row, e.column): e.message for e in result.errors}
    assert found[(3, "区划代码")] == "区划「532501101000」不在您的管辖范围内"
    assert found[(4, "级别")] == "区划代码「532527101000」是乡镇级代码，级别填的是「行政村」"
    assert found[(5, "贫困村出列日期")] == "只有贫困村才有出列日期"
    assert found[(6, "区划代码")] == "区划代码「532527100201」在文件中重复（与第5行）"
    assert found[(7, "名称")] == "同一上级下已有名为「一村」的区划（532527100201）"
    assert found[(5, "名称")] == "同一上级下已有名为「一村」的区划（532527100202）"
    assert found[(8, "贫困村出列日期")] == f"出列日期不能晚于今天，实际为「{future.isoformat()}」"
    assert found[(8, "贫困村计划出列年度")].startswith("计划出列年度应在2013至")
    assert found[(9, "农村户籍人口")] == "不能为负数，实际为「-5」"
    assert found[(9, "通硬化路")] == "应填「是」或「否」，实际为「通了」"
    assert found[(10, "上级区划代码")] == (
        "上级区划代码应为「532527100000」（区划代码的前9位），实际为「532527101000」"
    )
    assert found[(11, "上级区划代码")] == (
        "上级区划「532527199000」不存在（文件和系统中都没有），请先导入上级"
    )
    assert found[(12, "区划代码")].startswith("区划代码应为12位数字")
    assert found[(13, "区划代码")] == "区划「532528100000」不在您的管辖范围内"
    assert found[(14, "农村居民人均可支配收入(元)")] == "仅县级区划填写"

    target = tmp_path / "bad.errors.xlsx"
    annotate_errors(content, result.errors, target)
    sheet = openpyxl.load_workbook(target)["区划"]
    headers = [c.value for c in sheet[1]]
    assert headers[-1] == "错误信息"
    assert sheet.cell(row=3, column=len(headers)).value == (
        "区划代码：区划「532501101000」不在您的管辖范围内"
    )


def test_a_wrong_parent_of_a_village_names_the_expected_one(county_user):
    result = import_areas(
        workbook([township(), township("532527101", "二镇"),
                  village(上级区划代码="532527101")]),
        acting_user=county_user,
    )  # fmt: skip

    assert result.errors == [
        RowError(
            "区划",
            4,
            "上级区划代码",
            "上级区划代码应为「532527100000」（区划代码的前9位），实际为「532527101000」",
        )
    ]
    assert not Area.objects.filter(level="township").exists()


def test_an_unreadable_file_or_a_missing_sheet_or_column_is_one_clear_error(county_user):
    assert import_areas(b"not a workbook", acting_user=county_user).errors == [
        RowError("", 0, "", "无法读取文件，请上传 Excel (.xlsx) 格式的区划表")
    ]
    assert import_areas(workbook([township()], title="Sheet"), acting_user=county_user).errors == [
        RowError("", 0, "", "文件中没有名为「区划」的工作表")
    ]
    assert import_areas(workbook([{"区划代码": "532527100"}]), acting_user=county_user).errors == [
        RowError("区划", 1, "名称", "工作表「区划」缺少必填列「名称」")
    ]


def test_a_viewer_may_not_import(county):
    viewer = UserFactory(role="viewer", area=county)
    with pytest.raises(PermissionDenied):
        import_areas(workbook([township()]), acting_user=viewer)


def test_a_township_operator_loads_only_their_township(county_user):
    import_areas(workbook([township(), township("532527101", "二镇")]), acting_user=county_user)
    operator = UserFactory(role="township_operator", area=Area.objects.get(code="532527100000"))

    result = import_areas(
        workbook([village(), village("532527101201", "外村")]), acting_user=operator
    )

    assert [(e.row, e.message) for e in result.errors] == [
        (3, "区划「532527101201」不在您的管辖范围内")
    ]


def test_the_system_completes_missing_ancestors_from_the_national_codes(db):
    result = import_areas(workbook([township(), village()]), acting_user=SYSTEM)

    assert result.errors == []
    assert result.completed == ["530000000000", "532500000000", COUNTY]
    names = dict(Area.objects.values_list("code", "name"))
    assert names["530000000000"] == "云南省"
    assert names[COUNTY] == "泸西县"
    entry = AuditEntry.objects.get(object_id=COUNTY, action=Action.CREATE)
    assert entry.message == "按国家行政区划代码自动补建"


def test_a_county_user_cannot_load_above_their_county(county_user):
    result = import_areas(
        workbook([{"区划代码": "532500", "名称": "红河州", "级别": "市"}]), acting_user=county_user
    )

    assert [e.message for e in result.errors] == ["区划「532500000000」不在您的管辖范围内"]


def test_dry_run_reports_counts_and_writes_nothing(county_user):
    before = snapshot()

    result = import_areas(workbook([township(), village()]), acting_user=county_user, dry_run=True)

    assert result.errors == []
    assert result.total("created") == 2
    assert result.batch is None
    assert snapshot() == before


# Export and round trip ---------------------------------------------------------------------------


def test_the_demo_county_exported_imports_back_with_no_error_and_no_change(county_user):
    generate_county("532527", rng=random.Random(3))
    content = export_workbook(acting_user=county_user)
    sheet = openpyxl.load_workbook(io.BytesIO(content))["区划"]
    assert sheet.max_row == 1 + 1 + 15 + 139  # header, the county, its townships and villages
    assert AuditEntry.objects.filter(action=Action.EXPORT, model="areas.area").count() == 1
    before, audit_before = snapshot(), AuditEntry.objects.count()

    result = import_areas(content, acting_user=county_user, name="export.xlsx")

    assert result.errors == []
    assert result.total("created") == result.total("updated") == 0
    assert result.total("unchanged") == 155
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit_before + 1


def test_the_commands_export_and_import(county_user, tmp_path, capsys):
    generate_county("532527", rng=random.Random(4))
    path = tmp_path / "areas.xlsx"
    call_command("export_areas", str(path), "--user", county_user.username)
    before = snapshot()

    call_command("import_areas", str(path), "--user", county_user.username)

    assert "行政村：新增0，修改0，未变139" in capsys.readouterr().out
    assert snapshot() == before


def test_the_import_command_writes_the_error_file_and_exits_1(county_user, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook([township(), village(上级区划代码="532527101")]))

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_areas", str(path), "--user", county_user.username)

    assert exit_info.value.code == 1
    assert (tmp_path / "bad.errors.xlsx").exists()
    assert not Area.objects.filter(level="township").exists()


def test_the_whole_tree_exported_by_the_system_imports_back_unchanged(db):
    generate_county("532527", rng=random.Random(5))
    content = export_workbook(acting_user=SYSTEM)
    before = snapshot()

    result = import_areas(content, acting_user=SYSTEM, name="all.xlsx")

    assert result.errors == []
    assert [(label, n.unchanged) for label, n in result.rows()] == [
        ("省", 1),
        ("市", 1),
        ("县", 1),
        ("乡镇", 15),
        ("行政村", 139),
    ]
    assert result.total("created") == result.total("updated") == 0
    assert snapshot() == before


def test_two_villages_may_swap_names_in_one_import(county_user):
    import_areas(workbook([township(), village(), village("532527100202", "二村")]),
                 acting_user=county_user)  # fmt: skip

    result = import_areas(
        workbook([village(名称="二村"), village("532527100202", "一村")]), acting_user=county_user
    )

    assert result.errors == []
    names = dict(Area.objects.filter(level="village").values_list("code", "name"))
    assert names == {"532527100201": "二村", "532527100202": "一村"}


def test_the_demo_exported_by_its_users_imports_back_unchanged(db):
    build_demo(0.02)
    before = snapshot()
    for username, rows in (("admin", 155), ("township", None)):
        user = User.objects.get(username=username)
        content = export_workbook(acting_user=user)

        result = import_areas(content, acting_user=user, name="demo.xlsx")

        assert result.errors == []
        assert result.total("created") == result.total("updated") == 0
        assert result.total("unchanged") == (rows or 1 + user.area.children.count())
    assert snapshot() == before


def county_row(**extra: object) -> dict:
    return {"区划代码": "532527", "名称": Area.objects.get(pk=COUNTY).name, "级别": "县"} | extra


def test_the_county_hotline_and_objection_address_load_from_the_workbook(county_user):
    content = workbook(
        [county_row(监督举报电话=12317, 异议受理地址="县乡村振兴局 201 室"), township()]
    )

    result = import_areas(content, acting_user=county_user, name="hotline.xlsx")

    assert result.errors == []
    county = Area.objects.get(pk=COUNTY)
    assert (county.supervision_phone, county.objection_address) == ("12317", "县乡村振兴局 201 室")
    exported = openpyxl.load_workbook(io.BytesIO(export_workbook(acting_user=county_user)))["区划"]
    headers = [c.value for c in exported[1]]
    rows = {r[0]: r for r in exported.iter_rows(min_row=2, values_only=True)}
    assert rows[COUNTY][headers.index("监督举报电话")] == "12317"
    assert rows["532527100000"][headers.index("监督举报电话")] is None
    # What the county exported imports back unchanged.
    before = snapshot()
    again = import_areas(export_workbook(acting_user=county_user), acting_user=county_user)
    assert again.errors == [] and snapshot() == before


def test_a_hotline_is_only_the_countys_and_only_digits(county_user):
    content = workbook(
        [county_row(监督举报电话="请拨打12317"), township(监督举报电话="0873-1234567")]
    )
    before = snapshot()

    result = import_areas(content, acting_user=county_user, name="bad-hotline.xlsx")

    found = {(e.row, e.column): e.message for e in result.errors}
    assert found == {
        (2, "监督举报电话"): "监督举报电话只能包含数字、空格和短横线，实际为「请拨打12317」",
        (3, "监督举报电话"): "仅县级区划填写",
    }
    assert snapshot() == before
