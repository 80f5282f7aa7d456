"""Journey at 390 px wide: from the area tree to the area workbook page, upload a file with an
error, then a good one; the page never scrolls sideways."""

from __future__ import annotations

import pytest

from jingzhun.areas.models import Area
from tests.areas.test_excel import township, village, workbook
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

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/areas/")
    page.click("#area-import-link")
    page.wait_for_url("**/areas/import/")
    assert overflow(page) <= 0

    page.set_input_files("input[name=file]", str(bad))
    page.click("form.import-form button[type=submit]")
    page.wait_for_selector("#area-import-result")
    result = page.locator("#area-import-result").inner_text()
    assert "发现 1 处错误，未写入任何数据" in result
    assert "上级区划代码应为「532527101000」" in result
    assert overflow(page) <= 0

    page.set_input_files("input[name=file]", str(good))
    page.click("form.import-form button[type=submit]")
    page.wait_for_selector("#area-import-result >> text=导入完成")
    assert overflow(page) <= 0
    assert Area.objects.get(code="532527101201").parent_id == "532527101000"
