"""Journey (issue #13 item 4): a county officer opens 动态管理, pages through 待我办理, exports
the board to .xlsx and finds in the file the rows the page shows — the same households, heads
masked, the overdue days as numbers."""

from __future__ import annotations

import openpyxl
import pytest

from jingzhun.audit.models import AuditEntry
from jingzhun.procedures import services, views
from jingzhun.procedures.flows import StepId
from tests.browser.conftest import go_to, log_in
from tests.procedures.builders import (
    TODAY,
    Staff,
    advance,
    exit_batch,
    meeting_household,
    village_meeting_standard,
)
from tests.procedures.test_views import age

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def table_rows(page, section: str) -> list[list[str]]:
    """The cells of a board section's table as the page shows them (the empty row left out)."""
    rows = []
    for row in page.locator(f"#{section} table.procedure-rows tbody tr[data-procedure]").all():
        rows.append([cell.inner_text().strip() for cell in row.locator("td").all()])
    return rows


def test_county_officer_exports_the_board(live_server, page, monkeypatch, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(services, "today", lambda: TODAY)
    monkeypatch.setattr(views, "ROWS_SHOWN", 2)  # three awaiting rows: two pages
    village = village_meeting_standard()
    staff = Staff(village)
    staff.county.username = "xian"
    staff.county.save()
    households = [meeting_household(village) for _ in range(4)]
    procedures = exit_batch(village, staff, households)
    # Three await the county's approval; the fourth waits on the village review, 16 days late.
    advance(procedures[:3], StepId.TOWNSHIP_REVIEW, staff, monkeypatch)
    monkeypatch.setattr(services, "today", lambda: TODAY)
    age(procedures[3:], 16)

    log_in(page, live_server, "xian")
    go_to(page, "动态管理")
    page.wait_for_url("**/procedures/")
    assert "共 3 条 · 第 1 / 2 页" in page.inner_text("#awaiting .pager")
    awaiting = table_rows(page, "awaiting")
    page.click("#awaiting .pager a.pager-next")
    page.wait_for_url("**awaiting_page=2**")
    awaiting += table_rows(page, "awaiting")
    overdue = table_rows(page, "overdue")
    assert len(awaiting) == 3 and len(overdue) == 1

    with page.expect_download() as download:
        page.click("#board-export")
    assert download.value.suggested_filename.startswith("procedures-board-")
    path = tmp_path / "board.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["待我办理", "超期未办", "批次"]

    def shown(values: tuple) -> list[str]:
        """A row of the file as the page prints it (dates as Y-m-d, numbers plainly)."""
        return [v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else str(v) for v in values]

    header, *rows = book["待我办理"].iter_rows(values_only=True)
    assert header[0] == "户编号 / 村"
    assert [shown(row)[:7] for row in rows] == [cells[:7] for cells in awaiting]
    assert [row[7] for row in rows] == [cells[7] for cells in awaiting]
    header, *rows = book["超期未办"].iter_rows(values_only=True)
    assert [shown(row) for row in rows] == overdue
    assert rows[0][-1] == 1 and isinstance(rows[0][-1], int)
    assert {row[1] for row in book["待我办理"].iter_rows(min_row=2, values_only=True)} == {"李*国"}
    assert AuditEntry.objects.filter(
        action="export", model="procedures.board", actor=staff.county
    ).exists()
