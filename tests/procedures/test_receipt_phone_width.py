"""On a phone (390 px wide), as a villager who scanned the notice's QR code: the notice page shows
the supervision hotline, the objection is lodged, its receipt noted, and the receipt lookup shows
its status. Nothing is wider than the screen."""

from __future__ import annotations

import re
import time

import pytest

from jingzhun.procedures import forms_public
from jingzhun.procedures.flows import StepId
from jingzhun.procedures.models import Objection
from tests.browser.conftest import page  # noqa: F401  (the chromium page fixture)
from tests.procedures.builders import advance, exit_batch, meeting_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


def fits(browser_page) -> None:
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_objection_and_receipt_lookup_on_a_phone(live_server, page, staff, monkeypatch):  # noqa: F811
    village = staff.village_op.area
    procedures = exit_batch(village, staff, [meeting_household(village)])
    advance(procedures, StepId.NOTICE, staff, monkeypatch)
    notice = procedures[0].notice
    monkeypatch.setattr(forms_public, "now", lambda: time.time() + 10)
    page.set_viewport_size({"width": WIDTH, "height": 844})

    page.goto(f"{live_server.url}/notices/{notice.token}/#objection")
    assert page.inner_text("#supervision-phone") == "12317"
    fits(page)
    page.select_option("select[name=procedure]", str(procedures[0].pk))
    page.fill("textarea[name=text]", "该户家中新购小轿车，收入情况与公示不符")
    page.click(".objection-form button[type=submit]")
    page.wait_for_selector(".message.success")
    message = page.inner_text(".message.success")
    receipt = Objection.objects.get().receipt
    number = re.search(r"受理编号：([\d ]+)", message).group(1)
    assert number.replace(" ", "") == receipt
    fits(page)

    page.click("text=查询异议处理情况")
    page.wait_for_url("**/notices/receipt/")
    page.fill("input[name=receipt]", number)
    page.click("#receipt button[type=submit]")
    page.wait_for_selector("#receipt-status")
    assert page.get_attribute("#receipt-status", "data-state") == "received"
    assert "已受理" in page.inner_text("#receipt-status")
    fits(page)

    page.fill("input[name=receipt]", "1234 5678 9012")
    page.click("#receipt button[type=submit]")
    page.wait_for_selector("#receipt-not-found")
    fits(page)
