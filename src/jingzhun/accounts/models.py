"""Users, each bound to one area and one role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun import areacodes

from .choices import EDITING_ROLES, Role


class User(AbstractUser):
    """A staff member. Sees and edits only the subtree of `area`; superusers see everything."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.VIEWER)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new password (set_password on any path: the admin, `changepassword`, a password
        # form) revokes the user's API tokens, as Django's session hash ends their sessions.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user=self).delete()

    def scope_prefix(self) -> str | None:
        """'' for everything, the area-code prefix of the user's subtree, or None for nothing."""
        if self.area_id:
            return areacodes.prefix(self.area_id)
        return "" if self.is_superuser else None

    def can_reveal(self) -> bool:
        """Whether this user may see full ID numbers in their scope: those who work on the
        records, not the read-only role."""
        return self.can_edit()

    def can_edit(self) -> bool:
        """Whether this user may change registry records inside their scope."""
        return self.is_active and (self.is_superuser or self.role in EDITING_ROLES)
