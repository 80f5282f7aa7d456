"""Moving members between households and closing a household whose members have all left (a
family keyed twice, merged back into one household: issue #12 item 7). Each is one transaction
with its audit entries, like every operation of `services`, on whose checks it builds: the one
scope chokepoint `services.ensure_can_edit` (for both households of a move), the members' rules
of `validation.check_members` (one head per household), and `services.change_status` for the
dated status history. A move is audited on both households: the person's entry once under the
household left, once under the household joined."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jingzhun.audit import services as audit
from jingzhun.audit.models import Action

from . import choices as c
from . import services, validation
from .models import Household, Person, StatusChange


def _locked_households(ids: Iterable[int]) -> dict[int, Household]:
    """The households under row locks, taken in key order (two moves between the same two
    households in opposite directions wait for each other instead of deadlocking)."""
    locked = Household.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk")
    return {h.pk: h for h in locked}


@transaction.atomic
def move_person(
    person: Person,
    to: Household,
    *,
    relation: str,
    acting_user: Any,
    new_head: Person | None = None,
    reason: str = "",
) -> Person:
    """Move `person` into household `to` with `relation` (to that household's head).

    Refused: either household outside the user's scope; a target that is deregistered (销号) or
    the person's own household; a relation that would leave the target with no or two heads;
    the head of a household that keeps other members unless `new_head` (one of them) is named,
    who then becomes its head (audited). The last member may leave (head or not): the household
    is then to be closed with `close_household` in the same transaction."""
    source = person.household
    services.ensure_can_edit(acting_user, source)
    services.ensure_can_edit(acting_user, to)
    households = _locked_households([source.pk, to.pk])
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.household_id not in households:  # moved by someone else in between
        raise ValidationError(
            _("该成员已不在户 {number} 中，请刷新后重试").format(number=source.number)
        )
    source, to = households[person.household_id], households[to.pk]
    if source.pk == to.pk:
        raise ValidationError(
            {"household": [_("该成员已在户 {number} 中").format(number=to.number)]}
        )
    if to.status == c.Status.DEREGISTERED:
        raise ValidationError(
            {"household": [_("户 {number} 已销号，不能迁入成员").format(number=to.number)]}
        )
    if relation not in c.Relation.values:
        raise ValidationError({"relation": [_("请选择迁入后与户主的关系")]})
    staying = list(source.members.exclude(pk=person.pk))
    named = new_head is not None and new_head.pk in {p.pk for p in staying}
    if person.relation == c.Relation.HEAD and staying and not named:
        raise ValidationError(
            {"new_head": [_("迁出的是户 {number} 的户主，请指定该户留下的成员为新户主").format(
                number=source.number)]}
        )  # fmt: skip
    joined = list(to.members.values("relation", "id_number"))
    services._raise(
        validation.check_members([*joined, {"relation": relation, "id_number": person.id_number}])
    )
    before = audit.snapshot(person)
    person.household, person.relation = to, relation
    person.full_clean(exclude=["household"])
    person.save(update_fields=["household", "relation", "updated"])
    changes = audit.diff(before, audit.snapshot(person))
    note = f"：{reason}" if reason else ""
    services._audit(
        acting_user, Action.UPDATE, person, source, changes,
        _("迁出至户 {number}{note}").format(number=to.number, note=note),
    )  # fmt: skip
    services._audit(
        acting_user, Action.UPDATE, person, to, changes,
        _("由户 {number} 迁入{note}").format(number=source.number, note=note),
    )  # fmt: skip
    if before["relation"] == c.Relation.HEAD and staying and new_head is not None:
        head = Person.objects.select_for_update().get(pk=new_head.pk)
        old_relation = head.relation
        head.relation = c.Relation.HEAD
        head.save(update_fields=["relation", "updated"])
        services._audit(
            acting_user, Action.UPDATE, head, source, {"relation": [old_relation, head.relation]},
            _("原户主迁出至户 {number}，变更户主").format(number=to.number),
        )  # fmt: skip
    return person


@transaction.atomic
def close_household(
    household: Household,
    *,
    acting_user: Any,
    reason: str,
    date: datetime.date | None = None,
    remove_last: Person | None = None,
) -> StatusChange:
    """Close (销号) a household all of whose members have left, with its dated status history
    (a `StatusChange` with `reason`, through `services.change_status`), never a deletion: the
    household, its incomes, helpers and measures stay readable as they were.

    `remove_last`: its last member, removed with it as the duplicate of a person registered in
    another household (the audit entry keeps the values; `services.delete_person` refuses a
    head because a household keeps one, but here the household itself ends). A household already
    deregistered gets the dated entry all the same (deregistered → deregistered, the reason)."""
    services.ensure_can_edit(acting_user, household)
    reason = reason[:200]  # the status history's length
    household = _locked_households([household.pk])[household.pk]
    members = list(household.members.all())
    if remove_last is not None and [p.pk for p in members] == [remove_last.pk]:
        person = members.pop()
        services._audit(
            acting_user, Action.DELETE, person, household,
            audit.diff(audit.snapshot(person), {}), reason,
        )  # fmt: skip
        person.delete()
    if members:
        raise ValidationError(
            _("户 {number} 还有 {count} 名成员，不能销号").format(
                number=household.number, count=len(members)
            )
        )
    if household.status != c.Status.DEREGISTERED:
        return services.change_status(
            household, c.Status.DEREGISTERED, acting_user=acting_user, reason=reason, date=date
        )
    change = StatusChange.objects.create(
        household=household,
        date=date or services.today(),
        old_status=household.status,
        new_status=household.status,
        reason=reason,
        actor=acting_user,
    )
    services._audit(acting_user, Action.UPDATE, household, household, {}, reason)
    return change
