"""Registry services: scope and role refused with nothing changed; one audit row per change."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingzhun.audit.models import AuditEntry
from jingzhun.registry import services
from jingzhun.registry.models import Helper, Household, Measure, Person
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, id_number


def test_create_household_outside_scope_is_refused(village, other_village) -> None:
    operator = UserFactory(role="village_operator", area=village)
    data = {"number": "H1", "village": other_village, "main_cause": "illness", "entry_year": 2016}
    members = [{"name": "王五", "id_number": id_number(), "relation": "head"}]
    with pytest.raises(PermissionDenied):
        services.create_household(data, members, acting_user=operator)
    assert (Household.objects.count(), Person.objects.count(), AuditEntry.objects.count()) == (
        0,
        0,
        0,
    )


def test_viewer_cannot_update(village, viewer) -> None:
    household = HouseholdFactory(village=village, hamlet="一组")
    with pytest.raises(PermissionDenied):
        services.update_household(household, {"hamlet": "二组"}, acting_user=viewer)
    household.refresh_from_db()
    assert household.hamlet == "一组"
    assert AuditEntry.objects.count() == 0


def test_move_out_of_scope_is_refused(village, other_village) -> None:
    operator = UserFactory(role="township_operator", area=village.parent)
    household = HouseholdFactory(village=village)
    with pytest.raises(PermissionDenied):
        services.update_household(household, {"village": other_village}, acting_user=operator)
    household.refresh_from_db()
    assert household.village_id == village.pk
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("add", "update", "delete", "data", "change", "recorded"),
    [
        (
            services.add_helper,
            services.update_helper,
            services.delete_helper,
            {"name": "赵帮", "unit": "县教育局"},
            {"unit": "县卫健局"},
            {"unit": ["县教育局", "县卫健局"]},
        ),
        (
            services.add_measure,
            services.update_measure,
            services.delete_measure,
            {"kind": "industry", "year": 2019, "amount": Decimal("300")},
            {"amount": Decimal("500")},
            {"amount": ["300", "500"]},
        ),
    ],
)
def test_household_child_services(
    village, township_operator, other_village, add, update, delete, data, change, recorded
) -> None:
    household = HouseholdFactory(village=village)
    record = add(household, data, acting_user=township_operator)
    assert update(record, change, acting_user=township_operator) == recorded
    assert update(record, change, acting_user=township_operator) == {}
    outsider = UserFactory(role="township_operator", area=other_village.parent)
    with pytest.raises(PermissionDenied):
        delete(record, acting_user=outsider)
    delete(record, acting_user=township_operator)
    assert (Helper.objects.count(), Measure.objects.count()) == (0, 0)
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "create",
        "update",
        "delete",
    ]


def test_add_person_fills_sex_and_birth_date_from_id_number(village, township_operator) -> None:
    household = PersonFactory(household__village=village).household
    number = id_number(datetime.date(1990, 2, 3), female=True)
    person = services.add_person(
        household,
        {"name": "李梅", "id_number": number.lower(), "relation": "spouse"},
        acting_user=township_operator,
    )
    assert (person.sex, person.birth_date, person.id_number) == (
        "female",
        datetime.date(1990, 2, 3),
        number,
    )


def test_second_head_is_refused(village, township_operator) -> None:
    household = PersonFactory(household__village=village).household
    with pytest.raises(ValidationError) as error:
        services.add_person(
            household,
            {"name": "李梅", "id_number": id_number(), "relation": "head"},
            acting_user=township_operator,
        )
    assert error.value.message_dict == {"relation": ["每户须有且只有一名户主(现有2名)"]}
    assert Person.objects.count() == 1
    assert AuditEntry.objects.count() == 0


def test_reveal_out_of_scope_is_refused(village, other_village) -> None:
    person = PersonFactory(household__village=village)
    outsider = UserFactory(role="township_operator", area=other_village.parent)
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(person, acting_user=outsider, reason="核对")
    assert AuditEntry.objects.count() == 0


def test_duplicate_id_outside_scope_does_not_name_the_other_household(village, other_village):
    from django.core.exceptions import ValidationError

    from jingzhun.registry import services
    from tests.factories import HouseholdFactory, PersonFactory, UserFactory

    elsewhere = PersonFactory(household=HouseholdFactory(village=other_village, number="X-OTHER-1"))
    operator = UserFactory(role="township_operator", area=village.parent)
    household = HouseholdFactory(village=village)
    try:
        services.add_person(
            household,
            {"name": "李四", "relation": "son", "id_number": elsewhere.id_number},
            acting_user=operator,
        )
    except ValidationError as exc:
        message = exc.message_dict["id_number"][0]
    else:
        raise AssertionError("duplicate ID accepted")
    assert "X-OTHER-1" not in message
    assert "管辖范围以外" in message


def test_id_search_is_audited_with_the_number_masked(village, other_village):
    from jingzhun.audit.models import AuditEntry
    from jingzhun.registry import services
    from tests.factories import HouseholdFactory, PersonFactory, UserFactory

    mine = PersonFactory(household=HouseholdFactory(village=village))
    theirs = PersonFactory(household=HouseholdFactory(village=other_village))
    operator = UserFactory(role="viewer", area=village.parent)

    assert services.search_by_id_number(mine.id_number.lower(), acting_user=operator) == [mine]
    assert services.search_by_id_number(theirs.id_number, acting_user=operator) == []

    entries = list(AuditEntry.objects.filter(action="search").order_by("id"))
    assert [e.message for e in entries] == [
        "按身份证号码查询，找到 1 人",
        "按身份证号码查询，找到 0 人",
    ]
    assert entries[0].household_id == mine.household_id and entries[0].actor == operator
    for entry, person in zip(entries, [mine, theirs], strict=True):
        assert person.id_number not in str(entry.__dict__)
        assert entry.object_repr == person.id_number[:6] + "********" + person.id_number[-4:]
