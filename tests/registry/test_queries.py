"""registry.queries.with_head_and_size: the one annotation giving a list row its household's head
and size (used by the registry list and API, procedure pages and the public notice)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingzhun.assessment.models import AssessmentRun, Verdict
from jingzhun.procedures.queries import masked_heads
from jingzhun.registry.models import Household, Income
from jingzhun.registry.queries import with_head_and_size
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(db):
    big = HouseholdFactory()
    head = PersonFactory(household=big, name="欧阳娜娜")
    PersonFactory(household=big, name="欧阳明", relation="son")
    PersonFactory(household=big, name="李芳", relation="spouse")
    headless = HouseholdFactory()
    PersonFactory(household=headless, name="王五", relation="son")
    empty = HouseholdFactory()
    return {"big": big, "head": head, "headless": headless, "empty": empty}


def test_annotates_households_by_pk(households):
    rows = {
        pk: (name, size, id_number)
        for pk, name, size, id_number in with_head_and_size(
            Household.objects.all(), id_number=True
        ).values_list("pk", "head_name", "member_count", "head_id_number")
    }
    assert rows == {
        households["big"].pk: ("欧阳娜娜", 3, households["head"].id_number),
        households["headless"].pk: (None, 1, None),
        households["empty"].pk: (None, 0, None),
    }


def test_annotates_rows_pointing_at_a_household_and_rows_without_one(households):
    IncomeFactory(household=households["big"])
    incomes = with_head_and_size(Income.objects.all(), "household_id")
    assert list(incomes.values_list("head_name", "member_count")) == [("欧阳娜娜", 3)]
    # The ID number is read only when asked for (the public notice never fetches it).
    assert "id_number" not in str(incomes.query)
    run = AssessmentRun.objects.create(
        standard_id="yunnan-2018", standard_version="1", year=2018, engine="duckdb"
    )
    Verdict.objects.create(run=run, level="village", entity="v", area_code="v", met=True)
    no_household = with_head_and_size(Verdict.objects.all(), "household_id")
    assert list(no_household.values_list("head_name", "member_count")) == [(None, 0)]


def test_masked_heads_is_one_query_and_masks(households):
    ids = [households[k].pk for k in ("big", "headless", "empty")] + [10**9]
    with CaptureQueriesContext(connection) as queries:
        found = masked_heads(ids)
    assert len(queries) == 1
    assert found == {
        households["big"].pk: ("欧**娜", 3),
        households["headless"].pk: ("", 1),
        households["empty"].pk: ("", 0),
        10**9: ("", 0),
    }
