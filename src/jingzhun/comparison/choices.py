"""Choices of the comparison app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("比对中")
    FINISHED = "finished", _("已完成")
    FAILED = "failed", _("失败")


LIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    # A later run no longer finds it (the registry or the department's data changed).
    RESOLVED = "resolved", _("原因已消除")


class Meaning(models.TextChoices):
    EXCLUSION = "exclusion", _("不符合条件")
    OMISSION = "omission", _("疑似漏评")
    MISMATCH = "mismatch", _("信息不一致")
    RISK = "risk", _("风险预警")
    QUALITY = "quality", _("数据质量")


class Severity(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")
