"""Business operations on the registry: one function per operation, one transaction each,
each writing its audit entries in that transaction. Views, API, CLI and import call these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from jingzhun import idcodes, namekeys
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action, AuditEntry

from . import choices as c
from . import validation
from .models import Helper, Household, Income, Measure, Person, PersonNameKey, StatusChange

# Changed only by a procedure's final step (procedures.services → change_status), never by an
# edit: a household enters, leaves or returns to the registry through review and public notice.
# The one other path: a household emptied by a reviewed duplicates merge is closed (销号) by
# moves.close_household, through change_status, with its dated history entry.
PROCEDURE_FIELDS = ("status", "exit_year")


def today() -> datetime.date:
    return timezone.localdate()


def data_year(household: Household | None) -> int:
    """The year a household's record describes: its latest income year, else the current year.

    Age-dependent checks (schooling) use the age at the end of this year, so a household whose
    registry data is of 2018 is checked as of 2018 (validation.reference_date).
    """
    latest = None
    if household is not None and household.pk:
        latest = household.incomes.aggregate(latest=Max("year"))["latest"]
    return latest or today().year


def ensure_can_edit(user: Any, household: Household | None = None, village_code: str = "") -> None:
    """Raise PermissionDenied unless `user` may edit records of this household or village."""
    if user is None or not user.can_edit():
        raise PermissionDenied(_("您没有修改建档立卡数据的权限"))
    scope = user.scope_prefix()
    code = household.village_id if household is not None else village_code
    if scope is None or not code.startswith(scope):
        raise PermissionDenied(_("该记录不在您的管辖范围内"))


def _raise(problems: list[validation.Problem]) -> None:
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(problem.message)
        raise ValidationError(errors)


def replace_name_keys(persons: Iterable[Person]) -> None:
    """Rewrite the pinyin search keys of these persons in two statements."""
    persons = list(persons)
    PersonNameKey.objects.filter(person__in=[p.pk for p in persons]).delete()
    PersonNameKey.objects.bulk_create(
        [PersonNameKey(person_id=p.pk, key=k) for p in persons for k in namekeys.name_keys(p.name)],
        batch_size=2000,
    )


def _plain(value: Any) -> str:
    # 2, 2.0 and 2.00 are one stored value (an unsaved instance may hold any of them).
    return str(value.normalize() if isinstance(value, Decimal) else value)


def row_token(instance: models.Model) -> str:
    """A keyed digest of the row as stored. An edit page carries it from the form it showed to
    the save, which refuses to save when the row changed in between (someone else's edit through
    the API, the import or a procedure would otherwise be silently reverted: issue #11 item 5).
    Keyed with the secret key, so the page gives no way to test guesses of a value it masks."""
    values = "\x1f".join(
        _plain(getattr(instance, f.attname)) for f in instance._meta.concrete_fields
    )
    return salted_hmac("jingzhun.registry.edit_token", values).hexdigest()


def _ensure_unchanged(instance: models.Model, token: str | None, message: str) -> None:
    """Refuse the save when the row (read under lock) is no longer the one the form showed.
    `message` has a `{last}` slot: the last change the trail holds, when there is one."""
    if token is None or constant_time_compare(token, row_token(instance)):
        return
    last = (
        AuditEntry.objects.filter(model=instance._meta.label_lower, object_id=str(instance.pk))
        .select_related("actor")
        .first()
    )
    detail = ""
    if last is not None:
        when = timezone.localtime(last.timestamp).strftime("%Y-%m-%d %H:%M")
        who = last.actor.get_username() if last.actor else _("系统")
        detail = _("（最近一次修改：{who}，{when}）").format(who=who, when=when)
    raise ValidationError(message.format(last=detail))


def _audit(
    user: Any, action: str, instance: Any, household: Household, changes: dict, message: str = ""
) -> None:
    audit.record(
        actor=user,
        action=action,
        instance=instance,
        changes=changes,
        household_id=household.pk,
        area_code=household.village_id,
        message=message,
    )


@transaction.atomic
def create_household(
    data: Mapping[str, Any], members: list[Mapping[str, Any]], *, acting_user: Any
) -> Household:
    """Register a household with its members (validated together: exactly one head)."""
    ensure_can_edit(
        acting_user,
        village_code=getattr(data.get("village"), "code", "") or data.get("village_id", ""),
    )
    village = getattr(data.get("village"), "code", "") or data.get("village_id", "")
    _raise(
        validation.check_values(data, county=village[:6])
        + validation.check_household(data)
        + validation.check_members(members)
    )
    household = Household(**data)
    household.full_clean()
    household.save()
    StatusChange.objects.create(
        household=household,
        date=today(),
        old_status="",
        new_status=household.status,
        reason=_("建档立卡"),
        actor=acting_user if acting_user.pk else None,
    )
    _audit(
        acting_user, Action.CREATE, household, household, audit.diff({}, audit.snapshot(household))
    )
    for member in members:
        _create_person(household, member, acting_user)
    return household


@transaction.atomic
def update_household(
    household: Household,
    data: Mapping[str, Any],
    *,
    acting_user: Any,
    edit_token: str | None = None,
) -> dict:
    """Change household fields; return the {field: [old, new]} recorded (empty: no change).
    `edit_token` (the page form's `row_token(household)` when it was shown) refuses the edit
    if the household changed since."""
    ensure_can_edit(acting_user, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    _ensure_unchanged(
        household, edit_token, _("该户在您打开表单后已被他人修改{last}，请刷新后重新编辑")
    )
    before = audit.snapshot(household)
    locked = [f for f in PROCEDURE_FIELDS if f in data and data[f] != getattr(household, f)]
    if locked:
        raise ValidationError(
            {f: [_("贫困户状态和脱贫年度只能通过动态管理程序变更")] for f in locked}
        )
    # Only what this edit changes is checked value by value: a legacy value left alone (an old
    # number or phone) does not block an edit of another field.
    typed = {k: v for k, v in data.items() if v != getattr(household, k)}
    for key, value in data.items():
        setattr(household, key, value)
    merged = {**before, **{k: getattr(household, k) for k in data}}
    _raise(
        validation.check_values(typed, county=household.village_id[:6])
        + validation.check_household(merged)
    )
    household.full_clean()
    ensure_can_edit(acting_user, household)  # a move must land inside the user's scope too
    changes = audit.diff(before, audit.snapshot(household))
    if not changes:
        return {}
    household.save()
    _audit(acting_user, Action.UPDATE, household, household, changes)
    return changes


@transaction.atomic
def delete_household(household: Household, *, acting_user: Any) -> None:
    """Delete a household and its dependents. Normal closure is deregistration, not deletion."""
    ensure_can_edit(acting_user, household)
    _audit(
        acting_user,
        Action.DELETE,
        household,
        household,
        audit.diff(audit.snapshot(household), {}),
        message=_("删除贫困户及其成员、收入"),
    )
    household.delete()


def _check_person_unique(number: str, user: Any, exclude_pk: int | None) -> None:
    """An ID number belongs to one person; name the other household only if the user may see it."""
    other = Person.objects.filter(id_number=number).exclude(pk=exclude_pk).first()
    if other is None:
        return
    visible = Household.objects.visible_to(user).filter(pk=other.household_id).first()
    if visible is not None:
        message = _("该身份证号码已登记在户 {number} 中").format(number=visible.number)
    else:
        message = _("该身份证号码已登记在您管辖范围以外的户中，请联系县级管理员")
    raise ValidationError({"id_number": [message]})


def _create_person(household: Household, data: Mapping[str, Any], user: Any) -> Person:
    data = dict(data)
    facts = (
        idcodes.parse(data.get("id_number", ""))
        if idcodes.is_valid(data.get("id_number", ""))
        else None
    )
    if facts is not None:
        data["id_number"] = facts.number
        data.setdefault("sex", facts.sex)
        data.setdefault("birth_date", facts.birth_date)
    _raise(validation.check_person(data, data_year(household)))
    _check_person_unique(data["id_number"], user, None)
    person = Person(household=household, **data)
    person.full_clean(exclude=["household"])
    person.save()
    replace_name_keys([person])
    _audit(user, Action.CREATE, person, household, audit.diff({}, audit.snapshot(person)))
    return person


@transaction.atomic
def add_person(household: Household, data: Mapping[str, Any], *, acting_user: Any) -> Person:
    """Add a member to an existing household (a second head is refused)."""
    ensure_can_edit(acting_user, household)
    current = list(household.members.values("relation", "id_number"))
    _raise(
        validation.check_members([*current, data])
        if data.get("relation") == c.Relation.HEAD
        else []
    )
    return _create_person(household, data, acting_user)


@transaction.atomic
def update_person(
    person: Person,
    data: Mapping[str, Any],
    *,
    acting_user: Any,
    edit_token: str | None = None,
) -> dict:
    """Change a member's fields; the household keeps exactly one head. `edit_token` as in
    `update_household`."""
    ensure_can_edit(acting_user, person.household)
    person = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
    _ensure_unchanged(
        person, edit_token, _("该成员信息在您打开表单后已被他人修改{last}，请刷新后重新编辑")
    )
    before = audit.snapshot(person)
    for key, value in data.items():
        setattr(person, key, value)
    person.id_number = idcodes.normalise(person.id_number)
    _raise(
        validation.check_person(
            audit.snapshot(person) | {"birth_date": person.birth_date},
            data_year(person.household),
        )
    )
    if "relation" in data:
        members = list(
            person.household.members.exclude(pk=person.pk).values("relation", "id_number")
        )
        _raise(
            validation.check_members(
                [*members, {"relation": person.relation, "id_number": person.id_number}]
            )
        )
    _check_person_unique(person.id_number, acting_user, person.pk)
    person.full_clean(exclude=["household"])
    changes = audit.diff(before, audit.snapshot(person))
    if not changes:
        return {}
    person.save()
    if "name" in changes:
        replace_name_keys([person])
    _audit(acting_user, Action.UPDATE, person, person.household, changes)
    return changes


@transaction.atomic
def delete_person(person: Person, *, acting_user: Any) -> None:
    """Remove a member (not the head: change the head first)."""
    household = person.household
    ensure_can_edit(acting_user, household)
    if person.relation == c.Relation.HEAD:
        raise ValidationError({"relation": [_("不能删除户主，请先变更户主")]})
    _audit(acting_user, Action.DELETE, person, household, audit.diff(audit.snapshot(person), {}))
    person.delete()


@transaction.atomic
def save_income(
    household: Household, year: int, data: Mapping[str, Any], *, acting_user: Any
) -> Income:
    """Create or change the household's income of `year`; totals are derived."""
    ensure_can_edit(acting_user, household)
    income = Income.objects.filter(household=household, year=year).first()
    created = income is None
    if created:
        income = Income(
            household=household,
            year=year,
            members_count=data.get("members_count") or household.members.count(),
        )
    before = {} if created else audit.snapshot(income)
    _raise(validation.check_values({**data, "year": year} if created else data))
    for key, value in data.items():
        setattr(income, key, value)
    income.recompute()
    income.full_clean()
    changes = audit.diff(before, audit.snapshot(income))
    if changes:
        income.save()
        _audit(acting_user, Action.CREATE if created else Action.UPDATE, income, household, changes)
    return income


class RevealLimitReached(PermissionDenied):
    """More full ID numbers in the past hour than JINGZHUN_REVEALS_PER_HOUR (pages and API: 429)."""


@transaction.atomic
def reveal_id_number(person: Person, *, acting_user: Any, reason: str) -> str:
    """Return the full ID number and record that this user saw it and why.

    Only users who work on the records (`User.can_reveal`), with a reason, and at most
    settings.REVEALS_PER_HOUR numbers an hour, counted from the audit trail (issue #11 item 11)."""
    if Person.objects.visible_to(acting_user).filter(pk=person.pk).count() != 1:
        raise PermissionDenied(_("该记录不在您的管辖范围内"))
    if not acting_user.can_reveal():
        raise PermissionDenied(_("只读用户不能查看完整身份证号码"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写查看完整号码的事由")]})
    since = timezone.now() - datetime.timedelta(hours=1)
    recent = AuditEntry.objects.filter(
        actor=acting_user, action=Action.REVEAL, timestamp__gte=since
    ).count()
    if recent >= settings.REVEALS_PER_HOUR:
        raise RevealLimitReached(
            _("一小时内查看完整号码已达{limit}次，请稍后再试").format(
                limit=settings.REVEALS_PER_HOUR
            )
        )
    audit.record(
        actor=acting_user,
        action=Action.REVEAL,
        instance=person,
        household_id=person.household_id,
        area_code=person.household.village_id,
        message=_("查看完整身份证号码，事由：{reason}").format(reason=reason[:200]),
    )
    return person.id_number


@transaction.atomic
def search_by_id_number(value: str, *, acting_user: Any) -> list[Person]:
    """Persons with this ID number in the user's area; the look-up itself is audited (masked),
    since it tells whether someone is registered."""
    number = idcodes.normalise(value)
    found = list(
        Person.objects.visible_to(acting_user)
        .filter(id_number=number)
        .select_related("household__village")
    )
    audit.record(
        actor=acting_user,
        action=Action.SEARCH,
        model=Person._meta.label_lower,
        object_id=",".join(str(p.pk) for p in found),
        object_repr=audit.MASKED_FIELDS["id_number"](number),
        household_id=found[0].household_id if len(found) == 1 else None,
        area_code=found[0].household.village_id if len(found) == 1 else "",
        message=_("按身份证号码查询，找到 {count} 人").format(count=len(found)),
    )
    return found


@transaction.atomic
def change_status(
    household: Household,
    new_status: str,
    *,
    acting_user: Any,
    reason: str,
    date: datetime.date | None = None,
) -> StatusChange:
    """Record a status change with its dated history entry (procedures call this at their end)."""
    ensure_can_edit(acting_user, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    old = household.status
    household.status = new_status
    if new_status == c.Status.EXITED and not household.exit_year:
        household.exit_year = (date or today()).year
    household.save(update_fields=["status", "exit_year", "updated"])
    change = StatusChange.objects.create(
        household=household,
        date=date or today(),
        old_status=old,
        new_status=new_status,
        reason=reason,
        actor=acting_user,
    )
    _audit(acting_user, Action.UPDATE, household, household, {"status": [old, new_status]}, reason)
    return change


# Helpers (帮扶责任人), measures (帮扶措施) and incomes: small records hanging off a household.
# One generic path so each keeps the same contract: scope and role checked, model validated,
# one audit entry per change in the same transaction, none when nothing changed.


def _add_child(model: type, household: Household, data: Mapping[str, Any], user: Any) -> Any:
    ensure_can_edit(user, household)
    _raise(validation.check_values(data))
    instance = model(household=household, **data)
    instance.full_clean()
    instance.save()
    _audit(user, Action.CREATE, instance, household, audit.diff({}, audit.snapshot(instance)))
    return instance


def _update_child(instance: Any, data: Mapping[str, Any], user: Any) -> dict:
    ensure_can_edit(user, instance.household)
    instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    before = audit.snapshot(instance)
    _raise(validation.check_values({k: v for k, v in data.items() if v != getattr(instance, k)}))
    for key, value in data.items():
        if key != "household":  # a record does not move to another household
            setattr(instance, key, value)
    instance.full_clean()
    changes = audit.diff(before, audit.snapshot(instance))
    if changes:
        instance.save()
        _audit(user, Action.UPDATE, instance, instance.household, changes)
    return changes


def _delete_child(instance: Any, user: Any) -> None:
    household = instance.household
    ensure_can_edit(user, household)
    _audit(user, Action.DELETE, instance, household, audit.diff(audit.snapshot(instance), {}))
    instance.delete()


@transaction.atomic
def add_helper(household: Household, data: Mapping[str, Any], *, acting_user: Any) -> Helper:
    """Assign a helper (帮扶责任人) to the household."""
    return _add_child(Helper, household, data, acting_user)


@transaction.atomic
def update_helper(helper: Helper, data: Mapping[str, Any], *, acting_user: Any) -> dict:
    """Change a helper's fields; return the {field: [old, new]} recorded."""
    return _update_child(helper, data, acting_user)


@transaction.atomic
def delete_helper(helper: Helper, *, acting_user: Any) -> None:
    _delete_child(helper, acting_user)


@transaction.atomic
def add_measure(household: Household, data: Mapping[str, Any], *, acting_user: Any) -> Measure:
    """Record an assistance measure (帮扶措施) the household received."""
    return _add_child(Measure, household, data, acting_user)


@transaction.atomic
def update_measure(measure: Measure, data: Mapping[str, Any], *, acting_user: Any) -> dict:
    return _update_child(measure, data, acting_user)


@transaction.atomic
def delete_measure(measure: Measure, *, acting_user: Any) -> None:
    _delete_child(measure, acting_user)


@transaction.atomic
def delete_income(income: Income, *, acting_user: Any) -> None:
    """Remove one year's income record of a household."""
    _delete_child(income, acting_user)
