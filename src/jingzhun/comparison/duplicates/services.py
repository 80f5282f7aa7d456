"""Deciding a duplicate pair: 不是重复 (with the reason), 合并 (a person pair: the kept person
stays, the other is removed from their household by `registry.services.delete_person`, which
audits the removal with the person's values; a household pair: `merge_household_pair` moves or
drops each member of the other household through the registry's services and closes it with its
status history), or 确认重复 (a household pair settled later by the registry's procedures). Each
decision is one transaction with its audit entry; only an editor whose area holds the pair (its
`area_code`) may decide, and every registry change checks the user's scope again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import masking
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.registry import choices as registry_choices
from jingzhun.registry import moves
from jingzhun.registry import services as registry
from jingzhun.registry.models import Household, Person

from ..choices import PairKind, PairStatus
from ..models import DuplicatePair
from .detection import shown_households, shown_members, shown_persons

# What becomes of a member of the household a household merge closes.
MOVE, DROP = "move", "drop"


def can_decide(pair: DuplicatePair, user: Any) -> bool:
    scope = user.scope_prefix() if user is not None and user.is_authenticated else None
    return bool(user is not None and user.can_edit() and scope is not None) and (
        pair.area_code.startswith(scope)
    )


def _locked(pair: DuplicatePair, user: Any) -> DuplicatePair:
    if not can_decide(pair, user):
        raise PermissionDenied(_("您没有核实该疑似重复的权限"))
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != PairStatus.OPEN:
        raise ValidationError(_("该疑似重复已核实或原因已消除，不能重复处理"))
    return pair


def _audit(
    pair: DuplicatePair,
    user: Any,
    changes: dict[str, Any],
    message: str,
    household_id: int | None = None,
) -> None:
    household_id = household_id or pair.first_household_id
    if household_id is None and pair.first_person_id:
        household_id = pair.first_person.household_id
    audit.record(
        actor=user,
        action=Action.UPDATE,
        instance=pair,
        changes=changes,
        household_id=household_id,
        area_code=pair.area_code,
        message=message,
    )


def _decided(pair: DuplicatePair, user: Any, status: str, reason: str) -> None:
    pair.status, pair.reason = status, reason
    pair.decided_by, pair.decided = user, timezone.now()


@transaction.atomic
def dismiss_pair(pair: DuplicatePair, *, reason: str, acting_user: Any) -> DuplicatePair:
    """Not a duplicate (不是重复): two people after all; the reason is required. Detecting again
    keeps the pair as decided."""
    pair = _locked(pair, acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写不是重复的理由")]})
    _decided(pair, acting_user, PairStatus.NOT_DUPLICATE, reason)
    pair.save()
    _audit(
        pair,
        acting_user,
        {"status": [PairStatus.OPEN, PairStatus.NOT_DUPLICATE]},
        _("疑似重复 #{pk} 核实为不是重复：{reason}").format(pk=pair.pk, reason=reason),
    )
    return pair


@transaction.atomic
def merge_pair(
    pair: DuplicatePair, *, keep: Person, acting_user: Any, note: str = ""
) -> DuplicatePair:
    """合并: keep `keep` (one of the pair) and remove the other from their household through the
    registry's service (its audit entry holds the removed values; a head is refused: change the
    head of that household first). The pair keeps both sides as shown and links both."""
    pair = _locked(pair, acting_user)
    if pair.kind != PairKind.PERSON:
        raise ValidationError(_("户疑似拆分或合并请选择保留的户合并"))
    sides = {pair.first_person_id, pair.second_person_id}
    if keep.pk not in sides or None in sides:
        raise ValidationError({"keep": [_("请选择本对中要保留的成员")]})
    (removed_id,) = sides - {keep.pk}
    removed = Person.objects.select_related("household").get(pk=removed_id)
    if removed.relation == registry_choices.Relation.HEAD:
        raise ValidationError(
            {"keep": [_("要删除的成员是户主，请先在户 {number} 变更户主").format(
                number=removed.household.number)]}
        )  # fmt: skip
    # The sides as they were just before the merge: the removed person's row goes.
    shown = shown_persons([keep.pk, removed.pk])
    pair.shown = {
        **pair.shown,
        "first": shown.get(pair.first_person_id, {}),
        "second": shown.get(pair.second_person_id, {}),
    }
    registry.delete_person(removed, acting_user=acting_user)
    note = (note or "").strip()
    _decided(pair, acting_user, PairStatus.MERGED, note)
    pair.kept_person_id, pair.removed_person_id = keep.pk, removed_id
    # The deletion set the removed side's key to NULL in the table; this copy still holds it.
    if pair.first_person_id == removed_id:
        pair.first_person_id = None
    else:
        pair.second_person_id = None
    pair.save()
    _audit(
        pair,
        acting_user,
        {
            "status": [PairStatus.OPEN, PairStatus.MERGED],
            "kept_person": [None, keep.pk],
            "removed_person_id": [None, removed_id],
        },
        _("疑似重复 #{pk} 合并：保留成员 {kept}（户 {kept_household}），删除户 {household} "
          "的重复成员 {removed}").format(
            pk=pair.pk, kept=keep.pk, kept_household=keep.household.number,
            household=removed.household.number, removed=removed_id,
        ),
        household_id=keep.household_id,
    )  # fmt: skip
    return pair


@transaction.atomic
def confirm_pair(pair: DuplicatePair, *, note: str, acting_user: Any) -> DuplicatePair:
    """A household pair confirmed as one family split or merged (确认重复); what follows (a
    deregistration, a member's removal) runs through the registry's procedures."""
    pair = _locked(pair, acting_user)
    if pair.kind != PairKind.HOUSEHOLD:
        raise ValidationError(_("人员疑似重复请选择合并或不是重复"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"reason": [_("请填写核实情况和后续处理")]})
    _decided(pair, acting_user, PairStatus.CONFIRMED, note)
    pair.save()
    _audit(
        pair,
        acting_user,
        {"status": [PairStatus.OPEN, PairStatus.CONFIRMED]},
        _("疑似重复 #{pk} 确认重复：{note}").format(pk=pair.pk, note=note),
    )
    return pair


def _member_label(person: Person) -> str:
    """How an error names a member: the masked name and the relation, as the review shows."""
    relation = registry_choices.Relation(person.relation).label
    return _("成员 {name}（{relation}）").format(
        name=masking.mask_name(person.name), relation=relation
    )


def _member_problems(
    people: list[Person],
    other: Household,
    members: Mapping[int, str],
    relations: Mapping[int, str],
) -> list[str]:
    problems = [
        _("成员编号 {pk} 不是户 {number} 的成员").format(pk=pk, number=other.number)
        for pk in sorted(set(members) - {p.pk for p in people})
    ]
    for person in people:
        choice = members.get(person.pk)
        if choice not in (MOVE, DROP):
            problems.append(
                _("{member}：请选择迁入保留户或作为重复删除").format(member=_member_label(person))
            )
        elif choice == MOVE and relations.get(person.pk) not in registry_choices.Relation.values:
            problems.append(
                _("{member}：请选择迁入后与户主的关系").format(member=_member_label(person))
            )
    return problems


@transaction.atomic
def merge_household_pair(
    pair: DuplicatePair,
    *,
    keep: Household,
    members: Mapping[int, str],
    acting_user: Any,
    note: str = "",
    relations: Mapping[int, str] | None = None,
) -> DuplicatePair:
    """合并 a household pair: keep `keep` (one of the pair) and close the other.

    `members` names, for every member of the other household, "move" (into `keep`, with
    `relations[pk]` as the relation to its head: `registry.moves.move_person`, audited on both
    households) or "drop" (a duplicate of a kept member: removed by `registry.services.
    delete_person`, the audit entry keeping its values; its head, left last, is removed with the
    household). The emptied household is then closed (销号) with a dated status-history entry
    naming the merge (`registry.moves.close_household`), never deleted. The pair becomes 已合并
    with both sides and both member lists as they were before, what was kept, moved and dropped
    (`shown["merge"]`), and one audit entry. One transaction: any refusal (named by member)
    leaves everything as it was."""
    pair = _locked(pair, acting_user)
    if pair.kind != PairKind.HOUSEHOLD:
        raise ValidationError(_("人员疑似重复请选择保留的成员合并"))
    sides = {pair.first_household_id, pair.second_household_id}
    if keep.pk not in sides or None in sides:
        raise ValidationError({"keep": [_("请选择本对中要保留的户")]})
    (other_id,) = sides - {keep.pk}
    keep, other = Household.objects.get(pk=keep.pk), Household.objects.get(pk=other_id)
    if keep.status == registry_choices.Status.DEREGISTERED:
        raise ValidationError(
            {"keep": [_("户 {number} 已销号，请保留另一户").format(number=keep.number)]}
        )
    people = list(other.members.all())
    relations = relations or {}
    problems = _member_problems(people, other, members, relations)
    if problems:
        raise ValidationError(problems)
    # Both sides as they were just before the merge (the dropped members' rows go).
    before = shown_households(sides)
    lists = shown_members(sides)
    reason = _("合并至户 {number}（疑似重复 #{pk}）").format(number=keep.number, pk=pair.pk)
    moved: list[int] = []
    dropped: list[int] = []
    head = next((p for p in people if p.relation == registry_choices.Relation.HEAD), None)
    # The head last: a head leaves only as the last member (or with a new head, not wanted here).
    for person in sorted(people, key=lambda p: (p.pk == getattr(head, "pk", None), p.pk)):
        try:
            if members[person.pk] == MOVE:
                moves.move_person(
                    person, keep, relation=relations[person.pk],
                    acting_user=acting_user, reason=reason,
                )  # fmt: skip
                moved.append(person.pk)
            elif person is not head:
                registry.delete_person(person, acting_user=acting_user)
                dropped.append(person.pk)
        except ValidationError as error:
            raise ValidationError(
                [f"{_member_label(person)}：{message}" for message in error.messages]
            ) from error
    last = head if head is not None and members[head.pk] == DROP else None
    moves.close_household(other, acting_user=acting_user, reason=reason, remove_last=last)
    if last is not None:
        dropped.append(last.pk)
    _decided(pair, acting_user, PairStatus.MERGED, (note or "").strip())
    first, second = pair.first_household_id, pair.second_household_id
    pair.shown = {
        **pair.shown,
        "first": before.get(-first, {}),
        "second": before.get(-second, {}),
        "members": {"first": lists.get(first, []), "second": lists.get(second, [])},
        "merge": {
            "kept_household": keep.pk,
            "closed_household": other.pk,
            "moved": moved,
            "dropped": dropped,
        },
    }
    pair.save()
    _audit(
        pair,
        acting_user,
        {
            "status": [PairStatus.OPEN, PairStatus.MERGED],
            "kept_household": [None, keep.pk],
            "closed_household": [None, other.pk],
            "moved": [None, moved],
            "dropped": [None, dropped],
        },
        _("疑似重复 #{pk} 合并两户：保留户 {kept}，户 {closed} 迁入 {moved} 人、删除重复成员 "
          "{dropped} 人后销号").format(
            pk=pair.pk, kept=keep.number, closed=other.number,
            moved=len(moved), dropped=len(dropped),
        ),
        household_id=keep.pk,
    )  # fmt: skip
    return pair
