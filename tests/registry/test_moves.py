"""Moving a member between households (audited on both) and closing the emptied household with
its status history: scope, heads and deregistered targets refused with nothing changed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingzhun.audit.models import AuditEntry
from jingzhun.registry import moves
from jingzhun.registry.models import Household, Person, StatusChange
from tests.factories import HouseholdFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def family(village, *relations: str, **household) -> tuple[Household, list[Person]]:
    home = HouseholdFactory(village=village, **household)
    people = [
        PersonFactory(household=home, name=f"成员{i}", relation=r) for i, r in enumerate(relations)
    ]
    return home, people


def person_entries(person: Person) -> dict[int, AuditEntry]:
    rows = AuditEntry.objects.filter(model="registry.person", object_id=str(person.pk))
    return {row.household_id: row for row in rows}


def test_a_move_is_audited_on_both_households(village, other_village, county_admin):
    source, (_, son) = family(village, "head", "son")
    target, _ = family(other_village, "head")

    moves.move_person(son, target, relation="grandson", acting_user=county_admin, reason="合户")

    son.refresh_from_db()
    assert (son.household, son.relation) == (target, "grandson")
    entries = person_entries(son)
    assert set(entries) == {source.pk, target.pk}
    assert entries[source.pk].area_code == village.code
    assert entries[target.pk].area_code == other_village.code
    assert entries[source.pk].message == f"迁出至户 {target.number}：合户"
    assert entries[target.pk].message == f"由户 {source.number} 迁入：合户"
    for entry in entries.values():
        assert entry.changes == {
            "household": [source.pk, target.pk], "relation": ["son", "grandson"]
        }  # fmt: skip
        assert (entry.action, entry.actor) == ("update", county_admin)


def test_a_head_moves_only_with_a_new_head_named(village, county_admin):
    source, (head, spouse) = family(village, "head", "spouse")
    target, _ = family(village, "head")

    with pytest.raises(ValidationError, match="户主"):
        moves.move_person(head, target, relation="son", acting_user=county_admin)
    with pytest.raises(ValidationError, match="户主"):  # the new head must stay behind
        moves.move_person(head, target, relation="son", new_head=head, acting_user=county_admin)

    assert Person.objects.get(pk=head.pk).household == source
    assert not AuditEntry.objects.exists()
    moves.move_person(head, target, relation="son", new_head=spouse, acting_user=county_admin)
    spouse.refresh_from_db()
    assert spouse.relation == "head" and source.head() == spouse
    change = AuditEntry.objects.get(object_id=str(spouse.pk))
    assert (change.household_id, change.changes) == (source.pk, {"relation": ["spouse", "head"]})


def test_the_target_keeps_one_head_and_must_be_registered(village, county_admin):
    _, (_, son) = family(village, "head", "son")
    target, _ = family(village, "head")
    closed, _ = family(village, "head", status="deregistered")

    with pytest.raises(ValidationError, match="每户须有且只有一名户主"):
        moves.move_person(son, target, relation="head", acting_user=county_admin)
    with pytest.raises(ValidationError, match="已销号"):
        moves.move_person(son, closed, relation="son", acting_user=county_admin)
    with pytest.raises(ValidationError, match="关系"):
        moves.move_person(son, target, relation="cousin", acting_user=county_admin)
    with pytest.raises(ValidationError, match="已在户"):
        moves.move_person(son, son.household, relation="son", acting_user=county_admin)

    assert Person.objects.get(pk=son.pk).relation == "son"
    assert not AuditEntry.objects.exists()


def test_either_household_outside_the_scope_is_refused(village, other_village):
    operator = UserFactory(role="township_operator", area=village.parent)
    here, (_, son) = family(village, "head", "son")
    there, (_, daughter) = family(other_village, "head", "daughter")

    with pytest.raises(PermissionDenied):
        moves.move_person(son, there, relation="son", acting_user=operator)
    with pytest.raises(PermissionDenied):
        moves.move_person(daughter, here, relation="daughter", acting_user=operator)
    viewer = UserFactory(role="viewer", area=village.parent)
    with pytest.raises(PermissionDenied):
        moves.move_person(
            son, HouseholdFactory(village=village), relation="son", acting_user=viewer
        )

    assert Person.objects.get(pk=son.pk).household == here
    assert Person.objects.get(pk=daughter.pk).household == there
    assert not AuditEntry.objects.exists()


def test_the_emptied_household_is_closed_with_history_not_deleted(village, county_admin):
    source, (head,) = family(village, "head")
    target, _ = family(village, "head")
    with pytest.raises(ValidationError, match="还有 1 名成员"):
        moves.close_household(source, acting_user=county_admin, reason="合并")

    moves.move_person(head, target, relation="son", acting_user=county_admin)  # the last one
    change = moves.close_household(source, acting_user=county_admin, reason="合并至户 X")

    source.refresh_from_db()
    assert source.status == "deregistered" and not source.members.exists()
    assert (change.old_status, change.new_status, change.reason, change.actor) == (
        "registered", "deregistered", "合并至户 X", county_admin
    )  # fmt: skip
    entry = AuditEntry.objects.get(model="registry.household", object_id=str(source.pk))
    assert entry.changes == {"status": ["registered", "deregistered"]}
    assert entry.message == "合并至户 X"


def test_closing_removes_a_last_duplicate_head_with_its_values(village, county_admin):
    closed, (head,) = family(village, "head", status="deregistered")

    change = moves.close_household(
        closed, acting_user=county_admin, reason="合并", remove_last=head
    )

    assert not Person.objects.filter(pk=head.pk).exists()
    assert Household.objects.filter(pk=closed.pk).exists()
    deletion = AuditEntry.objects.get(model="registry.person", object_id=str(head.pk))
    assert deletion.action == "delete" and deletion.changes["name"] == ["成员0", None]
    assert deletion.household_id == closed.pk
    # Already deregistered: the dated entry is written all the same.
    assert (change.old_status, change.new_status) == ("deregistered", "deregistered")
    assert StatusChange.objects.filter(household=closed, reason="合并").count() == 1


def test_closing_removes_only_the_last_member(village, county_admin):
    home, (head, son) = family(village, "head", "son")

    with pytest.raises(ValidationError, match="还有 2 名成员"):
        moves.close_household(home, acting_user=county_admin, reason="合并", remove_last=head)

    assert home.members.count() == 2
    assert Household.objects.get(pk=home.pk).status == "registered"
    assert not AuditEntry.objects.exists() and not StatusChange.objects.exists()
