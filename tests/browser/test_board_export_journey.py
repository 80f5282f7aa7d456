"""Journey (issue #13 item 4): a county officer opens 动态管理, pages through 待我办理, exports
the board to .xlsx and finds in the file the rows the page shows — the same households, heads
masked, the overdue days as numbers."""

from __future__ import annotations

import openpyxl
import pytest

from jingzhun.audit.models import AuditEntry
from jingzhun.procedures import services, views_board
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
    monkeypatch.setattr(views_board, "ROWS_SHOWN", 2)  # three awaiting rows: two pages
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
    assert len(awaiting) == 2
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


def test_a_village_cadre_pages_the_household_list_on_a_phone(live_server, page, settings):
    """390 px wide: the pager fits, every target is at least 44 px, and 跳至 [ ] 页 takes the
    cadre to the page keeping the filter (a plain GET form: no JavaScript involved)."""
    from jingzhun.registry import views as registry_views
    from tests.factories import HouseholdFactory, UserFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    village = village_meeting_standard()
    UserFactory(username="cun", role="village_operator", area=village)
    for number in range(7):
        HouseholdFactory(village=village, number=f"53{number:04d}", status="registered")
    page.set_viewport_size({"width": 390, "height": 844})
    original = registry_views.PAGE_SIZE
    registry_views.PAGE_SIZE = 2
    try:
        log_in(page, live_server, "cun")
        page.goto(f"{live_server.url}/registry/households/?status=registered")
        assert "共 7 条 · 第 1 / 4 页" in page.inner_text("nav.pager")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for target in page.locator(
            "nav.pager a, nav.pager .pager-current, nav.pager input[type=number], nav.pager button"
        ).all():
            box = target.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, target.inner_html()
        page.fill("nav.pager input[name=page]", "3")
        page.click("nav.pager .pager-jump button")
        page.wait_for_url("**page=3**")
        assert "status=registered" in page.url
        assert "第 3 / 4 页" in page.inner_text("nav.pager")
        assert page.locator("#households tbody tr").count() == 2
    finally:
        registry_views.PAGE_SIZE = original
