"""The one pager of every list (core.paging.make_pager, includes/pager.html): the summary, a
window of page numbers, first/last, a jump form that keeps the other query parameters."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import QueryDict
from django.template import Context, Template

from jingzhun.core.paging import make_pager, pager_of_page


def numbers(pager) -> list:
    return [link.number for link in pager.links]


def render(source, query="") -> str:
    template = Template("{% load paging %}{% pager source query %}")
    return template.render(Context({"source": source, "query": query}))


def test_window_around_the_current_page_with_first_and_last():
    pager = make_pager(number=10, per_page=50, total=1000)
    assert (pager.last, pager.known, pager.has_next, pager.has_previous) == (20, 20, True, True)
    assert numbers(pager) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert [link.number for link in pager.links if link.current] == [10]
    assert numbers(make_pager(number=1, per_page=50, total=120)) == [1, 2, 3]
    assert numbers(make_pager(number=3, per_page=50, total=120)) == [1, 2, 3]
    assert make_pager(number=3, per_page=50, total=120).has_next is False


def test_links_keep_the_other_parameters_but_not_the_page():
    params = QueryDict("status=registered&status=relapsed&area=532527&page=4")
    pager = make_pager(number=4, per_page=50, total=500, params=params)
    assert pager.url(5) == "?status=registered&status=relapsed&area=532527&page=5"
    assert pager.hidden == [
        ("status", "registered"),
        ("status", "relapsed"),
        ("area", "532527"),
    ]
    other = make_pager(number=2, per_page=2, total=5, params=params, param="awaiting_page")
    assert other.url(3).endswith("&page=4&awaiting_page=3")


def test_a_capped_count_numbers_the_pages_up_to_the_cap_and_has_no_last():
    pager = make_pager(number=1, per_page=50, total=10_000, capped=True, has_next=True)
    assert (pager.last, pager.known, pager.has_next) == (None, 200, True)
    assert numbers(pager) == [1, 2, 3, None, 200]
    assert pager.last_url == ""
    beyond = make_pager(number=250, per_page=50, total=10_000, capped=True, has_next=True)
    assert beyond.known == 251 and numbers(beyond)[-1] == 251


def test_an_uncounted_list_knows_only_the_next_page():
    pager = make_pager(number=3, per_page=50, total=None, has_next=True)
    assert (pager.last, pager.known) == (None, 4)
    assert numbers(pager) == [1, 2, 3, 4]
    assert make_pager(number=1, per_page=50, total=None).shown is False


def test_the_include_shows_summary_links_and_a_jump_form_without_javascript():
    page = Paginator(list(range(230)), 50).page(3)
    html = render(page, "area=532527&q=zs")
    assert "共 230 条 · 第 3 / 5 页" in html
    assert re.findall(r'<a href="\?area=532527&amp;q=zs&amp;page=(\d+)"', html) == [
        "1",  # «
        "2",  # ‹ 上一页
        "1",
        "2",
        "4",
        "5",
        "4",  # 下一页 ›
        "5",  # »
    ]
    assert '<span class="pager-current" aria-current="page">3</span>' in html
    assert '<form method="get" class="pager-jump">' in html
    assert '<input type="hidden" name="area" value="532527">' in html
    assert '<input type="hidden" name="q" value="zs">' in html
    assert 'name="page" min="1" max="5" value="3"' in html
    assert "<script" not in html
    assert "jingzhun/pager.css" in html


def test_the_include_says_more_than_the_cap_and_nothing_for_one_page():
    capped = make_pager(number=2, per_page=50, total=10_000, capped=True, has_next=True)
    html = render(capped)
    assert "超过 10,000 条 · 第 2 页" in html
    assert 'class="pager-last"' not in html and 'max="' not in html
    assert render(pager_of_page(Paginator([1, 2], 50).page(1))).strip() == ""
