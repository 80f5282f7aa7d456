"""An export generated in the background: who asked, what, how far it got, where the file is."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import kinds
from .choices import LIVE, Status


class ExportJob(models.Model):
    """One export of one user. Only its owner sees it and downloads its file (not area-bound: the
    rows in the file were scoped to the owner when it was written). The file lives in the private
    folder `services.export_dir()` under `stored_name`; `file_name` is the name it downloads as."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        related_name="export_jobs",
    )
    kind = models.CharField(_("导出类型"), max_length=64)
    parameters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    done = models.PositiveIntegerField(_("已写行数"), default=0)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    stored_name = models.CharField(_("存储文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    started = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind_label} {self.get_status_display()}"

    @property
    def kind_label(self) -> str:
        try:
            return str(kinds.get(self.kind).label)
        except LookupError:
            return self.kind

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    @property
    def percent(self) -> int:
        if self.status in (Status.FINISHED, Status.EXPIRED):
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0

    def parameter_items(self) -> list[tuple[str, str]]:
        """The filter as (label, values) pairs for display: the kind's own words when it has
        them, else the stored names and values."""
        describe = (
            kinds.registered()[self.kind].describe if self.kind in kinds.registered() else None
        )
        if describe is not None:
            return describe(self.parameters)
        return [
            (name, "、".join(str(v) for v in (values if isinstance(values, list) else [values])))
            for name, values in sorted(self.parameters.items())
        ]
