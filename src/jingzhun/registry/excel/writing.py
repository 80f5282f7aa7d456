"""Write a planned registry import: set-based inserts (`core/bulk.py`) and grouped bulk updates,
households first, heads demoted before anyone is promoted, one audit entry per record and one
for the import, all under the batch id."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import namekeys
from jingzhun.audit import services as audit
from jingzhun.audit.models import Action, AuditEntry
from jingzhun.core import bulk

from .. import choices as c
from ..models import Helper, Household, Income, Measure, Person, PersonNameKey, StatusChange
from .checks import Importer, chunks
from .planning import Plan


def prepare(plan: Plan) -> None:
    """The audit changes of every planned creation and the pinyin keys of new and renamed
    persons, computed before the write transaction (at 100,000 persons a third of what the write
    took, none of it needing the lock). The parent household's key is added by `write` once the
    new households have theirs."""
    for creations in plan.creates.values():
        for instance, _number in creations:
            plan.created_changes[id(instance)] = _created(instance)
    for person in [*(p for p, _n in plan.creates[Person]), *plan.renamed]:
        plan.name_keys[id(person)] = namekeys.name_keys(person.name)


def write(imp: Importer, plan: Plan, batch: uuid.UUID, name: str, message: str) -> None:
    """Write `plan` (checked, nothing else in it, `prepare`d) with its audit entries under
    `batch`."""
    user = imp.user
    now = timezone.now()
    entries: list[dict[str, Any]] = []
    actor = user if getattr(user, "pk", None) else None

    def log(action: str, instance: Any, household: Household, changes: dict) -> None:
        entries.append(
            audit.entry_values(
                actor=actor,
                action=action,
                instance=instance,
                changes=changes,
                household_id=household.pk,
                area_code=household.village_id,
                batch=batch,
                message=message,
            )
        )

    # Households first: children point at them.
    new_households = [h for h, _n in plan.creates[Household]]
    bulk.insert(Household, new_households)
    by_number = {h.number: h for h in imp.existing_hh.values()}
    by_number.update({h.number: h for h in new_households})
    by_pk = {h.pk: h for h in by_number.values()}
    _update(Household, plan.updates[Household], now)
    bulk.insert(
        StatusChange,
        [
            StatusChange(
                household_id=h.pk,
                date=imp.today,
                old_status="",
                new_status=h.status,
                reason=_("建档立卡(导入)"),
                actor=actor,
            )
            for h in new_households
        ],
    )
    for h in new_households:
        log(Action.CREATE, h, h, plan.created_changes[id(h)])
    for h, _fields, changes in plan.updates[Household]:
        log(Action.UPDATE, h, h, changes)

    # Persons: demote heads before anyone is promoted (one head per household is a constraint).
    for person, number in plan.creates[Person]:
        person.household_id = by_number[number].pk
    for person, _f, _d in plan.updates[Person]:
        target = getattr(person, "_move_to", None)
        if target:
            person.household_id = by_number[target].pk
    demoting = [u for u in plan.updates[Person] if u[0].relation != c.Relation.HEAD]
    promoting = [u for u in plan.updates[Person] if u[0].relation == c.Relation.HEAD]
    _update(Person, demoting, now)
    new_persons = [p for p, _n in plan.creates[Person]]
    bulk.insert(Person, new_persons)
    _update(Person, promoting, now)
    for person in new_persons:
        log(Action.CREATE, person, by_pk[person.household_id], _with_household(plan, person))
    for person, _fields, changes in plan.updates[Person]:
        log(Action.UPDATE, person, by_pk[person.household_id], changes)
    for chunk in chunks([p.pk for p in plan.renamed]):
        PersonNameKey.objects.filter(person_id__in=chunk).delete()
    bulk.insert_dicts(
        PersonNameKey,
        [
            {"person_id": p.pk, "key": k}
            for p in [*new_persons, *plan.renamed]
            for k in plan.name_keys[id(p)]
        ],
    )

    for model in (Income, Helper, Measure):
        created = []
        for item, number in plan.creates[model]:
            item.household_id = by_number[number].pk
            created.append(item)
        bulk.insert(model, created)
        _update(model, plan.updates[model], now)
        for item in created:
            log(Action.CREATE, item, by_pk[item.household_id], _with_household(plan, item))
        for item, _fields, changes in plan.updates[model]:
            log(Action.UPDATE, item, by_pk[item.household_id], changes)

    entries.append(
        audit.entry_values(
            actor=actor,
            action=Action.IMPORT,
            model="registry.household",
            object_repr=name[:200],
            changes={
                title: {"created": n.created, "updated": n.updated, "unchanged": n.unchanged}
                for title, n in imp.result.counts.items()
            },
            area_code=imp.scope or "",
            batch=batch,
            message="{}{}".format(message + ": " if message else "", imp.result.summary()),
        )
    )
    bulk.insert_dicts(AuditEntry, entries)


def _update(
    model: type, updates: list[tuple[Any, list[str], dict]], now: datetime.datetime
) -> None:
    """bulk_update grouped by the set of changed fields (one UPDATE … CASE per group and batch)."""
    groups: dict[tuple[str, ...], list[Any]] = defaultdict(list)
    for instance, fields, _diff in updates:
        instance.updated = now
        groups[tuple(sorted(set(fields)))].append(instance)
    for fields, instances in groups.items():
        model.objects.bulk_update(instances, [*fields, "updated"], batch_size=500)


def _with_household(plan: Plan, instance: Any) -> dict[str, list[Any]]:
    """The prepared changes of a created member or child row, with its household's key (known
    only now for a household created by the same import)."""
    changes = plan.created_changes[id(instance)]
    changes["household"] = [None, instance.household_id]
    return changes


def _created(instance: models.Model) -> dict[str, list[Any]]:
    """audit.diff({}, audit.snapshot(instance)) in one pass (this runs once per created row)."""
    changes = {}
    for name, value in sorted(audit.snapshot(instance).items()):
        if value is not None:
            mask = audit.MASKED_FIELDS.get(name)
            changes[name] = [None, mask(value) if mask else value]
    return changes
