"""Duplicates within the registry: detection (hits and near misses), detecting again, pairs
whose cause disappeared, and the decisions (不是重复, 合并 through the registry's services,
确认重复 of a household pair)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from jingzhun.areas.models import Area
from jingzhun.audit.models import AuditEntry
from jingzhun.comparison.duplicates import detection, services
from jingzhun.comparison.models import DuplicatePair
from jingzhun.registry import services as registry
from jingzhun.registry.models import Person, StatusChange
from tests.factories import HouseholdFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
BORN = datetime.date(1980, 1, 1)


def person(village, name: str = "李四", born: datetime.date = BORN, **extra) -> Person:
    household = extra.pop("household", None) or HouseholdFactory(village=village)
    return PersonFactory(household=household, name=name, birth_date=born, **extra)


def other_county_village():
    """A village of another county of the same prefecture (532528)."""
    parent = Area.objects.get(code="532500000000")
    for code, level in (("532528000000", "county"), ("532528100000", "township")):
        parent = Area.objects.create(code=code, name=f"{level}{code}", level=level, parent=parent)
    return Area.objects.create(
        code="532528100201", name="另县一村", level="village", parent=parent, rural_population=1
    )


def find(**kwargs) -> detection.Outcome:
    return detection.find_duplicates(**kwargs)


def test_same_name_and_birth_date_in_the_county_is_a_pair(village, other_village):
    one, two = person(village), person(other_village)
    assert one.id_number != two.id_number

    outcome = find()

    assert (outcome.new, outcome.again, outcome.gone) == (1, 0, 0)
    pair = DuplicatePair.objects.get()
    assert (pair.kind, pair.basis, pair.status) == ("person", "name", "open")
    assert (pair.first_person, pair.second_person) == (one, two)
    assert pair.key == f"person:{one.pk}:{two.pk}"
    assert pair.area_code == village.code[:6]  # two townships: the county reviews it
    assert pair.shown["first"]["name"] == "李*"
    assert one.id_number not in str(pair.shown)  # masked
    assert pair.shown["differing"] and all(15 <= p <= 18 for p in pair.shown["differing"])


def test_the_same_reading_is_a_pair_too(village):
    person(village, "张三")
    person(village, "章三")  # other characters, both zs

    find()

    pair = DuplicatePair.objects.get()
    assert (pair.basis, pair.area_code) == ("reading", village.code)


def test_near_misses_are_no_pair(village):
    person(village, "李四")
    person(village, "李四", born=BORN + datetime.timedelta(days=1))  # another birth date
    person(other_county_village(), "李四")  # another county
    person(village, "王五")  # another reading (ww)
    deregistered = HouseholdFactory(village=village, status="deregistered")
    person(village, "李四", household=deregistered)  # not registered any more

    assert find().new == 0
    assert not DuplicatePair.objects.exists()
    assert detection.counties() == ["532527", "532528"]  # searched county by county


def test_one_person_is_never_a_pair_with_themself(village):
    single = person(village)

    assert detection.person_rows() == []
    assert find().new == 0
    assert Person.objects.filter(id_number=single.id_number).count() == 1


def test_detecting_again_changes_nothing_and_keeps_a_decision(village, county_admin):
    person(village)
    person(village)
    find()
    pair = DuplicatePair.objects.get()
    first_found = pair.first_found

    outcome = find()

    assert (outcome.new, outcome.again, outcome.gone) == (0, 1, 0)
    pair.refresh_from_db()
    assert pair.first_found == first_found and pair.status == "open"
    services.dismiss_pair(pair, reason="双胞胎，已入户核实", acting_user=county_admin)
    find()
    assert DuplicatePair.objects.get().status == "not_duplicate"
    assert DuplicatePair.objects.count() == 1


def test_a_pair_whose_cause_disappeared_is_marked_and_opens_again(village, county_admin):
    person(village)
    two = person(village, relation="son", household=HouseholdFactory(village=village))
    find()

    registry.update_person(two, {"name": "李五"}, acting_user=county_admin)  # a typo corrected
    outcome = find()

    pair = DuplicatePair.objects.get()
    assert outcome.gone == 1 and pair.status == "gone" and pair.gone is not None
    registry.update_person(two, {"name": "李四"}, acting_user=county_admin)
    outcome = find()
    pair.refresh_from_db()
    assert outcome.reopened == 1 and (pair.status, pair.gone) == ("open", None)


def test_detection_under_an_area_leaves_the_rest_alone(village, other_village):
    person(village)
    person(village)
    person(other_village, "王五")
    person(other_village, "王五")

    assert find(prefix=village.code).new == 1
    assert find(prefix=other_village.code).new == 1
    assert find(prefix=village.code).gone == 0
    assert DuplicatePair.objects.filter(status="open").count() == 2


def test_a_household_created_around_the_others_deregistration_is_a_pair(village, county_admin):
    old = HouseholdFactory(village=village, status="deregistered")
    person(village, "王五", household=old)
    StatusChange.objects.create(
        household=old, date=timezone.localdate() - datetime.timedelta(days=30),
        old_status="registered", new_status="deregistered", reason="分户",
    )  # fmt: skip
    new = HouseholdFactory(village=village)
    person(village, "王五", household=new)

    find()

    pair = DuplicatePair.objects.get()
    assert (pair.kind, pair.first_household, pair.second_household) == ("household", old, new)
    assert pair.shown["first"]["household_number"] == old.number
    assert pair.shown["second"]["head"] == "王*"
    with pytest.raises(ValidationError):
        services.merge_pair(pair, keep=new.members.get(), acting_user=county_admin)
    services.confirm_pair(pair, note="同一家庭分户后重复建档", acting_user=county_admin)
    assert DuplicatePair.objects.get().status == "confirmed"


def test_a_status_change_long_before_is_no_household_pair(village):
    old = HouseholdFactory(village=village, status="deregistered")
    person(village, "王五", household=old)
    StatusChange.objects.create(
        household=old, date=timezone.localdate() - datetime.timedelta(days=200),
        old_status="registered", new_status="deregistered", reason="分户",
    )  # fmt: skip
    person(village, "王五")

    assert find().new == 0
    assert find(days=365).new == 1


def test_merge_removes_the_other_through_the_registry_and_keeps_history(village, county_admin):
    kept = person(village)
    other_household = HouseholdFactory(village=village)
    PersonFactory(household=other_household, name="赵六", relation="head")
    removed = person(village, relation="son", household=other_household)
    find()
    pair = DuplicatePair.objects.get()

    services.merge_pair(pair, keep=kept, note="重复录入", acting_user=county_admin)

    pair.refresh_from_db()
    assert (pair.status, pair.kept_person, pair.removed_person_id) == ("merged", kept, removed.pk)
    assert (pair.decided_by, pair.reason) == (county_admin, "重复录入")
    assert pair.second_person is None  # the row is gone; its side stays shown
    assert pair.shown["second"]["household_number"] == other_household.number
    assert not Person.objects.filter(pk=removed.pk).exists()
    assert list(other_household.members.values_list("name", flat=True)) == ["赵六"]
    deletion = AuditEntry.objects.get(model="registry.person", object_id=str(removed.pk))
    assert (deletion.action, deletion.actor) == ("delete", county_admin)
    assert deletion.changes["name"] == ["李四", None]
    decision = AuditEntry.objects.get(model="comparison.duplicatepair", action="update")
    assert decision.changes["removed_person_id"] == [None, removed.pk]
    assert decision.household_id == kept.household_id
    find()
    assert DuplicatePair.objects.get().status == "merged"


def test_merge_refuses_to_remove_a_head_and_changes_nothing(village, county_admin):
    kept = person(village, relation="son", household=HouseholdFactory(village=village))
    head = person(village)
    find()
    pair = DuplicatePair.objects.get()

    with pytest.raises(ValidationError, match="户主"):
        services.merge_pair(pair, keep=kept, acting_user=county_admin)

    assert Person.objects.filter(pk=head.pk).exists()
    assert DuplicatePair.objects.get().status == "open"
    assert not AuditEntry.objects.filter(model="comparison.duplicatepair", action="update")


def test_deciding_needs_edit_rights_in_the_pairs_area(village, other_village, viewer):
    person(village)
    person(other_village)  # across townships: the county's pair
    find()
    pair = DuplicatePair.objects.get()
    village_user = UserFactory(role="village_operator", area=village)

    for user in (viewer, village_user):
        with pytest.raises(PermissionDenied):
            services.dismiss_pair(pair, reason="不是同一人", acting_user=user)

    assert DuplicatePair.objects.get().status == "open"


def test_not_a_duplicate_needs_a_reason(village, county_admin):
    person(village)
    person(village)
    find()

    with pytest.raises(ValidationError):
        services.dismiss_pair(DuplicatePair.objects.get(), reason=" ", acting_user=county_admin)

    assert DuplicatePair.objects.get().status == "open"


def test_the_command_finds_and_audits(village):
    person(village)
    person(village)
    out = io.StringIO()

    call_command("find_duplicates", "--area", village.code[:6], stdout=out)

    assert "新发现 1 对" in out.getvalue()
    entry = AuditEntry.objects.get(model="comparison.duplicatepair", action="create")
    assert entry.changes["new"] == 1 and entry.area_code == village.code[:6]
