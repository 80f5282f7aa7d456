"""Figures as official reports print them: rates with two decimals (the `rate` filter) and
counts grouped by three with a comma in Chinese too (core/formats/zh_Hans), years never grouped."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from jingzhun.core.templatetags.figures import paren, rate
from tests.factories import HouseholdFactory, PersonFactory


def render(text: str, **context: object) -> str:
    return Template("{% load humanize figures %}" + text).render(Context(context))


def test_rate_filter():
    assert [rate(v) for v in (5.4, 39.575, 30, Decimal("0.20"), None)] == [
        "5.40",
        "39.58",
        "30.00",
        "0.20",
        "—",
    ]
    assert render("{{ a|rate }}%|{{ b|rate }}", a=5.4, b=None) == "5.40%|—"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_counts_grouped_by_three_in_both_languages(language):
    with translation.override(language):
        assert [intcomma(v) for v in (8620, 1234567, 999, 12345.5)] == [
            "8,620",
            "1,234,567",
            "999",
            "12,345.5",
        ]
        # Years, codes and household numbers printed plainly: nothing groups unless asked.
        shown = render(
            "{{ year }} {{ count|intcomma }} {{ code }}", year=2018, count=8620, code=532527
        )
        assert shown == "2018 8,620 532527"


@pytest.mark.django_db
def test_chinese_home_page_groups_counts_and_prints_rates_with_two_decimals(
    client, county_admin, village, other_village
):
    """Township 100: 2 poor persons of 8,620 (0.0232 %); township 101: 3 of 60 (5 %)."""
    registered = HouseholdFactory(village=village, status="registered")
    PersonFactory(household=registered)
    PersonFactory(household=registered, name="李梅", relation="spouse", sex="female")
    relapsed = HouseholdFactory(village=other_village, status="relapsed")
    for n, relation in enumerate(["head", "son", "daughter"]):
        PersonFactory(household=relapsed, name=f"王{n}", relation=relation)
    village.rural_population = 8620
    village.save()
    other_village.rural_population = 60
    other_village.save()
    client.force_login(county_admin)
    page = client.get(reverse("home")).content.decode()
    assert 'lang="zh-hans"' in page
    table = page[page.index('<table id="incidence">') :]
    table = table[: table.index("</table>")]
    assert '<td class="num">8,620</td><td class="num">2</td>' in table
    assert '<td class="num">0.02</td>' in table and '<td class="num">5.00</td>' in table
    assert "8620" not in table


def test_a_figure_in_brackets_is_written_as_each_language_writes_it():
    with translation.override("zh-hans"):
        assert paren("1,234") == "（1,234）"
        assert paren("5.40", "%") == "（5.40%）"
    with translation.override("en"):
        assert paren("1,234") == " (1,234)"
        assert paren("5.40", "%") == " (5.40%)"
        assert paren("<b>") == " (&lt;b&gt;)"  # escaped
