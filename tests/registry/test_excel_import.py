"""The registry workbook import: every error reported, nothing written on error, idempotent."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jingzhun.audit.models import Action, AuditEntry
from jingzhun.registry.excel import import_workbook, template_workbook
from jingzhun.registry.models import (
    Helper,
    Household,
    Income,
    Measure,
    Person,
    PersonNameKey,
    StatusChange,
)
from jingzhun.workbook import SYSTEM, RowError, annotate_errors
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, id_number

MODELS = (Household, Person, Income, Helper, Measure, PersonNameKey, StatusChange, AuditEntry)
HH = "532527100201000001"


def workbook(sheets: dict[str, list[dict[str, object]]]) -> bytes:
    """An .xlsx with one sheet per key: header row from the dict keys, one row per dict."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        headers = list(dict.fromkeys(k for row in rows for k in row))
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def household(**extra: object) -> dict[str, object]:
    return {
        "户编号": HH,
        "所在行政村代码": "532527100201",
        "主要致贫原因": "因病",
        "识别年度": 2015,
    } | extra


def person(number: str = "", **extra: object) -> dict[str, object]:
    return {
        "户编号": HH,
        "姓名": "张三",
        "证件号码": number or id_number(datetime.date(1970, 3, 4)),
        "与户主关系": "户主",
    } | extra


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def simple_file() -> bytes:
    head = id_number(datetime.date(1970, 3, 4))
    child = id_number(datetime.date(2012, 6, 1), female=True)
    return workbook(
        {
            "户": [household(其他致贫原因="缺技术、缺资金", 军烈属="是")],
            "成员": [
                person(head),
                person(child, 姓名="张小红", 与户主关系="daughter", 在校生状况="小学"),
            ],
            "收入": [{"户编号": HH, "年度": 2018, "工资性收入": 6000, "低保金": "1200.50"}],
            "帮扶责任人": [{"户编号": HH, "姓名": "李四", "工作单位": "县农业局"}],
            "帮扶措施": [{"户编号": HH, "措施类别": "产业扶贫", "年度": 2018, "金额(元)": 2000}],
        }
    )


