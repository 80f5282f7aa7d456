"""Abstract bases shared by every domain app: timestamps and the one scoping chokepoint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from jingzhun.accounts.models import User


class ScopedQuerySet(models.QuerySet):
    """`visible_to(user)` is the only way area-bound rows reach pages, API, exports and tasks.

    Each model names the lookup from itself to a 12-digit area code in `area_code_path`; a user's
    scope is the prefix of their area's code, so a subtree is one indexed range comparison.
    """

    def visible_to(self, user: User | Any) -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        scope = user.scope_prefix()
        if scope is None:
            return self.none()
        if scope == "":
            return self
        path = self.model.area_code_path
        # A range on the code instead of LIKE 'prefix%': both SQLite and PostgreSQL use the index.
        upper = scope[:-1] + chr(ord(scope[-1]) + 1)
        return self.filter(**{f"{path}__gte": scope, f"{path}__lt": upper})


class TimeStampedModel(models.Model):
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True
