"""Journey at 390 px wide: from the area tree to the area workbook page, upload a file with an
error (its import job's page lists it), then a good one; the pages never scroll sideways."""

from __future__ import annotations

import pytest

from jingzhun.areas.models import Area
from tests.areas.test_excel import township, village, workbook
from tests.browser.conftest import log_in
from tests.factories import UserFactory, area_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_load_areas_on_a_phone(live_server, page, tmp_path):
    county = area_chain().parent.parent
    UserFactory(username="clerk", role="county_admin", area=county)
    bad = tmp_path / "bad.xlsx"
    wrong = village("532527101201", "新村", 上级区划代码="532527102")
    bad.write_bytes(workbook([township("532527101", "新镇"), wrong]))
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([township("532527101", "新镇"), village("532527101201", "新村")]))
    page.set_viewport_size({"width": 390, "height": 844})

    log_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/areas/")
    page.click("#area-import-link")
    page.wait_for_url("**/areas/import/")
    assert overflow(page) <= 0

    page.set_input_files("input[name=file]", str(bad))
    page.click("form.import-form button[type=submit]")
    page.wait_for_url("**/imports/*/")  # the import job's page
    result = page.locator("#import-result").inner_text()
    assert "发现 1 处错误，未写入任何数据" in result
    assert "上级区划代码应为「532527101000」" in result
    assert overflow(page) <= 0

    page.click("text=继续导入")
    page.wait_for_url("**/areas/import/")
    page.set_input_files("input[name=file]", str(good))
    page.click("form.import-form button[type=submit]")
    page.wait_for_selector("#import-result >> text=导入完成")
    assert overflow(page) <= 0
    assert Area.objects.get(code="532527101201").parent_id == "532527101000"
