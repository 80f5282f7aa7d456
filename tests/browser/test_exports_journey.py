"""Journey on a phone-sized screen (390 px): a large export from the household list runs in the
background (a real task worker), its page shows the progress, then the download; 我的导出 lists
it."""

from __future__ import annotations

import openpyxl
import pytest

from jingzhun.registry import views_excel
from jingzhun.registry.models import Household
from tests.browser.conftest import go_to
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_background_export_on_a_narrow_screen(
    live_server, page, registry, worker, monkeypatch, settings, tmp_path
):
    settings.HOME = tmp_path
    monkeypatch.setattr(views_excel, "SYNC_EXPORT_MAX_HOUSEHOLDS", 1)
    county = registry["v"][0].parent.parent
    leader = UserFactory(username="leader", role="county_admin", area=county)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    go_to(page, "贫困户")
    page.wait_for_url("**/registry/households/")
    page.click("#export-form button")
    page.wait_for_url("**/exports/*/")
    page.wait_for_selector('.export-status[data-status="finished"]', timeout=60_000)
    assert "共 " in page.inner_text(".export-status")
    # Nothing wider than the screen: no sideways scrolling of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_download() as download:
        page.click("a[id^=export-download]")
    assert download.value.suggested_filename.startswith("registry-")
    path = tmp_path / "downloaded.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    households = list(book["户"].iter_rows(min_row=2, values_only=True))
    # 泸西县's households of the fixture (six), not the other county's.
    assert sorted(row[0] for row in households) == sorted(
        Household.objects.visible_to(leader).values_list("number", flat=True)
    )
    assert len(households) == 6 < Household.objects.count()

    go_to(page, "我的导出")
    page.wait_for_url("**/exports/")
    assert page.locator("#export-jobs tbody tr").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
