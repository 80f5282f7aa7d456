"""Department datasets: one loaded file (its provenance) and its rows in typed slots.

Every kind's rows live in one table (`DatasetRow`): the person key (ID number or its keyed token,
name, birth date, area) and typed slots the kind's TOML maps its columns to
(standards/dataset_kinds.py). Typed columns, not JSON, so comparison rules compile to plain
comparisons on SQLite, PostgreSQL, DuckDB and Spark alike.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.models import ScopedQuerySet


class Dataset(models.Model):
    """One department file as loaded (一次数据交换): who gave it, who loaded it, when, what it
    held. Visible within the area it was loaded for (the loader's own area or below). A later
    file of the same kind, year and area supersedes it (`current` False); the rows stay, so a
    finding keeps its evidence."""

    area_code_path = "area_id"

    kind = models.CharField(_("数据类型"), max_length=32, db_index=True)
    year = models.PositiveSmallIntegerField(_("数据年度"))
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("适用区划"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField(_("提供部门"), max_length=100)
    received_on = models.DateField(_("接收日期"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        null=True,  # the command line
        related_name="+",
    )
    loaded = models.DateTimeField(_("导入时间"), auto_now_add=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    checksum = models.CharField(_("文件校验值（SHA-256）"), max_length=64)
    rows = models.PositiveIntegerField(_("行数"))
    key_id = models.CharField(
        _("令牌密钥标识"),
        max_length=16,
        blank=True,
        help_text=_("部门以密钥把证件号码换成令牌后提交时，所用密钥的公开标识"),
    )
    # The registry's tokens were computed with this file's agreement key and matched
    # (comparison/linkage): only then does a token that matched nobody mean "not registered".
    tokens_linked = models.BooleanField(_("已按令牌匹配"), default=False)
    current = models.BooleanField(_("当前有效"), default=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门数据")
        verbose_name_plural = _("部门数据")
        ordering = ["-loaded", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "area", "checksum"], name="dataset_file_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year} {self.file_name}"


class DatasetRow(models.Model):
    """One row of a department's file. `id_number` is normalised (18 characters); a tokenised
    file fills `id_token` instead and no raw number is stored. `id_valid` False: the number
    failed its check, so only the name, birth date and area can link the row."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="row_set")
    row = models.PositiveIntegerField(_("行号"))
    id_number = models.CharField(_("证件号码"), max_length=18, blank=True, db_index=True)
    id_token = models.CharField(_("证件号码令牌"), max_length=64, blank=True, db_index=True)
    id_valid = models.BooleanField(_("证件号码有效"), default=True)
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    area_code = models.CharField(_("区划代码"), max_length=12, blank=True)
    category = models.CharField(_("类别"), max_length=32, blank=True)
    status = models.CharField(_("状态"), max_length=32, blank=True)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    flag = models.BooleanField(_("是否"), null=True, blank=True)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount2 = models.DecimalField(
        _("金额2"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    count = models.IntegerField(_("数量"), null=True, blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    date2 = models.DateField(_("日期2"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)

    class Meta:
        verbose_name = _("部门数据行")
        verbose_name_plural = _("部门数据行")
        ordering = ["dataset_id", "row"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "row"], name="dataset_row_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}#{self.row}"
