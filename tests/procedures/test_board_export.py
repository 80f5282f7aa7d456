"""The board's and a batch's .xlsx exports (the page's rows and columns, masked heads, audited)
and the board's paged lists (issue #13 item 4)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from jingzhun.audit.models import AuditEntry
from jingzhun.procedures import views_board
from jingzhun.procedures.flows import StepId
from tests.factories import UserFactory, area_chain
from tests.procedures.builders import TODAY, YEAR, advance, exit_batch, meeting_household
from tests.procedures.test_views import age

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sheets(response: Any) -> dict[str, list[tuple]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


@pytest.fixture
def village(staff):
    return staff.village_op.area


@pytest.fixture
def trio(staff, village):
    return exit_batch(village, staff, [meeting_household(village) for _ in range(3)])


def test_board_export_has_the_pages_rows_masked_and_is_audited(staff, trio, pinned_today):
    client = client_for(staff.village_op)
    page = client.get(reverse("procedures-board"), {"year": YEAR})
    shown = [p.household.number for p in page.context["awaiting"]]
    assert len(shown) == 3
    assert f'href="{reverse("procedures-board-export")}?year={YEAR}"' in page.content.decode()
    book = sheets(client.get(reverse("procedures-board-export"), {"year": YEAR}))
    assert list(book) == ["待我办理", "超期未办", "批次"]
    header, *rows = book["待我办理"]
    assert header == (
        "户编号 / 村",
        "户主",
        "类别",
        "批次",
        "进度",
        "进入当前进度",
        "下一环节",
        "能否办理",
    )
    assert [row[0] for row in rows] == shown
    assert {row[1] for row in rows} == {"李*国"}  # masked as on the page
    assert [row[6] for row in rows] == [
        StepId(p.next_step.id).label for p in page.context["awaiting"]
    ]
    assert rows[0][6]
    assert {row[7] for row in rows} == {"可办理"}
    assert book["超期未办"][1:] == []
    (batch_row,) = book["批次"][1:]
    assert batch_row[3] == 3  # a number, not text
    entry = AuditEntry.objects.get(action="export", model="procedures.board")
    assert entry.actor == staff.village_op
    assert entry.changes["counts"] == {"待我办理": 3, "超期未办": 0, "批次": 1}
    assert entry.changes["filter"] == {"year": YEAR, "area": ""}


def test_board_export_overdue_dates_and_days_are_cells_of_their_type(staff, trio, pinned_today):
    age(trio[:1], 16)
    book = sheets(client_for(staff.county).get(reverse("procedures-board-export")))
    header, *rows = book["超期未办"]
    assert header[-2:] == ("应办结日期", "超期天数")
    (row,) = rows
    assert row[0] == trio[0].household.number
    assert row[5] == datetime.datetime.combine(TODAY - datetime.timedelta(days=16), datetime.time())
    assert row[-2] == datetime.datetime.combine(TODAY - datetime.timedelta(days=1), datetime.time())
    assert row[-1] == 1


def test_board_export_keeps_the_area_filter_within_scope(staff, trio, pinned_today):
    other = area_chain(township="101", village="202")
    outsider = UserFactory(role="village_operator", area=other)
    book = sheets(
        client_for(outsider).get(
            reverse("procedures-board-export"), {"year": YEAR, "area": trio[0].village_id}
        )
    )
    assert all(rows[1:] == [] for rows in book.values())


def test_board_lists_are_paged_and_the_pager_keeps_the_filter(
    staff, trio, pinned_today, monkeypatch
):
    monkeypatch.setattr(views_board, "ROWS_SHOWN", 2)
    client = client_for(staff.village_op)
    first = client.get(reverse("procedures-board"), {"year": YEAR})
    second = client.get(reverse("procedures-board"), {"year": YEAR, "awaiting_page": 2})
    assert [len(first.context["awaiting"]), len(second.context["awaiting"])] == [2, 1]
    numbers = [p.household.number for p in first.context["awaiting"]]
    numbers += [p.household.number for p in second.context["awaiting"]]
    assert len(numbers) == len(set(numbers)) == 3
    html = first.content.decode()
    assert "共 3 条 · 第 1 / 2 页" in html
    assert f'href="?year={YEAR}&amp;awaiting_page=2"' in html
    assert f'<input type="hidden" name="year" value="{YEAR}">' in html
    # The export is every row, whatever page is shown.
    book = sheets(client.get(reverse("procedures-board-export"), {"year": YEAR}))
    assert sorted(row[0] for row in book["待我办理"][1:]) == sorted(numbers)


def test_batch_export_is_the_batch_pages_list(staff, trio, monkeypatch):
    advance(trio[:1], StepId.VILLAGE_REVIEW, staff, monkeypatch)
    client = client_for(staff.township)
    url = reverse("procedures-batch", args=[trio[0].batch_id])
    page = client.get(url)
    assert reverse("procedures-batch-export", args=[trio[0].batch_id]) in page.content.decode()
    book = sheets(client.get(reverse("procedures-batch-export", args=[trio[0].batch_id])))
    header, *rows = book["名单"]
    assert header[:4] == ("户编号", "户主", "家庭人口", "原因类别")
    assert [row[0] for row in rows] == [p.household.number for p in page.context["rows"]]
    assert [row[2] for row in rows] == [2, 2, 2]
    assert {row[1] for row in rows} == {"李*国"}
    entry = AuditEntry.objects.get(action="export", model="procedures.batch")
    assert entry.area_code == trio[0].batch.area_id
    assert entry.changes["counts"] == {"名单": 3}


def test_another_areas_batch_export_is_a_404(staff, trio):
    outsider = UserFactory(role="village_operator", area=area_chain(township="101", village="202"))
    response = client_for(outsider).get(reverse("procedures-batch-export", args=[trio[0].batch_id]))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_a_board_too_large_to_export_asks_for_an_area_and_writes_nothing(
    staff, trio, pinned_today, monkeypatch
):
    from jingzhun.procedures import views_excel

    monkeypatch.setattr(views_excel, "EXPORT_MAX_ROWS", 2)
    client = client_for(staff.village_op)
    response = client.get(reverse("procedures-board-export"), {"year": YEAR}, follow=True)
    assert response.redirect_chain == [(f"{reverse('procedures-board')}?year={YEAR}", 302)]
    assert "超过 2 条，无法一次导出，请按区划筛选后再导出。" in response.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()
