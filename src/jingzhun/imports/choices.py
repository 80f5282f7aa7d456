"""Choices of the imports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    # Ran to the end: written, checked only (dry run) or refused with the rows' errors.
    FINISHED = "finished", _("已完成")
    FAILED = "failed", _("失败")  # an exception: nothing written


# A job in these states is not over: its page polls it.
LIVE = (Status.QUEUED, Status.RUNNING)
