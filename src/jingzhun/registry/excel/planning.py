"""Plan the write of a checked registry workbook: per model, the instances to create and the
(instance, changed fields, audit diff) to update. A row equal to the database changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from jingzhun.audit import services as audit

from ..models import Household, Income, Person
from .checks import Importer, lookup_in
from .columns import HOUSEHOLDS, PERSONS, Sheet
from .reading import Row


@dataclass
class Plan:
    """What the write phase does, per model: new instances and (instance, changed fields, diff)."""

    creates: dict[type, list[tuple[models.Model, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # (instance, household number)
    updates: dict[type, list[tuple[models.Model, list[str], dict]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    renamed: list[Person] = field(default_factory=list)
    # id(instance) → the audit changes of a creation (`writing.prepare`, before the lock).
    created_changes: dict[int, dict] = field(default_factory=dict)
    name_keys: dict[int, list[str]] = field(default_factory=dict)  # id(person) → pinyin keys


def _compare(instance: models.Model, new: dict[str, Any]) -> tuple[list[str], dict]:
    """Set `new` on `instance`; return the fields that changed and their audit diff."""
    before = audit.snapshot(instance, list(new))
    after = {}
    for name, value in new.items():
        attname = instance._meta.get_field(name).attname
        after[name] = audit.plain(value)
        setattr(instance, attname, value)
    changes = audit.diff(before, after)
    # diff() masks sensitive values; the changed field names are what the write needs.
    return [instance._meta.get_field(n).attname for n in changes], changes


def plan_households(imp: Importer, plan: Plan) -> None:
    """The households of the file: new ones, and the changed fields of the others."""
    counts = imp.result.counts[HOUSEHOLDS.title]
    for number, row in imp.file_hh.items():
        existing = imp.existing_hh.get(number)
        if existing is None:
            household = Household(number=number)
            for name, value in row.values.items():
                setattr(household, Household._meta.get_field(name).attname, value)
            plan.creates[Household].append((household, number))
            counts.created += 1
            continue
        changed, diff = _compare(existing, row.values)
        if changed:
            plan.updates[Household].append((existing, changed, diff))
            counts.updated += 1
        else:
            counts.unchanged += 1


def plan_persons(imp: Importer, plan: Plan, rows: list[Row]) -> None:
    """New persons; changed ones (a move to another household is a change of household_id)."""
    counts = imp.result.counts[PERSONS.title]
    for row in rows:
        values = dict(row.values)
        number = values.pop("household_number")
        existing = imp.existing_persons.get(values["id_number"])
        if existing is None:
            person = Person(**values)
            plan.creates[Person].append((person, number))
            counts.created += 1
            continue
        old_name = existing.name
        old_household = imp.hh_by_id[existing.household_id]
        changed, diff = _compare(existing, values)
        if old_household.number != number:
            diff["household"] = [old_household.number, number]
            changed.append("household_id")
            existing._move_to = number  # type: ignore[attr-defined]
        if changed:
            plan.updates[Person].append((existing, changed, diff))
            counts.updated += 1
            if existing.name != old_name:
                plan.renamed.append(existing)
        else:
            counts.unchanged += 1


def plan_children(imp: Importer, plan: Plan, sheet: Sheet, rows: list[Row]) -> None:
    """Incomes, helpers, measures by natural key; an income's derived amounts recomputed."""
    model = sheet.model
    counts = imp.result.counts[sheet.title]
    referenced = {r.values["household_number"] for r in rows}
    ids = {h.pk for n, h in imp.existing_hh.items() if n in referenced}
    existing: dict[tuple, Any] = {}
    for item in lookup_in(model, "household_id", ids):
        number = imp.hh_by_id[item.household_id].number
        key = (number, *(getattr(item, f) for f in sheet.key[1:]))
        existing[key] = item
    for row in rows:
        values = dict(row.values)
        number = values.pop("household_number")
        if model is Income and values.get("members_count") is None:
            values["members_count"] = imp.member_counts.get(number, 0)
        key = (number, *(values[f] for f in sheet.key[1:]))
        item = existing.get(key)
        if item is None:
            item = model(**values)
            if model is Income:
                item.recompute()
            plan.creates[model].append((item, number))
            counts.created += 1
            continue
        if model is Income:
            probe = Income(**values)
            probe.recompute()
            values.update({f: getattr(probe, f) for f in ("transfer_income", "net_income")})
            values["income_per_capita"] = probe.income_per_capita
        changed, diff = _compare(item, values)
        if changed:
            plan.updates[model].append((item, changed, diff))
            counts.updated += 1
        else:
            counts.unchanged += 1
