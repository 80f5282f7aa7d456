"""Issue #10 item 4: the template's example rows, header errors, the bad value echoed in each
message, and the shared single-value checks (phone, household number, years, amounts) on the
form, the API and the import alike."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhun.audit.models import AuditEntry
from jingzhun.registry import validation
from jingzhun.registry.excel import import_workbook
from jingzhun.registry.excel.columns import HOUSEHOLDS, INCOMES, PERSONS
from jingzhun.registry.forms import HouseholdForm, IncomeForm
from jingzhun.registry.models import Helper, Household, Income, Measure, Person
from jingzhun.workbook import SYSTEM, annotate_errors, cells
from tests.api.conftest import client_for
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory, id_number
from tests.registry.test_excel_import import counts, household, person, workbook
from tests.registry.test_views import form_post_data

HH = "532527100201000001"
NEXT_YEAR = timezone.localdate().year + 1
PHONE = "应为11位手机号码或带区号的固定电话（如 0873-1234567），实际为「{}」"
NUMBER = "应为以所在县区划代码532527开头的16至18位数字，实际为「{}」"
YEAR = "应在2013至{high}之间，实际为「{}」"
NEGATIVE = "不能为负数，实际为「{}」"


def errors_of(content: bytes, user=SYSTEM) -> list[tuple[str, int, str, str]]:
    before = counts()
    result = import_workbook(content, acting_user=user)
    assert counts() == before
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


# (a) the template's example rows ----------------------------------------------------------------


def test_the_downloaded_template_imports_unchanged_as_nothing(client, village, county_admin):
    client.force_login(county_admin)
    template = client.get(reverse("registry-template")).content
    book = openpyxl.load_workbook(io.BytesIO(template))
    assert [book[t]["A2"].value[:4] for t in ("户", "成员", "收入", "帮扶责任人", "帮扶措施")] == [
        "【示例】"
    ] * 5
    assert book["户"]["A2"].font.i is True

    result = import_workbook(template, acting_user=county_admin)

    assert result.errors == []
    assert sum(n.created + n.updated + n.unchanged for n in result.counts.values()) == 0
    assert (Household.objects.count(), Person.objects.count()) == (0, 0)


# (b) a missing required column -----------------------------------------------------------------


def test_a_missing_required_column_is_one_error_not_one_per_row(village):
    content = workbook(
        {
            "户": [{"户编号": HH, "所在行政村代码": "532527100201", "识别年度": 2015}],
            "成员": [
                person(),
                person(id_number(datetime.date(2012, 1, 1)), 与户主关系="之子"),
                person(id_number(datetime.date(2014, 1, 1)), 与户主关系="之女"),
            ],
            "收入": [{"户编号": HH, "年度": 2018}],
        }
    )

    assert errors_of(content) == [
        ("户", 1, "主要致贫原因", "工作表「户」缺少必填列「主要致贫原因」")
    ]


def test_the_error_file_keeps_its_error_header_beside_a_header_error(village, tmp_path):
    content = workbook({"户": [{"户编号": HH, "所在行政村代码": "532527100201"}]})
    errors = import_workbook(content, acting_user=SYSTEM).errors
    assert [(e.row, e.column) for e in errors] == [(1, "主要致贫原因"), (1, "识别年度")]
    target = tmp_path / "errors.xlsx"

    annotate_errors(content, errors, target)
    # Annotating the annotated file again (a re-upload) keeps the header too.
    again = tmp_path / "again.xlsx"
    annotate_errors(target, errors, again)

    for path in (target, again):
        header = [c.value for c in openpyxl.load_workbook(path)["户"][1]]
        assert header == [
            "户编号",
            "所在行政村代码",
            "错误信息",
            "主要致贫原因：工作表「户」缺少必填列「主要致贫原因」；"
            "识别年度：工作表「户」缺少必填列「识别年度」",
        ]


# (c) the bad value in the message --------------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "field", "value", "message"),
    [
        (INCOMES, "wage_income", "三千", "应为数字，实际为「三千」"),
        (INCOMES, "wage_income", "1.234", "最多2位小数，实际为「1.234」"),
        (INCOMES, "wage_income", "12345678901234", "数值过大，实际为「12345678901234」"),
        (INCOMES, "year", "2018.5", "应为整数，实际为「2018.5」"),
        (PERSONS, "disability_grade", 5, "不能大于4，实际为「5」"),
        (HOUSEHOLDS, "military_family", "也许", "应填「是」或「否」，实际为「也许」"),
        (HOUSEHOLDS, "main_cause", "因穷", "「因穷」不是可选值"),
        (HOUSEHOLDS, "arable_land_mu", "-1", "不能小于0，实际为「-1.00」"),
        (PERSONS, "birth_date", "1990-13-01", "应为日期，格式如 2018-01-31，实际为「1990-13-01」"),
        (PERSONS, "work_months", 13, "不能大于12，实际为「13」"),
        (PERSONS, "name", "张" * 70, "不能超过64个字符，实际为70个字符「" + "张" * 40 + "…」"),
    ],
)
def test_every_cell_error_echoes_the_value(sheet, field, value, message):
    with pytest.raises(cells.CellError) as error:
        cells.parse_cell(value, sheet.column(field))
    assert str(error.value) == message


def test_the_error_file_says_column_message_and_value(village, tmp_path):
    content = workbook({"收入": [{"户编号": HH, "年度": 2018, "工资性收入": "三千"}]})
    errors = import_workbook(content, acting_user=SYSTEM).errors
    target = tmp_path / "errors.xlsx"
    annotate_errors(content, errors, target)

    sheet = openpyxl.load_workbook(target)["收入"]
    assert sheet.cell(row=2, column=sheet.max_column).value == (
        "户编号「532527100201000001」不存在；工资性收入：应为数字，实际为「三千」"
    )


def test_validation_problems_echo_the_value():
    head = {"id_number": id_number(datetime.date(1980, 5, 3)), "relation": "head"}
    problems = validation.check_person(
        head | {"sex": "female", "birth_date": datetime.date(1981, 5, 3), "work_months": 3},
        2018,
    )
    assert [(p.field, p.message) for p in problems] == [
        ("sex", "「女」与身份证号码不符（号码显示为男）"),
        ("birth_date", "「1981-05-03」与身份证号码不符（号码显示为1980-05-03）"),
        ("work_months", "未务工但务工时间为「3」个月"),
    ]
    problems = validation.check_household(
        {
            "main_cause": "illness",
            "other_causes": "illness,skills",
            "entry_year": 2016,
            "exit_year": 2015,
        }
    )
    assert [(p.field, p.message) for p in problems] == [
        ("other_causes", "「因病」与主要致贫原因重复"),
        ("exit_year", "「2015」早于识别年度2016"),
    ]


# (d) one shared check for single values --------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "problems"),
    [
        ({"phone": "13800001234"}, []),
        ({"phone": "0873-1234567"}, []),
        ({"phone": "01012345678"}, []),
        ({"phone": ""}, []),
        ({"phone": "12800001234"}, [("phone", PHONE.format("12800001234"))]),
        ({"phone": "1380000123"}, [("phone", PHONE.format("1380000123"))]),
        ({"phone": "873-1234567"}, [("phone", PHONE.format("873-1234567"))]),
        ({"number": "5325271002010001"}, []),
        ({"number": "532527100201000001"}, []),
        ({"number": "532528100201000001"}, [("number", NUMBER.format("532528100201000001"))]),
        ({"number": "532527100201001"}, [("number", NUMBER.format("532527100201001"))]),
        ({"number": "53252710020100A1"}, [("number", NUMBER.format("53252710020100A1"))]),
        ({"entry_year": 2013, "exit_year": NEXT_YEAR, "year": 2018}, []),
        ({"entry_year": 2012}, [("entry_year", YEAR.format(2012, high=NEXT_YEAR))]),
        (
            {"relocation_year": NEXT_YEAR + 1},
            [("relocation_year", YEAR.format(NEXT_YEAR + 1, high=NEXT_YEAR))],
        ),
        ({"year": 1999}, [("year", YEAR.format(1999, high=NEXT_YEAR))]),
        ({"wage_income": 0, "operating_expenses": 5, "amount": 1}, []),
        ({"operating_income": -1}, [("operating_income", NEGATIVE.format(-1))]),
        ({"other_transfer": -0.5}, [("other_transfer", NEGATIVE.format(-0.5))]),
        ({"amount": -200}, [("amount", NEGATIVE.format(-200))]),
    ],
)
def test_check_values(values, problems):
    found = validation.check_values(values, county="532527")
    assert [(p.field, p.message) for p in found] == problems


# ... on the form


@pytest.fixture
def registered(village):
    h = HouseholdFactory(village=village, number="5325271002010001")
    PersonFactory(household=h)
    IncomeFactory(household=h, year=2018)
    return h


@pytest.fixture
def operator_client(client, township_operator):
    client.force_login(township_operator)
    return client


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", PHONE.format("12345")),
        ("number", "H-77", "应为以所在县区划代码532527开头的16至18位数字，实际为「H-77」"),
        ("entry_year", "2012", YEAR.format(2012, high=NEXT_YEAR)),
        ("relocation_year", str(NEXT_YEAR + 1), YEAR.format(NEXT_YEAR + 1, high=NEXT_YEAR)),
    ],
)
def test_the_household_form_refuses_a_bad_value(
    operator_client, township_operator, registered, field, value, message
):
    data = form_post_data(HouseholdForm(instance=registered, user=township_operator))
    data[field] = value
    response = operator_client.post(reverse("household-edit", args=[registered.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert AuditEntry.objects.count() == 0


def test_the_household_form_keeps_a_legacy_value_it_does_not_change(
    operator_client, township_operator, registered
):
    Household.objects.filter(pk=registered.pk).update(phone="5551234")  # from before the check
    registered.refresh_from_db()
    data = form_post_data(HouseholdForm(instance=registered, user=township_operator))
    data["hamlet"] = "五组"
    response = operator_client.post(reverse("household-edit", args=[registered.pk]), data)
    assert response.status_code == 302
    registered.refresh_from_db()
    assert (registered.hamlet, registered.phone) == ("五组", "5551234")


def test_the_income_form_refuses_negative_amounts_and_a_bad_year(operator_client, registered):
    income = Income.objects.get(household=registered)
    data = form_post_data(IncomeForm(instance=income)) | {"operating_expenses": "-100"}
    response = operator_client.post(reverse("income-edit", args=[registered.pk, 2018]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["operating_expenses"] == [NEGATIVE.format("-100")]

    data = form_post_data(IncomeForm(instance=income))
    response = operator_client.post(reverse("income-edit", args=[registered.pk, 2009]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [YEAR.format(2009, high=NEXT_YEAR)]
    assert list(Income.objects.values_list("year", flat=True)) == [2018]
    assert AuditEntry.objects.count() == 0


# ... on the API


def test_the_api_refuses_bad_values_with_field_and_value(village, township_operator, registered):
    api = client_for(township_operator)
    payload = {
        "number": "5325281002010002",
        "village": village.pk,
        "main_cause": "illness",
        "entry_year": 2012,
        "phone": "12345",
        "members": [
            {"name": "王五", "id_number": id_number(datetime.date(1980, 1, 1)), "relation": "head"}
        ],
    }
    response = api.post("/api/households/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "phone": [PHONE.format("12345")],
        "number": [NUMBER.format("5325281002010002")],
        "entry_year": [YEAR.format(2012, high=NEXT_YEAR)],
    }

    response = api.post(
        "/api/incomes/",
        {"household": registered.pk, "year": 2019, "wage_income": "-1"},
        format="json",
    )
    assert (response.status_code, response.json()) == (
        400,
        {"wage_income": [NEGATIVE.format("-1.00")]},
    )
    response = api.post(
        "/api/helpers/",
        {"household": registered.pk, "name": "李四", "unit": "县农业局", "phone": "0873123"},
        format="json",
    )
    assert (response.status_code, response.json()) == (400, {"phone": [PHONE.format("0873123")]})
    response = api.post(
        "/api/measures/",
        {"household": registered.pk, "kind": "industry", "year": NEXT_YEAR + 1, "amount": "-5"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "year": [YEAR.format(NEXT_YEAR + 1, high=NEXT_YEAR)],
        "amount": [NEGATIVE.format("-5.00")],
    }
    assert (Household.objects.count(), Income.objects.count()) == (1, 1)
    assert (Helper.objects.count(), Measure.objects.count(), AuditEntry.objects.count()) == (
        0,
        0,
        0,
    )


# ... on the import


def test_the_import_refuses_bad_values_with_row_column_and_value(village):
    content = workbook(
        {
            "户": [household(户编号="532528100201000001", 联系电话="12345", 识别年度=2012)],
            "成员": [person(户编号="532528100201000001")],
            "收入": [{"户编号": "532528100201000001", "年度": 2012, "财产性收入": -3}],
            "帮扶责任人": [
                {
                    "户编号": "532528100201000001",
                    "姓名": "李四",
                    "工作单位": "县农业局",
                    "联系电话": "0873123",
                }
            ],
            "帮扶措施": [
                {
                    "户编号": "532528100201000001",
                    "措施类别": "产业扶贫",
                    "年度": NEXT_YEAR + 1,
                    "金额(元)": -5,
                }
            ],
        }
    )
    assert errors_of(content) == [
        ("户", 2, "户编号", NUMBER.format("532528100201000001")),
        ("户", 2, "联系电话", PHONE.format("12345")),
        ("户", 2, "识别年度", YEAR.format(2012, high=NEXT_YEAR)),
        ("收入", 2, "年度", YEAR.format(2012, high=NEXT_YEAR)),
        ("收入", 2, "财产性收入", NEGATIVE.format("-3.00")),
        ("帮扶责任人", 2, "联系电话", PHONE.format("0873123")),
        ("帮扶措施", 2, "年度", YEAR.format(NEXT_YEAR + 1, high=NEXT_YEAR)),
        ("帮扶措施", 2, "金额(元)", NEGATIVE.format("-5.00")),
    ]
    assert Person.objects.count() == 0
