"""Who acts in a command: the system (no --user) or a named, active user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


class SystemActor:
    """The command line without --user: full scope, may edit, recorded as no user ("命令行")."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    username = "命令行"

    def scope_prefix(self) -> str:
        return ""

    def can_edit(self) -> bool:
        return True

    def __str__(self) -> str:
        return "命令行"


SYSTEM = SystemActor()


def resolve_user(username: str | None) -> Any:
    """The --user of a command: SYSTEM without one, else that active user (or CommandError)."""
    if not username:
        return SYSTEM
    user_model = get_user_model()
    try:
        return user_model.objects.get(username=username, is_active=True)
    except user_model.DoesNotExist:
        raise CommandError(f"用户 {username} 不存在或已停用") from None