def test_a_clean_file_is_written_with_one_audit_row_per_record(village, county_admin):
    result = import_workbook(simple_file(), acting_user=county_admin, name="a.xlsx")

    assert result.errors == []
    assert {t: (n.created, n.updated, n.unchanged) for t, n in result.counts.items()} == {
        "户": (1, 0, 0),
        "成员": (2, 0, 0),
        "收入": (1, 0, 0),
        "帮扶责任人": (1, 0, 0),
        "帮扶措施": (1, 0, 0),
    }
    h = Household.objects.get(number=HH)
    assert (h.other_causes, h.military_family, h.village_id) == ("capital,skills", True, village.pk)
    daughter = Person.objects.get(name="张小红")
    assert (daughter.sex, daughter.birth_date) == ("female", datetime.date(2012, 6, 1))
    income = Income.objects.get()
    assert (income.members_count, income.transfer_income, income.net_income) == (
        2,
        Decimal("1200.50"),
        Decimal("7200.50"),
    )
    assert income.income_per_capita == Decimal("3600.25")
    assert StatusChange.objects.filter(household=h, new_status="registered").count() == 1
    assert sorted(PersonNameKey.objects.filter(person=daughter).values_list("key", flat=True)) == [
        "zxg",
        "zxh",
    ]
    entries = AuditEntry.objects.filter(batch=result.batch)
    assert entries.filter(action=Action.CREATE).count() == 6
    summary = entries.get(action=Action.IMPORT)
    assert summary.object_repr == "a.xlsx"
    assert summary.changes["成员"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert entries.get(model="registry.household", action=Action.CREATE).changes["number"] == [
        None,
        HH,
    ]


def test_reimporting_the_same_file_changes_nothing(village, county_admin):
    content = simple_file()
    import_workbook(content, acting_user=county_admin)
    before = counts()

    result = import_workbook(content, acting_user=county_admin)

    assert result.errors == []
    assert sum(n.created + n.updated for n in result.counts.values()) == 0
    assert [n.unchanged for n in result.counts.values()] == [1, 2, 1, 1, 1]
    # Only the import summary is added.
    assert counts() == before | {"AuditEntry": before["AuditEntry"] + 1}
    assert AuditEntry.objects.filter(batch=result.batch).get().action == Action.IMPORT


def test_a_changed_value_is_updated_with_old_and_new_in_the_audit(village, county_admin):
    head = id_number(datetime.date(1970, 3, 4))
    import_workbook(
        workbook({"户": [household()], "成员": [person(head)]}), acting_user=county_admin
    )

    result = import_workbook(
        workbook({"户": [household(联系电话="13800001234")], "成员": [person(head, 姓名="张叁")]}),
        acting_user=county_admin,
    )

    assert (result.counts["户"].updated, result.counts["成员"].updated) == (1, 1)
    changes = {
        e.model: e.changes
        for e in AuditEntry.objects.filter(batch=result.batch, action=Action.UPDATE)
    }
    assert changes == {
        "registry.household": {"phone": ["", "138****1234"]},
        "registry.person": {"name": ["张三", "张叁"]},
    }
    assert list(PersonNameKey.objects.values_list("key", flat=True)) == ["zs"]


def test_old_15_digit_numbers_are_normalised_to_18(village, county_admin):
    new = id_number(datetime.date(1965, 2, 3))  # 18 digits: 6 + 19650203 + 3 + check
    old = new[:6] + new[8:17]

    result = import_workbook(
        workbook({"户": [household()], "成员": [person(old.lower())]}), acting_user=county_admin
    )

    assert result.errors == []
    assert Person.objects.get().id_number == new


def errors_of(content: bytes, user) -> list[tuple[str, int, str, str]]:
    before = counts()
    result = import_workbook(content, acting_user=user)
    assert counts() == before  # nothing written, not even an audit row
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


def test_every_kind_of_error_is_reported_with_sheet_row_and_column(
    village, other_village, county_admin
):
    taken = PersonFactory(household=HouseholdFactory(number="X1"))
    duplicate = id_number(datetime.date(1980, 1, 1))
    content = workbook(
        {
            "户": [
                household(军烈属="也许", **{"耕地面积(亩)": "1.234"}, 识别年度="二〇一五"),
                household(),  # 3: duplicate number
                household(户编号="H2", 所在行政村代码="999999999999", 主要致贫原因="因穷"),
                household(户编号="H3", 所在行政村代码="532527100000"),
                household(户编号="H4", 贫困户状态="已脱贫"),  # no exit year, no members
            ],
            "成员": [
                person(duplicate),
                person(duplicate, 姓名="重复"),
                person("123", 姓名="坏号码", 与户主关系="之子"),
                person(taken.id_number, 姓名="已登记", 与户主关系="之子"),
                person(户编号="NOPE"),
                person(
                    id_number(datetime.date(1990, 1, 1)),
                    户编号="H2",
                    性别="女",
                    出生日期="1990-13-01",
                ),
            ],
            "收入": [
                {"户编号": HH, "年度": 2018, "工资性收入": "abc"},
                {"户编号": HH, "年度": 2018},
                {"户编号": HH, "年度": 2012, "生产经营性支出": -5},
            ],
            "帮扶责任人": [
                {"户编号": HH, "姓名": "李四", "工作单位": "县农业局", "联系电话": "12345"}
            ],
        }
    )

    next_year = timezone.localdate().year + 1
    phone = "应为11位手机号码或带区号的固定电话（如 0873-1234567），实际为「12345」"
    county_number = "应为以所在县区划代码532527开头的16至18位数字，实际为「{}」"
    assert errors_of(content, county_admin) == [
        ("户", 2, "识别年度", "应为整数，实际为「二〇一五」"),
        ("户", 2, "军烈属", "应填「是」或「否」，实际为「也许」"),
        ("户", 2, "耕地面积(亩)", "最多2位小数，实际为「1.234」"),
        ("户", 3, "户编号", "户编号在文件中重复(与第2行)"),
        ("户", 4, "户编号", "应为16至18位数字，实际为「H2」"),
        ("户", 4, "所在行政村代码", "区划代码「999999999999」不存在"),
        ("户", 4, "主要致贫原因", "「因穷」不是可选值"),
        ("户", 5, "户编号", county_number.format("H3")),
        ("户", 5, "户编号", "H3 每户须有且只有一名户主(现有0名)"),
        ("户", 5, "所在行政村代码", "区划代码「532527100000」不是行政村"),
        ("户", 6, "户编号", county_number.format("H4")),
        ("户", 6, "户编号", "H4 每户须有且只有一名户主(现有0名)"),
        ("户", 6, "脱贫年度", "已脱贫户须填写脱贫年度"),
        ("成员", 3, "证件号码", "证件号码在文件中重复(与第2行)"),
        ("成员", 4, "证件号码", "身份证号码应为18位（最后一位可为X）或15位数字"),
        ("成员", 5, "证件号码", "该证件号码已登记在户 X1 中"),
        ("成员", 6, "户编号", "户编号「NOPE」不存在"),
        ("成员", 7, "性别", "「女」与身份证号码不符（号码显示为男）"),
        ("成员", 7, "出生日期", "应为日期，格式如 2018-01-31，实际为「1990-13-01」"),
        ("收入", 2, "工资性收入", "应为数字，实际为「abc」"),
        ("收入", 3, "年度", "与第2行重复"),
        ("收入", 4, "年度", f"应在2013至{next_year}之间，实际为「2012」"),
        ("收入", 4, "生产经营性支出", "不能为负数，实际为「-5.00」"),
        ("帮扶责任人", 2, "联系电话", phone),
    ]


def test_a_household_in_another_area_is_refused(village, other_village, township_operator):
    # The township operator's scope is 100镇; 101镇202村 is in the same county but not theirs.
    content = workbook({"户": [household(所在行政村代码=other_village.pk)], "成员": [person()]})

    assert errors_of(content, township_operator) == [
        ("户", 2, "所在行政村代码", "该村不在您的管辖范围内")
    ]


def test_updating_a_household_registered_outside_the_scope_is_refused(
    village, other_village, township_operator
):
    PersonFactory(household=HouseholdFactory(number=HH, village=other_village))

    assert errors_of(workbook({"收入": [{"户编号": HH, "年度": 2018}]}), township_operator) == [
        ("收入", 2, "户编号", "该户不在您的管辖范围内")
    ]


def test_a_viewer_may_not_import(village, viewer):
    with pytest.raises(PermissionDenied):
        import_workbook(simple_file(), acting_user=viewer)
    assert Household.objects.count() == 0


def test_two_heads_are_refused(village, county_admin):
    content = workbook({"户": [household()], "成员": [person(), person(姓名="李四")]})

    assert errors_of(content, county_admin) == [
        ("户", 2, "户编号", f"{HH} 每户须有且只有一名户主(现有2名)")
    ]


def test_a_file_that_is_not_a_workbook_is_reported(village, county_admin):
    assert errors_of(b"not a workbook", county_admin) == [
        ("", 0, "", "无法读取文件,请上传 Excel (.xlsx) 格式的登记表")
    ]


def test_dry_run_counts_but_writes_nothing(village, county_admin):
    before = counts()

    result = import_workbook(simple_file(), acting_user=county_admin, dry_run=True)

    assert (result.errors, result.batch, result.counts["成员"].created) == ([], None, 2)
    assert counts() == before


def test_members_absent_from_the_file_are_kept(village, county_admin):
    existing = PersonFactory(household=HouseholdFactory(number=HH), relation="head")

    result = import_workbook(
        workbook({"成员": [person(姓名="新成员", 与户主关系="之子")]}), acting_user=county_admin
    )

    assert result.errors == []
    assert Person.objects.filter(household__number=HH).count() == 2
    assert Person.objects.filter(pk=existing.pk).exists()


def test_heads_can_swap_in_one_import(village, county_admin):
    h = HouseholdFactory(number=HH)
    old = PersonFactory(household=h, relation="head")
    new = PersonFactory(household=h, relation="spouse", sex="female")

    result = import_workbook(
        workbook(
            {
                "成员": [
                    person(old.id_number, 与户主关系="配偶"),
                    person(new.id_number, 姓名="王芳", 与户主关系="户主"),
                ]
            }
        ),
        acting_user=county_admin,
    )

    assert result.errors == []
    assert Person.objects.get(relation="head").pk == new.pk


def test_the_command_line_actor_is_recorded_as_no_user(village):
    result = import_workbook(simple_file(), acting_user=SYSTEM)

    summary = AuditEntry.objects.get(batch=result.batch, action=Action.IMPORT)
    assert summary.actor is None
    assert summary.message.startswith("命令行")


def test_the_error_file_is_the_users_file_with_an_error_column(tmp_path, village, county_admin):
    content = workbook({"户": [household(), household(识别年度="x")], "成员": [person()]})
    errors = import_workbook(content, acting_user=county_admin).errors
    target = tmp_path / "errors.xlsx"

    annotate_errors(content, errors, target)

    sheet = openpyxl.load_workbook(target)["户"]
    headers = [c.value for c in sheet[1]]
    assert headers[-1] == "错误信息"
    assert [r[-1] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        None,
        "户编号在文件中重复(与第2行)；识别年度：应为整数，实际为「x」",
    ]
    assert sheet.cell(row=3, column=headers.index("识别年度") + 1).fill.fgColor.rgb == "00FFC7CE"
    assert errors == [
        RowError("户", 3, "户编号", "户编号在文件中重复(与第2行)"),
        RowError("户", 3, "识别年度", "应为整数，实际为「x」"),
    ]


def unmarked_template() -> bytes:
    """The template as a user fills it: the 【示例】 marker deleted from each example row."""
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    for title in ("户", "成员", "收入", "帮扶责任人", "帮扶措施"):
        cell = book[title]["A2"]
        assert cell.value.startswith("【示例】")
        cell.value = cell.value.removeprefix("【示例】")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_blank_template_imports_nothing_and_no_error(village, county_admin):
    result = import_workbook(template_workbook(), acting_user=county_admin)

    assert result.errors == []
    assert {
        t: (n.created, n.updated, n.unchanged) for t, n in result.counts.items()
    } == dict.fromkeys(("户", "成员", "收入", "帮扶责任人", "帮扶措施"), (0, 0, 0))
    assert (Household.objects.count(), Person.objects.count()) == (0, 0)


def test_the_template_example_without_its_marker_is_validated(db):
    # No village 532527100201 in this database: the example row is read and checked.
    assert errors_of(unmarked_template(), SYSTEM) == [
        ("户", 2, "所在行政村代码", "区划代码「532527100201」不存在"),
    ]


def test_the_template_example_imports_once_its_village_exists(village, county_admin):
    result = import_workbook(unmarked_template(), acting_user=county_admin)

    assert result.errors == []
    assert {t: n.created for t, n in result.counts.items()} == {
        "户": 1,
        "成员": 1,
        "收入": 1,
        "帮扶责任人": 1,
        "帮扶措施": 1,
    }


def test_a_user_needs_a_scope(village):
    nobody = UserFactory(role="county_admin", area=None)
    assert errors_of(simple_file(), nobody)[0][3] == "该村不在您的管辖范围内"


def test_an_import_may_not_change_a_registered_households_status(village, county_admin):
    head = id_number(datetime.date(1970, 3, 4))
    import_workbook(
        workbook({"户": [household()], "成员": [person(head)]}), acting_user=county_admin
    )
    content = workbook(
        {"户": [household(贫困户状态="已脱贫", 脱贫年度=2019)], "成员": [person(head)]}
    )
    assert sorted(errors_of(content, county_admin)) == [
        ("户", 2, "脱贫年度", "贫困户状态和脱贫年度只能通过动态管理程序变更"),
        ("户", 2, "贫困户状态", "贫困户状态和脱贫年度只能通过动态管理程序变更"),
    ]
    # Loading a new household with its status from the national system stays possible.
    other = id_number(datetime.date(1971, 3, 4))
    result = import_workbook(
        workbook(
            {
                "户": [household(户编号="5325271002010077", 贫困户状态="已脱贫", 脱贫年度=2017)],
                "成员": [person(other, 户编号="5325271002010077")],
            }
        ),
        acting_user=county_admin,
    )
    assert result.errors == []
    assert Household.objects.get(number="5325271002010077").status == "exited"
