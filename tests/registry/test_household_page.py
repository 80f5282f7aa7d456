"""The household page's title and key figures (issue #13 item 4): the head's name and the
household number in <h1>; the latest year's per-capita income, that year's poverty line, the
latest verdict, status and size at the top; the verdict's sentences in the user's language."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory, UserFactory
from tests.procedures.builders import assess

pytestmark = pytest.mark.django_db


def text_of(page: str, element_id: str) -> str:
    """The visible text of the element with that id (tags dropped, blanks squeezed)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:h1|div)>', page, re.S)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


@pytest.fixture
def household(village):
    household = HouseholdFactory(village=village, number="5325271002010007", status="registered")
    PersonFactory(household=household, relation="head", name="赵德明")
    PersonFactory(
        household=household,
        relation="spouse",
        name="钱桂兰",
        sex="female",
        birth_date=datetime.date(1980, 3, 1),
    )
    return household


def get_page(client, user, household) -> str:
    client.force_login(user)
    response = client.get(reverse("household-detail", args=[household.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_titled_by_the_heads_name_and_number(client, township_operator, household):
    page = get_page(client, township_operator, household)
    assert text_of(page, "household-title") == "赵德明 5325271002010007"
    assert "<title>赵德明 5325271002010007 · 精准扶贫信息系统</title>" in page
    assert text_of(page, "key-status") == "贫困户状态 未脱贫"
    assert text_of(page, "key-members") == "家庭人口 2"


def test_a_household_without_a_head_is_titled_by_its_number(client, township_operator, village):
    household = HouseholdFactory(village=village, number="5325271002010008")
    page = get_page(client, township_operator, household)
    assert text_of(page, "household-title") == "贫困户 5325271002010008"
    assert text_of(page, "key-income") == "人均纯收入 暂无收入记录"
    assert 'id="key-line"' not in page
    assert text_of(page, "key-verdict") == "达标评估 尚无已完成的达标评估。"


def test_the_latest_years_income_against_that_years_line(client, township_operator, household):
    IncomeFactory(household=household, year=2017, members_count=2)  # 8,500 / 2
    IncomeFactory(
        household=household,
        year=2018,
        members_count=2,
        wage_income=Decimal("2000"),
        operating_income=Decimal("0"),
        operating_expenses=Decimal("0"),
    )
    page = get_page(client, township_operator, household)
    assert text_of(page, "key-income") == "人均纯收入（2018 年度） 1,000.00 元"
    assert text_of(page, "key-line") == "国家扶贫标准 2,995 元"


def test_the_latest_verdict_and_its_sentence_in_the_users_language(
    client, township_operator, household, village
):
    IncomeFactory(
        household=household,
        year=2018,
        members_count=2,
        wage_income=Decimal("2000"),
        operating_income=Decimal("0"),
        operating_expenses=Decimal("0"),
    )
    run = assess(village, UserFactory(role="county_admin", area=village.parent.parent))
    page = get_page(client, township_operator, household)
    assert text_of(page, "key-verdict") == f"达标评估 未达标 评估 #{run.pk}"
    reasons = page[page.index('id="assessment-reasons"') :]
    assert "未超过 2018 年" in reasons[: reasons.index("</ul>")]

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("household-detail", args=[household.pk])).content.decode()
    assert text_of(page, "key-verdict") == f"Exit assessment Not met Assessment #{run.pk}"
    reasons = page[page.index('id="assessment-reasons"') :]
    reasons = reasons[: reasons.index("</ul>")]
    assert "2,995" in reasons
    assert "未超过" not in reasons
