"""待我办理 on a 390 px phone, in a browser: the cards fit the screen (no sideways scrolling),
every link in them is a touch target at least 44 px high, and the top bar shows the badge."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, page  # noqa: F401  (the browser fixture)
from tests.core.test_awaiting import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_cards_fit_a_390_px_phone(live_server, page, village, other_village):  # noqa: F811
    world = World(village, other_village)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, world.county.username)
    assert page.locator("#awaiting .awaiting-card").count() == 5
    assert page.locator("nav .nav-badge").inner_text().endswith("6")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    heights = page.evaluate(
        """() => Array.from(document.querySelectorAll('#awaiting .awaiting-card a'))
              .map(a => a.getBoundingClientRect().height)"""
    )
    assert heights
    assert min(heights) >= 44
