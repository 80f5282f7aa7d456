"""Choices of the assessment app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Engine(models.TextChoices):
    DB = "db", _("应用数据库")
    DUCKDB = "duckdb", _("DuckDB 快照")
    SPARK = "spark", _("Spark 快照")


class Status(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    # A user asked a running run to stop; the run notices at its next progress step.
    CANCELLING = "cancelling", _("正在停止")
    FINISHED = "finished", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


# A run in these states is not over: the page polls it, it cannot be deleted or pruned.
LIVE = (Status.QUEUED, Status.RUNNING, Status.CANCELLING)
# A run in these states has a worker evaluating it: `services.stop_run` applies.
STOPPABLE = (Status.RUNNING, Status.CANCELLING)


class Level(models.TextChoices):
    HOUSEHOLD = "household", _("户")
    VILLAGE = "village", _("村")
    COUNTY = "county", _("县")
