"""Issue #11 item 9 on the household list page: malformed filters and pages never a 500.

An invalid filter is shown as the field's error with no rows, as the page always treated
invalid filters; a page number past core.paging.MAX_PAGE is the Chinese 400 page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.fixture
def client_in(client, township_operator, village):
    household = HouseholdFactory(village=village)
    PersonFactory(household=household, name="张三")
    client.force_login(township_operator)
    return client


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (f"area={HUGE}", "area", "区划代码应为1至12位数字"),
        ("area=5325x7", "area", "区划代码应为1至12位数字"),
        ("gap=education&year=10000", "year", "确保该值小于或等于2100。"),
        ("gap=income&year=2000", "year", "确保该值大于或等于2014。"),
        (f"entry_year={HUGE}", "entry_year", "确保该值小于或等于2100。"),
    ],
)
def test_invalid_filter_shows_the_fields_error_and_no_rows(client_in, query, field, message):
    response = client_in.get(reverse("household-list") + "?" + query)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert response.context["rows"] == []
    assert message in response.content.decode()


def test_over_large_page_is_the_400_page(client_in):
    response = client_in.get(reverse("household-list") + f"?page={HUGE}")
    assert response.status_code == 400
    assert 'data-status="400"' in response.content.decode()


def test_a_page_past_the_end_is_empty(client_in):
    response = client_in.get(reverse("household-list") + "?page=10000000")
    assert response.status_code == 200
    assert response.context["rows"] == []
