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


class Step(models.TextChoices):
    """The step a run is at, stored as a code and shown in the reader's language (the worker
    runs in Chinese, the page may be read in English). Each has its share of the whole run
    (STEP_PERCENT), measured on the demo county: computing households and saving dominate."""

    QUEUED = "queued", _("排队等待后台任务进程")
    READ = "read", _("正在读取登记数据")
    SPARK = "spark", _("正在启动 Spark")
    HOUSEHOLD = "household", _("正在计算户级指标")
    VILLAGE = "village", _("正在计算村级指标")
    COUNTY = "county", _("正在计算县级指标")
    SAVE = "save", _("正在保存结果")
    DONE = "done", _("已完成")


# The percentage shown when a step starts (a run moves through them in this order).
STEP_PERCENT = {
    Step.QUEUED: 0,
    Step.READ: 5,
    Step.SPARK: 15,
    Step.HOUSEHOLD: 20,
    Step.VILLAGE: 55,
    Step.COUNTY: 65,
    Step.SAVE: 70,
    Step.DONE: 100,
}


class Level(models.TextChoices):
    HOUSEHOLD = "household", _("户")
    VILLAGE = "village", _("村")
    COUNTY = "county", _("县")
