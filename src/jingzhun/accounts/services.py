"""Audited writes of users: the admin's saves and deletions go through here.

A user's role, area and activity decide what they may see and change, so each change is in the
audit trail (before/after per field; the password only as "changed", never its hash).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

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


# Users are deactivated, never deleted, once they have acted: the trail keeps its actor.
DEACTIVATED_NOT_DELETED = _("已有操作记录，停用而非删除")


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


def acting_relations() -> list[Any]:
    """The foreign keys to the user that record who acted (audit entries, step records,
    objections, runs, batches, notices, status changes, export jobs…): every one is `PROTECT`,
    so a user who acted cannot be deleted by any path (admin, shell, ORM bulk delete).
    The rest (Django's admin log, API tokens, group and permission links) go with the user."""
    return [
        relation
        # Hidden ones included: most of these keys have no reverse accessor (related_name="+").
        for relation in User._meta.get_fields(include_hidden=True)
        if relation.one_to_many and relation.auto_created and relation.on_delete is models.PROTECT
    ]


def acted_user_ids(users: list[User]) -> set[int]:
    """Keys of those of `users` who acted: some row of an `acting_relations` model names them."""
    ids = [user.pk for user in users]
    acted: set[int] = set()
    for relation in acting_relations():
        name = relation.field.attname
        acted.update(
            relation.related_model._base_manager.filter(**{f"{name}__in": ids})
            .values_list(name, flat=True)
            .distinct()
        )
    return acted


@dataclasses.dataclass(frozen=True)
class Removal:
    """What `delete_users` did: users deleted, users deactivated instead (they had acted)."""

    deleted: list[User]
    deactivated: list[User]


@transaction.atomic
def delete_users(users: list[User], *, acting_user: Any) -> Removal:
    """Delete the users who never acted; deactivate those who did (is_active=False), so the trail
    keeps naming them. One audit entry each: DELETE with the values they had, or UPDATE of
    is_active with the reason (an already inactive one: nothing to change, no entry)."""
    acted = acted_user_ids(users)
    deleted = [user for user in users if user.pk not in acted]
    deactivated = [user for user in users if user.pk in acted]
    entries = [
        audit.entry(
            actor=_actor(acting_user),
            action=Action.DELETE,
            instance=user,
            changes=audit.diff(audit.snapshot(user, AUDITED_FIELDS), {}),
            area_code=user.area_id or "",
        )
        for user in deleted
    ]
    for user in deactivated:
        if user.is_active:
            user.is_active = False
            entries.append(
                audit.entry(
                    actor=_actor(acting_user),
                    action=Action.UPDATE,
                    instance=user,
                    changes={"is_active": [True, False]},
                    area_code=user.area_id or "",
                    message=str(DEACTIVATED_NOT_DELETED),
                )
            )
    User.objects.filter(pk__in=[user.pk for user in deactivated]).update(is_active=False)
    AuditEntry.objects.bulk_create(entries)
    User.objects.filter(pk__in=[user.pk for user in deleted]).delete()
    return Removal(deleted=deleted, deactivated=deactivated)


def record_password_change(user: User, *, acting_user: Any) -> None:
    """Audit a password set by someone (the admin's password form saves it): never the hash.
    Saving the new password revoked the user's API tokens (`User.save`); made sure here."""
    Token.objects.filter(user=user).delete()
    audit.record(
        actor=_actor(acting_user),
        action=Action.UPDATE,
        instance=user,
        changes={"password": ["…", "已修改"]},
        area_code=user.area_id or "",
        message=str(_("密码已修改，API令牌已作废")),
    )


def issue_token(user: User) -> Token:
    """The user's API token, a new one in place of an expired one (`/api/token/`,
    `jingzhun create_token`)."""
    from .authentication import token_expired

    token, _created = Token.objects.get_or_create(user=user)
    if token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token
