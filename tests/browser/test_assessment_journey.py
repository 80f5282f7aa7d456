"""Journey: start an assessment from the page (a real task worker runs it), follow its progress
to the report, open a blocker, see the household list, open one household and read why it does
not meet the standard."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_run_assessment_open_blocker_and_read_household_reasons(
    live_server, page, registry, worker
):
    county = registry["v"][0].parent.parent
    UserFactory(username="leader", role="county_admin", area=county)
    h1 = registry["h"][0]

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.click("nav >> text=达标评估")
    page.wait_for_url("**/assessment/")
    page.select_option("select[name=standard]", "yunnan-2018")
    page.fill("input[name=year]", "2018")
    page.click("#run-form button[type=submit]")
    # Queued, then picked up by the worker; the status cell polls until the report link shows.
    page.wait_for_selector("[data-status=finished] >> text=查看报告", timeout=60_000)
    page.click("[data-status=finished] >> text=查看报告")
    page.wait_for_url("**/assessment/runs/*/")

    # The income blocker in 泸西县: h1 (2,000.01 per person), h2 and h6 (no income record).
    income = page.locator("#blockers-household tr[data-indicator=income] a.unmet")
    assert income.inner_text().strip() == "3"
    income.click()
    page.wait_for_url("**/households/?indicator=income*")
    rows = page.locator("table#households tbody tr")
    assert rows.count() == 3
    page.click(f"table#households a[href$='/registry/households/{h1.pk}/']")
    page.wait_for_url(f"**/registry/households/{h1.pk}/")
    reasons = page.locator("#assessment-reasons").inner_text()
    assert "人均纯收入 2,000.01 元" in reasons and "2,995" in reasons
    assert "义务教育" in reasons or "失学" in reasons or "辍学" in reasons
