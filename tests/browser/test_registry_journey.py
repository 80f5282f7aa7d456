"""Journey: log in, find a person by pinyin initials, open the household, edit a field, see the
change in its history."""

from __future__ import annotations

import pytest

from tests.factories import HouseholdFactory, PersonFactory, UserFactory, area_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_by_initials_edit_and_see_history(live_server, page):
    village = area_chain()
    UserFactory(username="clerk", role="county_admin", area=village.parent.parent)
    household = HouseholdFactory(number="5325271002010042", village=village, hamlet="三组")
    PersonFactory(household=household, name="曾小明")
    PersonFactory(household=HouseholdFactory(village=village), name="张三")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/registry/households/")
    page.fill("input[name=q]", "cxm")  # 曾 read as ceng: initials c-x-m
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "5325271002010042" in rows.first.inner_text()

    page.click("text=5325271002010042")
    page.wait_for_url(f"**/registry/households/{household.pk}/")
    assert "曾*明" in page.content() or "曾小明" in page.content()

    page.click(f"a[href$='/registry/households/{household.pk}/edit/']")
    page.fill("input[name=hamlet]", "五组")
    page.click("form button[type=submit]:not([formaction])")
    page.wait_for_url(f"**/registry/households/{household.pk}/")
    history = page.locator("#change-log").inner_text()
    assert "三组" in history and "五组" in history
    assert "clerk" in history
