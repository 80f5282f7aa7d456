"""Audited writes of users: the admin's saves and deletions go through here.

A user's role, area and activity decide what they may see and change, so each change is in the
audit trail (before/after per field; the password only as "changed", never its hash).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from jingzhun.audit import services as audit
from jingzhun.audit.models import Action, AuditEntry

from .models import User

AUDITED_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "area",
    "is_active",
    "is_staff",
    "is_superuser",
]


def _actor(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "pk", None) else None


@transaction.atomic
def save_user(user: User, *, acting_user: Any) -> User:
    """Save `user` (new or changed by a form); audit what changed. Nothing changed: no entry."""
    stored = User.objects.filter(pk=user.pk).first() if user.pk else None
    before = audit.snapshot(stored, AUDITED_FIELDS) if stored else {}
    user.save()
    changes = audit.diff(before, audit.snapshot(user, AUDITED_FIELDS))
    if stored is not None and stored.password != user.password:
        changes["password"] = ["…", "已修改"]
    if stored is None or changes:
        audit.record(
            actor=_actor(acting_user),
            action=Action.CREATE if stored is None else Action.UPDATE,
            instance=user,
            changes=changes,
            area_code=user.area_id or "",
        )
    return user


@transaction.atomic
def delete_users(users: list[User], *, acting_user: Any) -> None:
    """Delete users, one audit entry each with the values they had."""
    AuditEntry.objects.bulk_create(
        [
            audit.entry(
                actor=_actor(acting_user),
                action=Action.DELETE,
                instance=user,
                changes=audit.diff(audit.snapshot(user, AUDITED_FIELDS), {}),
                area_code=user.area_id or "",
            )
            for user in users
        ]
    )
    User.objects.filter(pk__in=[u.pk for u in users]).delete()


def record_password_change(user: User, *, acting_user: Any) -> None:
    """Audit a password set by someone (the admin's password form saves it): never the hash."""
    audit.record(
        actor=_actor(acting_user),
        action=Action.UPDATE,
        instance=user,
        changes={"password": ["…", "已修改"]},
        area_code=user.area_id or "",
    )
