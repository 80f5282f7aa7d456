"""Merging a household pair (户疑似拆分或合并) through the registry's services: the chosen members
moved (audited on both households) or dropped (deleted with their values audited), the other
household closed with its status history, the pair merged with one audit entry; any refusal,
named by member, leaves everything as it was."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jingzhun.audit.models import AuditEntry
from jingzhun.comparison.duplicates import detection, services
from jingzhun.comparison.models import DuplicatePair
from jingzhun.registry.models import Household, Person, StatusChange
from tests.factories import HouseholdFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@dataclasses.dataclass
class Split:
    """A son's family keyed again as a new household a month after his parents' household
    exited: he is in both (王小, born 1980)."""

    old: Household
    new: Household
    father: Person
    mother: Person
    son: Person  # in the old household
    again: Person  # the son keyed again, head of the new household
    wife: Person
    child: Person
    pair: DuplicatePair


def member(household: Household, name: str, relation: str, year: int, **extra) -> Person:
    born = datetime.date(year, 3, 1)
    return PersonFactory(
        household=household, name=name, relation=relation, birth_date=born, **extra
    )


@pytest.fixture
def split(village) -> Split:
    old = HouseholdFactory(village=village, status="exited")
    StatusChange.objects.create(
        household=old, date=timezone.localdate() - datetime.timedelta(days=30),
        old_status="registered", new_status="exited", reason="脱贫",
    )  # fmt: skip
    father, mother = member(old, "王五", "head", 1950), member(old, "李梅", "spouse", 1952)
    son = member(old, "王小", "son", 1980)
    new = HouseholdFactory(village=village)
    again, wife = member(new, "王小", "head", 1980), member(new, "张丽", "spouse", 1982)
    child = member(new, "王宝", "son", 2010)
    detection.find_duplicates()
    pair = DuplicatePair.objects.get(kind="household")
    return Split(old, new, father, mother, son, again, wife, child, pair)


def snapshot() -> tuple:
    """Everything a merge writes, to show a refused merge wrote nothing."""
    return (
        sorted(Person.objects.values_list("pk", "household_id", "relation")),
        sorted(Household.objects.values_list("pk", "status")),
        StatusChange.objects.count(),
        AuditEntry.objects.exclude(model="comparison.duplicatepair", action="create").count(),
        list(DuplicatePair.objects.values_list("pk", "status", "shown")),
    )


def test_the_merge_moves_and_drops_the_chosen_members_and_closes_the_other(split, county_admin):
    s = split
    services.merge_household_pair(
        s.pair,
        keep=s.old,
        members={s.again.pk: "drop", s.wife.pk: "move", s.child.pk: "move"},
        relations={s.wife.pk: "daughter_in_law", s.child.pk: "grandson"},
        note="分户后重复建档，合回原户",
        acting_user=county_admin,
    )

    kept = {p.name: p.relation for p in s.old.members.all()}
    assert kept == {
        "王五": "head", "李梅": "spouse", "王小": "son", "张丽": "daughter_in_law",
        "王宝": "grandson",
    }  # fmt: skip
    assert not Person.objects.filter(pk=s.again.pk).exists()
    s.new.refresh_from_db()
    assert s.new.status == "deregistered" and not s.new.members.exists()
    closing = StatusChange.objects.get(household=s.new)
    assert (closing.old_status, closing.new_status, closing.actor) == (
        "registered", "deregistered", county_admin
    )  # fmt: skip
    assert closing.reason == f"合并至户 {s.old.number}（疑似重复 #{s.pair.pk}）"
    # The dropped head: deleted with the values in its entry, under the closed household.
    deletion = AuditEntry.objects.get(model="registry.person", object_id=str(s.again.pk))
    assert (deletion.action, deletion.household_id) == ("delete", s.new.pk)
    assert deletion.changes["name"] == ["王小", None]
    # Each moved member: an entry on the household left and one on the household joined.
    for person in (s.wife, s.child):
        rows = AuditEntry.objects.filter(model="registry.person", object_id=str(person.pk))
        assert sorted(rows.values_list("household_id", flat=True)) == sorted([s.old.pk, s.new.pk])
    s.pair.refresh_from_db()
    assert (s.pair.status, s.pair.decided_by, s.pair.reason) == (
        "merged", county_admin, "分户后重复建档，合回原户"
    )  # fmt: skip
    assert s.pair.shown["merge"] == {
        "kept_household": s.old.pk, "closed_household": s.new.pk,
        "moved": [s.wife.pk, s.child.pk], "dropped": [s.again.pk],
    }  # fmt: skip
    side = "second" if s.pair.second_household_id == s.new.pk else "first"
    shown = s.pair.shown["members"][side]
    assert [row["name"] for row in shown] == ["王*", "张*", "王*"]  # as before, masked
    assert s.again.id_number not in str(s.pair.shown)
    decision = AuditEntry.objects.get(model="comparison.duplicatepair", action="update")
    assert decision.household_id == s.old.pk
    assert decision.changes["dropped"] == [None, [s.again.pk]]
    assert "迁入 2 人、删除重复成员 1 人后销号" in decision.message
    detection.find_duplicates()
    assert DuplicatePair.objects.get(pk=s.pair.pk).status == "merged"


def test_keeping_the_new_household_moves_the_old_head_last(split, county_admin):
    s = split
    services.merge_household_pair(
        s.pair,
        keep=s.new,
        members={s.father.pk: "move", s.mother.pk: "move", s.son.pk: "drop"},
        relations={s.father.pk: "parent", s.mother.pk: "parent"},
        acting_user=county_admin,
    )

    assert sorted(s.new.members.values_list("name", "relation")) == sorted(
        [("王小", "head"), ("张丽", "spouse"), ("王宝", "son"), ("王五", "parent"),
         ("李梅", "parent")]
    )  # fmt: skip
    assert not Person.objects.filter(pk=s.son.pk).exists()
    s.old.refresh_from_db()
    assert s.old.status == "deregistered"
    assert StatusChange.objects.filter(household=s.old).latest("id").old_status == "exited"


def test_a_refusal_half_way_leaves_everything_as_it_was(split, county_admin):
    s = split
    before = snapshot()

    # The wife moves first; the child as a second head of the kept household is refused.
    with pytest.raises(ValidationError) as refused:
        services.merge_household_pair(
            s.pair,
            keep=s.old,
            members={s.again.pk: "drop", s.wife.pk: "move", s.child.pk: "move"},
            relations={s.wife.pk: "daughter_in_law", s.child.pk: "head"},
            acting_user=county_admin,
        )

    assert refused.value.messages == ["成员 王*（之子）：每户须有且只有一名户主(现有2名)"]
    assert snapshot() == before
    assert Person.objects.get(pk=s.wife.pk).household == s.new


def test_every_member_needs_a_choice_and_a_mover_a_relation(split, county_admin):
    s = split
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        services.merge_household_pair(
            s.pair,
            keep=s.old,
            members={s.again.pk: "drop", s.wife.pk: "move", s.father.pk: "drop"},
            acting_user=county_admin,
        )

    assert refused.value.messages == [
        f"成员编号 {s.father.pk} 不是户 {s.new.number} 的成员",
        "成员 张*（配偶）：请选择迁入后与户主的关系",
        "成员 王*（之子）：请选择迁入保留户或作为重复删除",
    ]
    assert snapshot() == before


def test_a_deregistered_household_is_not_kept(split, county_admin):
    s = split
    Household.objects.filter(pk=s.old.pk).update(status="deregistered")
    s.old.refresh_from_db()

    with pytest.raises(ValidationError, match="已销号，请保留另一户"):
        services.merge_household_pair(
            s.pair, keep=s.old, members={s.again.pk: "drop"}, acting_user=county_admin
        )
    with pytest.raises(ValidationError, match="保留的户"):
        services.merge_household_pair(
            s.pair, keep=HouseholdFactory(), members={}, acting_user=county_admin
        )

    assert DuplicatePair.objects.get(pk=s.pair.pk).status == "open"


def test_only_an_editor_of_the_pairs_area_merges(split, village, other_village, viewer):
    s = split
    before = snapshot()
    choices = {s.father.pk: "move", s.mother.pk: "move", s.son.pk: "drop"}
    relations = {s.father.pk: "parent", s.mother.pk: "parent"}
    elsewhere = UserFactory(role="village_operator", area=other_village)

    for user in (viewer, elsewhere):
        with pytest.raises(PermissionDenied):
            services.merge_household_pair(
                s.pair, keep=s.new, members=choices, relations=relations, acting_user=user
            )

    assert snapshot() == before
    services.merge_household_pair(
        s.pair, keep=s.new, members=choices, relations=relations,
        acting_user=UserFactory(role="village_operator", area=village),
    )  # fmt: skip
    assert DuplicatePair.objects.get(pk=s.pair.pk).status == "merged"


def test_a_person_pair_is_not_merged_as_households(split, county_admin):
    person_pair = DuplicatePair.objects.get(kind="person")

    with pytest.raises(ValidationError, match="保留的成员"):
        services.merge_household_pair(
            person_pair, keep=split.old, members={}, acting_user=county_admin
        )
    with pytest.raises(ValidationError, match="保留的户"):
        services.merge_pair(split.pair, keep=split.son, acting_user=county_admin)


def test_likely_same_suggests_the_duplicates(split):
    s = split
    assert detection.likely_same(s.old.pk, s.new.pk) == {s.again.pk: s.son.pk}
    assert detection.likely_same(s.new.pk, s.old.pk) == {s.son.pk: s.again.pk}
