"""Choices of the comparison app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The engines a run evaluates on: the same three as an assessment's (db, duckdb, spark).
from jingzhun.assessment.choices import Engine  # noqa: F401  (re-exported)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("比对中")
    FINISHED = "finished", _("已完成")
    FAILED = "failed", _("失败")


LIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    CONFIRMED = "confirmed", _("核实属实")  # its task checked it on site: true, action follows
    DISMISSED = "dismissed", _("核实不属实")  # checked and not true, agreed at township level
    # A later run no longer finds it (the registry or the department's data changed).
    RESOLVED = "resolved", _("原因已消除")


# A later run that finds these again keeps them (no second finding, no second task).
KEPT_FINDINGS = (FindingStatus.OPEN, FindingStatus.CONFIRMED, FindingStatus.DISMISSED)


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


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待核查")
    # Checked as not confirmed: a second person at township level must agree.
    REVIEW = "review", _("待乡镇复核")
    CONFIRMED = "confirmed", _("属实待处理")
    CLOSED = "closed", _("已办结")


OPEN_TASKS = (TaskStatus.ASSIGNED, TaskStatus.REVIEW, TaskStatus.CONFIRMED)


class CheckResult(models.TextChoices):
    CONFIRMED = "confirmed", _("属实")
    NOT_CONFIRMED = "not_confirmed", _("不属实")


# Days a village has to check a finding, by its severity (核查时限).
DUE_DAYS = {"high": 15, "medium": 30, "low": 60}
