"""The audit trail written by the services: one row per change, old → new, masked, atomic."""

from __future__ import annotations

import pytest

from jingzhun import masking
from jingzhun.audit.models import AuditEntry
from jingzhun.registry import services
from jingzhun.registry.models import Household
from tests.factories import HouseholdFactory, IncomeFactory, PersonFactory, id_number


def test_one_row_per_update_with_old_and_new(village, township_operator) -> None:
    household = HouseholdFactory(village=village, hamlet="一组", entry_year=2015)
    services.update_household(
        household, {"hamlet": "二组", "entry_year": 2016}, acting_user=township_operator
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.model, entry.object_id, entry.area_code) == (
        "update",
        "registry.household",
        str(household.pk),
        village.pk,
    )
    assert entry.changes == {"entry_year": [2015, 2016], "hamlet": ["一组", "二组"]}
    assert (entry.actor, entry.household_id) == (township_operator, household.pk)


def test_no_row_when_nothing_changed(village, township_operator) -> None:
    household = HouseholdFactory(village=village, hamlet="一组")
    person = PersonFactory(household=household)
    assert (
        services.update_household(household, {"hamlet": "一组"}, acting_user=township_operator)
        == {}
    )
    assert services.update_person(person, {"name": "张三"}, acting_user=township_operator) == {}
    assert AuditEntry.objects.count() == 0


def test_sensitive_values_are_masked(village, township_operator) -> None:
    household = HouseholdFactory(village=village, phone="13512342210", bank_account="")
    person = PersonFactory(household=household)
    old_number, new_number = person.id_number, id_number()
    services.update_household(
        household,
        {"phone": "13900001111", "bank_account": "6228480012345678"},
        acting_user=township_operator,
    )
    services.update_person(person, {"id_number": new_number}, acting_user=township_operator)
    changes = [e.changes for e in AuditEntry.objects.order_by("id")]
    assert changes == [
        {
            "bank_account": ["", "6228********5678"],
            "phone": ["135****2210", "139****1111"],
        },
        {"id_number": [masking.mask_id_number(old_number), masking.mask_id_number(new_number)]},
    ]
    text = str(changes)
    for secret in (old_number, new_number, "13900001111", "6228480012345678"):
        assert secret not in text


def test_create_and_delete_rows(village, township_operator) -> None:
    household = PersonFactory(household__village=village).household
    number = id_number()
    person = services.add_person(
        household,
        {"name": "李梅", "id_number": number, "relation": "spouse"},
        acting_user=township_operator,
    )
    services.delete_person(person, acting_user=township_operator)
    created, deleted = AuditEntry.objects.order_by("id")
    assert (created.action, deleted.action) == ("create", "delete")
    # mask("") and mask(None) are both "": the absent old value reads as empty.
    assert created.changes["id_number"] == ["", masking.mask_id_number(number)]
    assert created.changes["name"] == [None, "李梅"]
    assert deleted.changes["name"] == ["李梅", None]
    assert deleted.object_id == created.object_id


def test_income_save_is_audited_with_derived_totals(village, township_operator) -> None:
    income = IncomeFactory(household=HouseholdFactory(village=village), members_count=2)
    services.save_income(
        income.household, income.year, {"wage_income": 8000}, acting_user=township_operator
    )
    assert AuditEntry.objects.get().changes == {
        "income_per_capita": ["4250", "5250"],
        "net_income": ["8500", "10500"],
        "wage_income": ["6000", "8000"],
    }


def test_failing_change_leaves_neither_change_nor_audit(
    village, township_operator, monkeypatch
) -> None:
    household = PersonFactory(household__village=village).household

    def broken_delete(self, *args, **kwargs):
        raise RuntimeError("disk full")

    # The audit row is written before the delete fails: the transaction must take both back.
    monkeypatch.setattr(Household, "delete", broken_delete)
    with pytest.raises(RuntimeError):
        services.delete_household(household, acting_user=township_operator)
    assert Household.objects.filter(pk=household.pk).exists()
    assert AuditEntry.objects.count() == 0


def test_reveal_is_audited_without_the_number(village, township_operator) -> None:
    person = PersonFactory(household__village=village)
    number = services.reveal_id_number(person, acting_user=township_operator, reason="核对低保")
    assert number == person.id_number
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.model, entry.object_id, entry.message) == (
        "reveal",
        "registry.person",
        str(person.pk),
        "查看完整身份证号码，事由：核对低保",
    )
    assert person.id_number not in str(entry.changes) + entry.message + entry.object_repr


def test_audit_trail_is_scoped(village, other_village, township_operator) -> None:
    household = HouseholdFactory(village=village)
    other = HouseholdFactory(village=other_village)
    services.update_household(household, {"hamlet": "甲"}, acting_user=township_operator)
    root = type(township_operator).objects.create(username="root", is_superuser=True)
    services.update_household(other, {"hamlet": "乙"}, acting_user=root)
    visible = AuditEntry.objects.visible_to(township_operator)
    assert list(visible.values_list("household_id", flat=True)) == [household.pk]
