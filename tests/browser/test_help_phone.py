"""帮助 on a 390 px phone: the section first, then the contents; nothing scrolls sideways and
every link of the contents is a 44 px touch target."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_help_fits_a_phone(live_server, page, village):
    UserFactory(username="cun", role="village_operator", area=village)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "cun")
    page.goto(f"{live_server.url}/registry/households/")
    page.click(".tools .help-link")
    page.wait_for_url("**/help/household-list/?back=%2Fregistry%2Fhouseholds%2F")
    assert page.inner_text("h1") == "贫困户名单"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow == 0
    article = page.locator(".help-body").bounding_box()
    contents = page.locator(".help-toc").bounding_box()
    assert article["y"] + article["height"] <= contents["y"]
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('.help-toc a, .help-pager a, .help-crumbs a'))"
        ".map(a => a.getBoundingClientRect().height)"
    )
    assert len(heights) >= 12 and min(heights) >= 44
    page.click(".help-back")
    page.wait_for_url("**/registry/households/")
