"""Journey: a village operator proposes exits for two households from the assessment's
candidates, records the village review (and the verification and consent the flow requires),
publishes the notice; someone lodges an objection on the public page; the township resolves it
and reviews the list once the notice has ended; the county approves and announces; both
households' status and history show the exit."""

from __future__ import annotations

import datetime

import pytest

from jingzhun.procedures import forms_public, services
from jingzhun.registry.models import Household
from tests.factories import UserFactory
from tests.procedures.builders import Staff, assess, meeting_household, village_meeting_standard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date(2018, 12, 20)


def login(browser_page, live_server, username: str) -> None:
    browser_page.goto(f"{live_server.url}/accounts/login/")
    browser_page.fill("input[name=username]", username)
    browser_page.fill("input[name=password]", "pw-123456")
    browser_page.click("button[type=submit], input[type=submit]")
    browser_page.wait_for_url(f"{live_server.url}/")


def take_step(page, step: str, evidence: dict[str, str]) -> None:
    """Tick every open procedure of the batch page, fill the step's panel and submit it."""
    for box in page.locator("#procedures input[name=procedures]").all():
        box.check()
    for name, value in evidence.items():
        page.fill(f"#step-{step} [name='{step}-{name}']", value)
    page.click(f"#step-{step} button[name=step][value={step}]")
    page.wait_for_selector(".message.success, .messages .success, [class*=success]")


def test_exit_from_candidates_to_announcement(live_server, page, monkeypatch, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(services, "today", lambda: TODAY)
    village = village_meeting_standard()
    staff = Staff(village)
    for user, name in [
        (staff.village_op, "cun"),
        (staff.township, "xiang"),
        (staff.county, "xian"),
        (staff.county2, "xian2"),
    ]:
        user.username = name
        user.save()
    households = [meeting_household(village), meeting_household(village)]
    assess(village, UserFactory(role="county_admin", area=village.parent.parent))

    # The village operator proposes both candidates from the board.
    login(page, live_server, "cun")
    page.click("nav >> text=动态管理")
    page.wait_for_url("**/procedures/")
    page.click("#new-exit")
    page.wait_for_selector("#candidates")
    assert page.locator("#candidates input[name=selected]").count() == 2
    for box in page.locator("#candidates input[name=selected]").all():
        box.check()
    page.click("#proposal-form button[type=submit]")
    page.wait_for_url("**/procedures/batches/*/")
    assert page.locator("#procedures tbody tr").count() == 2
    batch_url = page.url

    take_step(
        page,
        "village_review",
        {"date": "2018-12-15", "attendance": "36", "votes_for": "33", "votes_against": "2"},
    )
    take_step(
        page, "verification", {"date": "2018-12-16", "verifiers": "驻村工作队", "note": "属实"}
    )
    take_step(page, "consent", {"date": "2018-12-17", "record": "确认书 2018-08"})
    take_step(
        page,
        "notice",
        {
            "start": "2018-12-20",
            "days": "7",
            "place": "村委会公示栏",
            "contact": "向村委会或乡镇扶贫工作站书面反映",
        },
    )
    notice_url = page.locator("#notices a.notice-page").first.get_attribute("href")

    # Anyone, without logging in, objects on the public page.
    public = page.context.browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{live_server.url}{notice_url}")
    rows = public.locator("#notice-rows tbody tr")
    assert rows.count() == 2
    text = public.locator("#notice-rows").inner_text()
    assert "李*国" in text and "贫困户退出" in text and "达到脱贫标准" in text
    public.select_option("select[name=procedure]", index=1)
    public.fill("textarea[name=text]", "该户今年新建了楼房,收入情况请再核实")
    # The form refuses submissions faster than a person reads: move its clock on.
    monkeypatch.setattr(forms_public, "now", lambda: forms_public.time.time() + 10)
    public.click("form.objection-form button[type=submit]")
    public.wait_for_selector("text=您的异议已提交")
    public.context.close()

    # The township resolves the objection, then reviews once the notice has ended.
    page.context.clear_cookies()
    login(page, live_server, "xiang")
    page.goto(batch_url)
    assert page.locator("#procedures strong.blocked").inner_text() == "1"
    page.check("#objections form.resolve-form input[value=dismissed]")
    page.fill("#objections form.resolve-form input[name$=finding]", "经入户核查,楼房为危房改造项目")
    page.click("#objections form.resolve-form button[type=submit]")
    page.wait_for_selector("#objections >> text=异议不成立")
    monkeypatch.setattr(services, "today", lambda: datetime.date(2018, 12, 27))
    page.goto(batch_url)
    assert "公示期至 2018-12-26 结束" not in page.content()
    take_step(page, "township_review", {"date": "2018-12-27", "note": "同意退出"})

    # The county approves; another county officer announces (maker ≠ checker).
    page.context.clear_cookies()
    login(page, live_server, "xian")
    page.goto(batch_url)
    take_step(page, "county_approval", {"date": "2018-12-27", "document": "泸扶〔2018〕9号"})
    page.context.clear_cookies()
    login(page, live_server, "xian2")
    page.goto(batch_url)
    take_step(page, "announcement", {"date": "2018-12-27", "document": "泸扶〔2018〕10号"})

    for household in households:
        assert Household.objects.get(pk=household.pk).status == "exited"
    page.goto(f"{live_server.url}/registry/households/{households[0].pk}/")
    content = page.content()
    assert "已脱贫" in content and "泸扶〔2018〕10号" in content
    assert "办理程序" in content
