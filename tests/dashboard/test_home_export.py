"""The home page's figures as .xlsx (issue #13 item 4): the page's tables, numbers as numbers,
the rate with two decimals, scoped and audited."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.audit.models import AuditEntry
from tests.dashboard.test_home import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_home_export_has_the_pages_tables(client, county_admin, world):  # noqa: F811
    client.force_login(county_admin)
    page = client.get(reverse("home"))
    assert 'href="/?format=xlsx"' in page.content.decode()
    response = client.get(reverse("home"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="overview-')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概况", "按贫困户状态", "贫困发生率"]
    assert list(book["概况"].iter_rows(values_only=True)) == [
        ("指标", "数值"),
        ("建档立卡户数", 3),
        ("建档立卡人数", 6),
        ("未脱贫户数（含返贫）", 2),
        ("未脱贫人数（含返贫）", 5),
    ]
    statuses = list(book["按贫困户状态"].iter_rows(values_only=True))
    assert statuses[0] == ("贫困户状态", "户数", "人数")
    assert [row[1:] for row in statuses[1:]] == [
        (row["households"], row["persons"]) for row in page.context["by_status"]
    ]
    incidence = book["贫困发生率"]
    rows = list(incidence.iter_rows(values_only=True))
    assert rows[0][-1] == "贫困发生率（%）"
    assert rows[1:] == [
        ("100镇", "532527100000", 1, 0, 1000, 2, 0.2),
        ("101镇", "532527101000", 1, 0, 600, 3, 0.5),
    ]
    assert incidence["G2"].number_format == "0.00"
    assert [r["incidence"] for r in page.context["incidence"]] == [Decimal("0.20")] + [
        Decimal("0.50")
    ]
    entry = AuditEntry.objects.get(action="export", model="core.home")
    assert entry.actor == county_admin
    assert entry.changes["counts"] == {"概况": 4, "按贫困户状态": 6, "贫困发生率": 2}


def test_home_export_is_scoped(client, township_operator, world, village):  # noqa: F811
    client.force_login(township_operator)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("home"), {"format": "xlsx"}).content)
    )
    # The township's villages (its one village with households), as on the page.
    assert [row[0] for row in book["贫困发生率"].iter_rows(min_row=2, values_only=True)] == [
        village.name
    ]
    assert book["概况"]["B2"].value == 2
