"""Choices of the exports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    FINISHED = "finished", _("已完成")
    FAILED = "failed", _("失败")
    # Finished, then its file deleted after the retention period (`jingzhun purge_exports`).
    EXPIRED = "expired", _("已过期")


# A job in these states is not over: its page polls it.
LIVE = (Status.QUEUED, Status.RUNNING)
