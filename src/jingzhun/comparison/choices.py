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


# Row links (`RowLink`): how a department row was linked to a person, and whether a person
# has decided on it.


class Method(models.TextChoices):
    # The compiler joins a raw valid ID number to the person directly: no link row is stored for
    # it (it would copy every matching row); the value names that path where links are listed.
    EXACT = "exact", _("证件号码一致")
    TOKEN = "token", _("令牌一致")  # noqa: S105 - a choice label, not a password
    FUZZY = "fuzzy", _("姓名、出生日期和区划相近")


class LinkStatus(models.TextChoices):
    POSSIBLE = "possible", _("可能匹配（待确认）")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已否定")


# The duplicates review (疑似重复).


class PairKind(models.TextChoices):
    PERSON = "person", _("人员疑似重复")
    HOUSEHOLD = "household", _("户疑似拆分或合并")


class Basis(models.TextChoices):
    NAME = "name", _("姓名相同")
    READING = "reading", _("姓名拼音首字母相同")


class PairStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    NOT_DUPLICATE = "not_duplicate", _("不是重复")
    MERGED = "merged", _("已合并")
    # A household pair confirmed as the same family: it is settled by the registry's procedures
    # (a deregistration, a member's removal), not by merging two households here.
    CONFIRMED = "confirmed", _("确认重复")
    # A later detection no longer finds it (a person removed, a name or birth date corrected).
    GONE = "gone", _("原因已消除")
