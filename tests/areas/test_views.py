"""The area tree page: the user's subtree with per-village figures and list links."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.areas.views import build_tree
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_tree_counts_are_summed_up_the_tree(county_admin, village, other_village):
    village.poor_village = True
    village.save()
    household = HouseholdFactory(village=village)
    PersonFactory(household=household)
    PersonFactory(household=HouseholdFactory(village=other_village, status="exited"))
    (county,) = build_tree(county_admin)
    assert (county.area.code, county.households, county.poor_households) == ("532527000000", 2, 1)
    assert (county.persons, county.poor_persons, county.rural_population) == (2, 1, 2000)
    townships = [(t.area.code, t.households, t.poor_persons) for t in county.children]
    assert townships == [("532527100000", 1, 1), ("532527101000", 1, 0)]
    first_village = county.children[0].children[0]
    assert (first_village.is_village, first_village.area.poor_village) == (True, True)


def test_tree_page_is_scoped_and_links_to_the_list(
    client, township_operator, village, other_village
):
    client.force_login(township_operator)
    response = client.get(reverse("area-tree"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "{}?area={}".format(reverse("household-list"), village.code) in page
    assert other_village.name not in page
    assert "<details" in page


def test_tree_requires_login(client):
    assert client.get(reverse("area-tree")).status_code == 302


def test_tree_page_groups_figures_in_chinese(client, township_operator, village):
    """Official documents print 1,000 in Chinese too; the area code in a link stays plain."""
    client.force_login(township_operator)
    page = client.get(reverse("area-tree")).content.decode()
    assert 'lang="zh-hans"' in page
    assert "农村户籍人口 1,000 ·" in page and "农村户籍人口 1000" not in page
    assert f"?area={village.code}" in page
