"""Writing audit entries. Call inside the transaction of the change being recorded."""

from __future__ import annotations

import datetime
import functools
import uuid
from decimal import Decimal
from typing import Any

from django.db import models

from jingzhun import masking

from .models import Action, AuditEntry

# Values of these fields are stored masked: the trail must not become a copy of the secrets.
MASKED_FIELDS = {
    "id_number": masking.mask_id_number,
    "phone": masking.mask_phone,
    "bank_account": masking.mask_account,
}


_PLAIN_TYPES = (str, int, bool, float, type(None))


def plain(value: Any) -> Any:
    """A JSON-safe form of a field value for the change record."""
    if type(value) in _PLAIN_TYPES:  # the common case first: imports call this millions of times
        return value
    if isinstance(value, Decimal):
        # to_integral_value, not normalize(): normalize() writes 8000 as '8E+3'.
        return str(value.to_integral_value()) if value == value.to_integral() else str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@functools.cache
def _audited_fields(model: type[models.Model]) -> tuple[tuple[str, str], ...]:
    """(name, attname) of the fields an audit snapshot records: not the key, not timestamps."""
    return tuple(
        (f.name, f.attname)
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in {"created", "updated"}
    )


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Field name → plain value of the concrete fields (foreign keys as their key)."""
    values = instance.__dict__
    return {
        name: plain(values[attname] if attname in values else getattr(instance, attname))
        for name, attname in _audited_fields(type(instance))
        if fields is None or name in fields
    }


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that differ, sensitive values masked."""
    changes = {}
    for key in sorted(set(old) | set(new)):
        before, after = plain(old.get(key)), plain(new.get(key))
        if before != after:
            mask = MASKED_FIELDS.get(key)
            if mask:
                before, after = mask(before), mask(after)
            changes[key] = [before, after]
    return changes


def entry_values(
    *,
    actor: Any,
    action: str,
    instance: models.Model | None = None,
    model: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    household_id: int | None = None,
    area_code: str = "",
    batch: uuid.UUID | None = None,
    message: str = "",
) -> dict[str, Any]:
    """The column values (by attribute name) of one audit entry; bulk jobs insert these as rows
    (`core.bulk.insert_dicts`), single changes wrap them in an AuditEntry (`entry`)."""
    if instance is not None:
        model = model or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)[:200]
    return {
        "actor_id": getattr(actor, "pk", None),
        "action": action,
        "model": model,
        "object_id": object_id,
        "object_repr": object_repr,
        "changes": changes or {},
        "household_id": household_id,
        "area_code": area_code,
        "batch": batch,
        "message": message[:300],
    }


def entry(**kwargs: Any) -> AuditEntry:
    """An unsaved AuditEntry (keyword arguments as `entry_values`)."""
    return AuditEntry(**entry_values(**kwargs))


def record(**kwargs: Any) -> AuditEntry:
    """Write one audit entry now (inside the caller's transaction)."""
    item = entry(**kwargs)
    item.save()
    return item


# The actions that change data (the others record a read, an export or a login).
WRITES = (Action.CREATE, Action.UPDATE, Action.DELETE, Action.IMPORT)


def change_mark() -> int:
    """Where the trail stands now. Every change is audited in its own transaction, so
    `changes_since(mark)` tells what was written after this point: a long job
    (an import) checks its input without holding the write lock, then, inside its short write
    transaction, finds out whether what it read is still what is there."""
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def changes_since(mark: int) -> list[tuple[int | None, str, str]]:
    """(household id, action, model) of every write (create, update, delete, import) after
    `mark`: a few dozen while an import checks a county's file, read in one indexed range."""
    return list(
        AuditEntry.objects.filter(pk__gt=mark, action__in=WRITES).values_list(
            "household_id", "action", "model"
        )
    )


__all__ = [
    "WRITES",
    "Action",
    "change_mark",
    "changes_since",
    "diff",
    "entry",
    "entry_values",
    "plain",
    "record",
    "snapshot",
]
