"""Links from a department row to a registered person other than the raw ID join.

A tokenised row links by its token (computed for the registry with the agreement key: `token`,
confirmed at once, no person involved). A row without a valid number links by name, birth date
and area (`fuzzy`, scored by splink): only *possible* until a person confirms it; only confirmed
links feed the comparison rules (`engine.comparison.dataset_view`, `linked_person_id`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.models import ScopedQuerySet

from ..choices import LinkStatus, Method


class RowLink(models.Model):
    """One department row → one registered person: how (`method`), how likely (`score`, the
    Fellegi–Sunter match probability of a fuzzy link; NULL for a token) and whether it holds
    (`status`, who decided and when). Scoped by the person's village (`area_code`): the cadres
    who know the person decide."""

    area_code_path = "area_code"

    # No database constraint on the row and the person (the ORM's CASCADE still applies, and
    # every deletion goes through the ORM), as findings: a tokenised list of 1 M rows links
    # 333 k rows at each run, whose deferred checks PostgreSQL ran row by row at commit.
    dataset_row = models.ForeignKey(
        "comparison.DatasetRow",
        verbose_name=_("部门数据行"),
        on_delete=models.CASCADE,
        related_name="links",
        db_constraint=False,
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("成员"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    area_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    method = models.CharField(_("匹配方式"), max_length=8, choices=Method.choices)
    score = models.FloatField(_("匹配概率"), null=True, blank=True)
    weight = models.FloatField(_("匹配权重"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=LinkStatus.choices, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        null=True,
        blank=True,
        related_name="+",
    )
    decided = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据行匹配")
        verbose_name_plural = _("数据行匹配")
        ordering = ["area_code", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dataset_row", "person"], name="rowlink_pair_once"),
            # A row is one person: the rules join it through its one confirmed link.
            models.UniqueConstraint(
                fields=["dataset_row"],
                condition=models.Q(status="confirmed"),
                name="rowlink_one_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_row_id} → {self.person_id} ({self.method}, {self.status})"
