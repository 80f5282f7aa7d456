"""Journey at phone width (issue #13 item 3): a village cadre on a 390 px screen opens the menu,
proposes exits from the assessment's candidates, gets the step form's errors at the top of the
form, completes the step, and reads the household page. On every page: nothing scrolls sideways
and every link, button and field is a touch target at least 44 px high. The screenshots in
docs/screenshots/phone-*.png are taken here: `JINGZHUN_SCREENSHOTS=1 pytest
tests/browser/test_phone_journey.py` writes them there (otherwise to a temporary folder, so an
ordinary run leaves the working tree as it was)."""

from __future__ import annotations

import datetime

import pytest

from jingzhun.procedures import services
from jingzhun.procedures.models import Procedure
from tests.browser.conftest import check_fits, go_to, log_in, shoot
from tests.factories import UserFactory
from tests.procedures.builders import Staff, assess, meeting_household, village_meeting_standard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date(2018, 12, 20)


def test_a_village_cadre_completes_a_step_on_a_phone(
    live_server, page, monkeypatch, settings, screenshots
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(services, "today", lambda: TODAY)
    village = village_meeting_standard()
    staff = Staff(village)
    staff.village_op.username = "cun"
    staff.village_op.save()
    households = [meeting_household(village), meeting_household(village)]
    assess(village, UserFactory(role="county_admin", area=village.parent.parent))
    page.set_viewport_size({"width": 390, "height": 844})

    # The navigation is behind the menu button; open, it lists every entry as a 44 px target.
    log_in(page, live_server, "cun")
    assert page.locator("#main-nav").is_hidden()
    page.click("#nav-toggle")
    assert page.locator("#nav-toggle").get_attribute("aria-expanded") == "true"
    check_fits(page)
    shoot(page, screenshots, "phone-menu")
    go_to(page, "动态管理")
    page.wait_for_url("**/procedures/")
    check_fits(page)

    # The proposal page: the candidates' table cannot show each cell on one line at 390 px, so
    # each candidate is a card whose cells are labelled from the table's header.
    page.click("#new-exit")
    page.wait_for_selector("#candidates")
    check_fits(page)
    first = page.locator("#candidates.as-cards tbody tr").first
    assert first.locator("td[data-label=户编号]").inner_text() == households[0].number
    assert first.locator("td[data-label=户主]").inner_text() == "李*国"
    assert 0 < first.bounding_box()["width"] <= 390
    shoot(page, screenshots, "phone-proposal")
    for box in page.locator("#candidates input[name=selected]").all():
        box.check()
    page.click("#proposal-form button[type=submit]")
    page.wait_for_url("**/procedures/batches/*/")

    # The batch page: the list is too wide for a phone, so each row is a card whose cells are
    # labelled from the table's header; the step's form below them.
    check_fits(page)
    assert page.locator("#procedures.as-cards tbody tr").count() == 2
    first = page.locator("#procedures tbody tr").first
    assert first.locator("td[data-label=选择] input[name=procedures]").count() == 1
    assert first.locator("td[data-label=户编号]").inner_text() == households[0].number
    assert first.locator("td[data-label=户主]").inner_text() == "李*国"
    assert first.locator("td[data-label=进度]").inner_text() == "提出 → 民主评议"
    assert 0 < first.bounding_box()["width"] <= 390
    shoot(page, screenshots, "phone-batch")

    # A step sent with neither date nor attendance: the errors are listed at the top of the
    # form (above the list), each naming its field, and the focus is there.
    for box in page.locator("#procedures input[name=procedures]").all():
        box.check()
    page.fill("#step-village_review [name='village_review-date']", "")
    page.fill("#step-village_review [name='village_review-votes_for']", "10")
    page.fill("#step-village_review [name='village_review-votes_against']", "2")
    page.click("#step-village_review button[name=step][value=village_review]")
    summary = page.locator("#batch-form > .form-errors")
    summary.wait_for()
    assert summary.locator("li").all_inner_texts() == [
        "评议会日期：该字段是必填项。",
        "参会人数：该字段是必填项。",
    ]
    assert page.evaluate("document.activeElement.id") == "batch-form-errors"
    assert summary.bounding_box()["y"] < page.locator("#procedures").bounding_box()["y"]
    check_fits(page)
    shoot(page, screenshots, "phone-step-errors")

    # Each error links to its field. The service's own refusal is listed the same way.
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.name") == "village_review-date"
    page.fill("#step-village_review [name='village_review-date']", "2018-12-15")
    page.fill("#step-village_review [name='village_review-attendance']", "36")
    page.click("#step-village_review button[name=step][value=village_review]")
    page.wait_for_selector("#batch-form > .form-errors")
    assert page.locator("#batch-form > .form-errors li").all_inner_texts() == [
        "赞成票：赞成票未超过参会人数的一半，评议未通过；请使用「不予通过」"
    ]
    assert [p.state for p in Procedure.objects.all()] == ["proposal"] * 2

    # Corrected (the ticks and the other figures kept), the step is taken for both households.
    page.fill("#step-village_review [name='village_review-votes_for']", "33")
    page.click("#step-village_review button[name=step][value=village_review]")
    page.wait_for_selector(".message.success")
    assert page.locator(".message.success").inner_text() == "已办理「民主评议」：2 户"
    assert [p.state for p in Procedure.objects.order_by("id")] == ["village_review"] * 2
    check_fits(page)

    # The household page: titled by the head and the number, the key figures first.
    page.click(f"#procedures a:text-is('{households[0].number}')")
    page.wait_for_selector("#key-figures")
    assert page.locator("h1").inner_text() == f"李建国 {households[0].number}"
    assert page.locator("#key-income dd").inner_text() == "4,250.00 元"
    assert page.locator("#key-verdict dd .tag").inner_text() == "达标"
    check_fits(page)
    shoot(page, screenshots, "phone-household")
