"""Issue #11 item 2: an import names the household an ID number is registered in only when the
household is inside the user's scope; outside it, the message says so and names nothing (as the
form and the API do)."""

from __future__ import annotations

import pytest

from jingzhun.registry.excel import import_workbook
from jingzhun.registry.models import Household, Person
from tests.api.conftest import client_for
from tests.factories import HouseholdFactory, PersonFactory, UserFactory
from tests.registry.test_excel_import import household as household_row
from tests.registry.test_excel_import import person as person_row
from tests.registry.test_excel_import import workbook

pytestmark = pytest.mark.django_db

ELSEWHERE = "5325271012020004"  # a household of another township (101) of the county
MINE = "5325271002010009"  # a new household of the importing village user (100 / 201)
OUTSIDE = "该证件号码已登记在您管辖范围以外的户中"


@pytest.fixture
def registered(other_village):
    household = HouseholdFactory(number=ELSEWHERE, village=other_village, status="registered")
    return PersonFactory(household=household, relation="head")


def import_messages(user, id_number: str) -> list[tuple[str, str, str]]:
    content = workbook(
        {
            "户": [household_row(户编号=MINE)],
            "成员": [person_row(id_number, 户编号=MINE)],
        }
    )
    before = (Household.objects.count(), Person.objects.count())
    result = import_workbook(content, acting_user=user)
    assert (Household.objects.count(), Person.objects.count()) == before
    return [(e.sheet, e.column, e.message) for e in result.errors]


# Active (the person may not move) and inactive (they may, but not out of another area).
@pytest.mark.parametrize("status", ["registered", "exited", "deregistered"])
def test_a_village_user_is_told_outside_their_area_and_no_household_number(
    village, registered, status
):
    Household.objects.filter(number=ELSEWHERE).update(status=status)
    village_user = UserFactory(role="village_operator", area=village)

    errors = import_messages(village_user, registered.id_number)

    assert ("成员", "证件号码", OUTSIDE) in errors
    assert not any(ELSEWHERE in message for _sheet, _column, message in errors)


def test_a_county_user_is_told_the_household_inside_their_area(county_admin, registered):
    errors = import_messages(county_admin, registered.id_number)

    assert ("成员", "证件号码", f"该证件号码已登记在户 {ELSEWHERE} 中") in errors


def test_the_api_answers_the_same_way(village, county_admin, registered):
    """The single edit (API, through the service) and the import agree."""
    mine = HouseholdFactory(number=MINE, village=village)
    PersonFactory(household=mine, relation="head")
    payload = {
        "household": mine.pk,
        "name": "王六",
        "id_number": registered.id_number,
        "relation": "son",
    }
    village_user = UserFactory(role="village_operator", area=village)

    answer = client_for(village_user).post("/api/persons/", payload, format="json")
    assert answer.status_code == 400
    assert "管辖范围以外" in answer.json()["id_number"][0]
    assert ELSEWHERE not in answer.content.decode()

    answer = client_for(county_admin).post("/api/persons/", payload, format="json")
    assert answer.status_code == 400
    assert ELSEWHERE in answer.json()["id_number"][0]
