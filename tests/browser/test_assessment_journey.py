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


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_edit_a_draft_in_the_form_review_its_toml_and_compare(live_server, page, registry):
    """A county officer on a phone: switch an indicator off, raise a threshold, add one from
    the vocabulary, read the TOML produced, then compare it with the adopted standard."""
    from tests.browser.conftest import log_in

    county = registry["v"][0].parent.parent
    UserFactory(username="officer", role="county_admin", area=county)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/assessment/draft/?adopted=yunnan-2018")
    assert "云南省贫困退出标准（2018年）" in page.locator("main, body").first.inner_text()
    assert _sideways(page) <= 0
    page.uncheck("input[name=on__household__pension]")
    page.fill("input[name=threshold__county__exited_villages]", "95")
    page.select_option("select[name=add0_field]", "household.dropouts")
    page.select_option("select[name=add0_op]", "<=")
    page.fill("input[name=add0_threshold]", "0")
    box = page.locator("input[name=on__household__income]").bounding_box()
    assert (
        box is not None
        and page.locator("label:has(input[name=on__household__income])").bounding_box()["height"]
        >= 44
    )
    page.click("button[name=action][value=review]")
    toml = page.locator("#draft-toml").inner_text()
    assert 'remove = ["household.pension"]' in toml
    assert 'id = "exited_villages"\nthreshold = 95' in toml
    assert 'value = "dropouts"' in toml
    assert _sideways(page) <= 0
    page.click("#draft-preview-form button[type=submit]")
    page.wait_for_url("**/assessment/preview/")
    assert page.locator("#preview-info").is_visible()
    assert "云南省贫困退出标准（2018年）" in page.locator("#preview-info").inner_text()
