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
    FINISHED = "finished", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class Level(models.TextChoices):
    HOUSEHOLD = "household", _("户")
    VILLAGE = "village", _("村")
    COUNTY = "county", _("县")
