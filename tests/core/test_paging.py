import pytest

from jingzhun.core.paging import DeferredJoinPaginator, fetch_page
from jingzhun.registry.models import Household
from tests.factories import HouseholdFactory, area_chain


@pytest.fixture
def households(db):
    first, second = area_chain(village="202"), area_chain(village="201")
    # Created out of page order on purpose: the page order is (village, number).
    for number in ["B2", "A9", "A1"]:
        HouseholdFactory(number=number, village=first)
    for number in ["Z1", "C3"]:
        HouseholdFactory(number=number, village=second)
    return Household.objects.order_by("village_id", "number")


def test_pages_keep_the_queryset_order(households):
    expected = list(households.values_list("number", flat=True))
    assert expected == ["C3", "Z1", "A1", "A9", "B2"]
    pages = [fetch_page(households, offset, 2) for offset in (0, 2, 4, 6)]
    assert [[h.number for h in page] for page in pages] == [["C3", "Z1"], ["A1", "A9"], ["B2"], []]


def test_filters_and_annotations_survive(households):
    page = fetch_page(households.filter(number__startswith="A").select_related("village"), 0, 5)
    assert [h.number for h in page] == ["A1", "A9"]
    assert page[0].village.code.endswith("202")


def test_paginator_pages(households):
    paginator = DeferredJoinPaginator(households, 2)
    assert paginator.num_pages == 3
    assert [h.number for h in paginator.page(3).object_list] == ["B2"]
