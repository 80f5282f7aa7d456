"""疑似重复: pairs of registered persons or households that may be one (issue #12 item 7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.models import ScopedQuerySet

from ..choices import Basis, PairKind, PairStatus


class DuplicatePair(models.Model):
    """疑似重复: two registered persons of one county with different ID numbers but the same
    birth date and name reading, or two households of one county sharing such a member where
    one was created within days of the other's status change (split or merged). `key` is the
    ordered pair of ids, so detecting again never makes a second pair; `area_code` is the
    smallest area holding both (the village, else the township, else the county): a pair
    across two villages is reviewed at township level. `shown` keeps both sides as they were
    found (names and ID numbers masked), so a decided pair still reads after a merge."""

    area_code_path = "area_code"

    kind = models.CharField(_("类型"), max_length=16, choices=PairKind.choices, db_index=True)
    key = models.CharField(_("重复标识"), max_length=64, unique=True)
    basis = models.CharField(_("相同依据"), max_length=16, choices=Basis.choices)
    area_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    first_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("成员一"),
        on_delete=models.SET_NULL,  # removed by a merge: `shown` keeps what it was
        null=True,
        blank=True,
        related_name="+",
    )
    second_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("成员二"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    first_household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户一"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    second_household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户二"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    shown = models.JSONField(_("比对信息"), default=dict, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PairStatus.choices,
        default=PairStatus.OPEN,
        db_index=True,
    )
    reason = models.TextField(_("核实意见"), blank=True)
    kept_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("保留的成员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The member a merge removed (deleted through registry.services.delete_person, whose audit
    # entry carries its values); a plain number because the row itself is gone.
    removed_person_id = models.PositiveIntegerField(_("删除的成员编号"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        null=True,
        blank=True,
        related_name="+",
    )
    decided = models.DateTimeField(_("核实时间"), null=True, blank=True)
    first_found = models.DateTimeField(_("首次发现"))
    last_found = models.DateTimeField(_("最近发现"))
    gone = models.DateTimeField(_("消除时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        ordering = ["area_code", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.key}"
