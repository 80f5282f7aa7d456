"""An import of one workbook: who uploaded what, which step it is at, what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.workbook.progress import STEPS

from . import kinds
from .choices import LIVE, Status


class ImportJob(models.Model):
    """One upload of one user. Only its owner sees it and its error file (the rows it copies
    were the owner's own). The uploaded file waits in the private imports folder under
    `stored_name` until the job ran, then is deleted; with errors, an annotated copy stays under
    `error_token` for IMPORT_RETENTION_DAYS."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        related_name="import_jobs",
    )
    kind = models.CharField(_("导入类型"), max_length=64)
    parameters = models.JSONField(_("导入选项"), default=dict, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    stored_name = models.CharField(_("存储文件名"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    step = models.CharField(_("当前步骤"), max_length=16, blank=True)
    result = models.JSONField(_("导入结果"), default=dict, blank=True)
    error_token = models.CharField(_("错误文件"), max_length=64, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    started = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind_label} {self.file_name}"

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
    def step_label(self) -> str:
        return str(STEPS.get(self.step, ""))

    @property
    def percent(self) -> int:
        """Steps behind it out of all (reading, checking, writing): a file's rows are not known
        before it is read, so the steps are the measure."""
        if not self.is_live:
            return 100
        order = list(STEPS)
        return order.index(self.step) * 100 // len(order) if self.step in order else 0

    @property
    def error_count(self) -> int:
        return int(self.result.get("error_count", 0))

    @property
    def written(self) -> bool:
        return bool(self.result.get("batch"))
