"""The household list's pager (issue #13 item 4): page numbers within the capped count, the
last page only when the whole list was counted, the filter kept by links and the jump form."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jingzhun.registry import views
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(client, township_operator, village):
    for number in range(7):
        HouseholdFactory(village=village, number=f"88{number}", status="registered")
    client.force_login(township_operator)
    return client


def pages(html: str) -> list[str]:
    return re.findall(r'<li><a href="\?[^"]*page=(\d+)">\d+</a></li>', html)


def test_counted_list_numbers_every_page(seven, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    response = seven.get(reverse("household-list"), {"status": "registered", "page": 2})
    html = response.content.decode()
    assert "共 7 条 · 第 2 / 4 页" in html
    assert pages(html) == ["1", "3", "4"]
    assert 'href="?status=registered&amp;page=4" class="pager-last"' in html
    assert '<input type="hidden" name="status" value="registered">' in html
    assert [h.number for h in response.context["rows"]] == ["882", "883"]


def test_over_the_cap_numbers_the_counted_pages_without_a_last(seven, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_CAP", 4)
    html = seven.get(reverse("household-list")).content.decode()
    assert "超过 4 户" in html  # the count's own line, as before
    assert "超过 4 条 · 第 1 页" in html
    assert pages(html) == ["2"]
    assert 'class="pager-last"' not in html
    deep = seven.get(reverse("household-list"), {"page": 3}).content.decode()
    assert pages(deep) == ["1", "2", "4"]  # the page after: known to exist


def test_the_last_page_of_a_name_search_is_counted_from_its_rows(seven, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    first = seven.get(reverse("household-list"), {"q": "88"}).content.decode()
    assert "第 1 页" in first and "共 " not in first.split('class="pager-summary"')[1][:40]
    last = seven.get(reverse("household-list"), {"q": "88", "page": 2}).content.decode()
    assert "共 7 条 · 第 2 / 2 页" in last


def test_the_area_filter_is_labelled_for_what_it_shows(seven):
    """A select of area names is 区划, not 区划代码 (the label of a code typed in the API)."""
    form = seven.get(reverse("household-list")).context["form"]
    assert form.fields["area"].label == "区划"
    assert form.fields["area"].widget.choices[1][1].endswith("镇")
