"""The audit trail: who changed, viewed in full or exported what, when, old → new."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.models import ScopedQuerySet


class Action(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    REVEAL = "reveal", _("查看完整信息")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    SEARCH = "search", _("按身份证号码查询")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出登录")


class AuditEntry(models.Model):
    """One audited event. Written by the service that made the change, in its transaction.

    `area_code` is the area of the record (its village for registry rows) so the trail is scoped
    like the data; `household` lets the household page list every change to it and its members.
    """

    area_code_path = "area_code"

    timestamp = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        related_name="+",
    )
    batch = models.UUIDField(_("批次"), null=True, blank=True, db_index=True)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    model = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("贫困户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit",
    )
    area_code = models.CharField(_("区划代码"), max_length=12, blank=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-timestamp", "-id"]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
