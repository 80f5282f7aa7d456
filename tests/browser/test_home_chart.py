"""The home page's incidence chart reads rates as the table does: two decimals (5.00, 0.02)."""

from __future__ import annotations

import pytest

from tests.factories import HouseholdFactory, PersonFactory, UserFactory, area_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chart_labels_and_tooltip_have_two_decimals(live_server, page):
    village = area_chain()
    village.rural_population = 40
    village.save()
    UserFactory(username="clerk", role="county_admin", area=village.parent.parent)
    household = HouseholdFactory(village=village, status="registered")
    PersonFactory(household=household)
    PersonFactory(household=household, name="李梅", relation="spouse", sex="female")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("#incidence tbody td.num").last.inner_text() == "5.00"  # 2 of 40
    shown = page.evaluate(
        """() => {
          const option = echarts.getInstanceByDom(document.getElementById("incidence-chart"))
            .getOption();
          const value = option.series[0].data[0];
          return [option.series[0].label.formatter({value: value}),
                  option.tooltip[0].valueFormatter(value)];
        }"""
    )
    assert shown == ["5.00", "5.00"]
