"""Journey on a phone-sized screen (390 px): a county's registry workbook is imported in the
background (a real task worker); its page shows the steps, then the counts; 我的导入 lists it."""

from __future__ import annotations

import pytest

from jingzhun.registry.models import Household, Person
from tests.browser.conftest import go_to, log_in
from tests.factories import UserFactory
from tests.registry.test_excel_import import HH, simple_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_background_import_on_a_narrow_screen(
    live_server, page, village, worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_SYNC_MAX_BYTES = 0  # every upload goes to the worker, as a county's file does
    UserFactory(username="clerk", role="county_admin", area=village.parent.parent)
    upload = tmp_path / "全县登记表.xlsx"
    upload.write_bytes(simple_file())
    page.set_viewport_size({"width": 390, "height": 844})

    log_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/registry/import/")
    page.set_input_files("input[name=file]", str(upload))
    page.click("form.import-form button[type=submit]")

    page.wait_for_url("**/imports/*/")
    page.wait_for_selector("#import-result >> text=导入完成", timeout=60_000)
    counts = page.inner_text("#import-result table.counts")
    assert "户\t1\t0\t0" in counts and "成员\t2\t0\t0" in counts
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert Household.objects.filter(number=HH).exists() and Person.objects.count() == 2

    go_to(page, "我的导入")
    page.wait_for_url("**/imports/")
    assert "全县登记表.xlsx" in page.inner_text("#import-jobs")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
