"""Comparison runs, their findings and the verification tasks they send to the villages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.models import ScopedQuerySet

from ..choices import (
    LIVE,
    OPEN_TASKS,
    CheckResult,
    Engine,
    FindingStatus,
    Meaning,
    RunStatus,
    Severity,
    TaskStatus,
)
from .datasets import DatasetRow


class ComparisonRun(models.Model):
    """One evaluation of a ruleset for a year and an area: which rules (version and checksum of
    the file), which datasets, what it found. Run by the task worker; scoped by its area."""

    area_code_path = "area_id"

    ruleset = models.CharField(_("规则集"), max_length=32)
    ruleset_version = models.CharField(_("规则集版本"), max_length=32)
    ruleset_checksum = models.CharField(_("规则文件校验值"), max_length=64)
    year = models.PositiveSmallIntegerField(_("比对年度"))
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("比对范围"),
        on_delete=models.PROTECT,
        null=True,  # the whole database (the command line, a superuser)
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=RunStatus.choices,
        default=RunStatus.QUEUED,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        null=True,  # the command line
        related_name="+",
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)
    engine = models.CharField(
        _("计算引擎"), max_length=16, choices=Engine.choices, default=Engine.DB
    )
    rules_done = models.PositiveIntegerField(_("已完成规则数"), default=0)
    rules_total = models.PositiveIntegerField(_("规则数"), default=0)
    datasets = models.JSONField(_("使用的部门数据"), default=list, blank=True)
    counts = models.JSONField(_("各规则结果"), default=dict, blank=True)
    error = models.TextField(_("错误信息"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("比对批次")
        verbose_name_plural = _("比对批次")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.ruleset} {self.year} {self.area_id}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    @property
    def percent(self) -> int:
        if self.status == RunStatus.FINISHED:
            return 100
        return self.rules_done * 100 // self.rules_total if self.rules_total else 0


class Finding(models.Model):
    """One discrepancy a rule found: the person or household (or a department row that matches
    nobody registered), the rule, the department row, the values and the sentence. `key` names
    the cause (rule, person, the department row's natural key): a later run that finds it again
    updates `last_run`; one that no longer finds it marks it resolved.

    Its references have no database constraint (the ORM's CASCADE / SET_NULL still apply, and
    every deletion of a person, household, row or run goes through the ORM): a first run at
    3.5 M persons writes 172 k findings, and PostgreSQL checked their five deferred constraints
    row by row at commit — 7.9 s of a 33 s run (as the assessment's verdicts, which dropped
    theirs for the same reason). Only the columns pages and runs look up are indexed: each
    index costs every one of those 172 k rows an insert (the latest and resolving run are
    read through the finding, never looked up; rule and status are never matched by LIKE)."""

    area_code_path = "area_code"

    ruleset = models.CharField(_("规则集"), max_length=32)
    rule = models.CharField(_("规则"), max_length=64)  # indexed in Meta: no LIKE index
    meaning = models.CharField(_("问题类型"), max_length=16, choices=Meaning.choices)
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity.choices)
    key = models.CharField(_("问题标识"), max_length=255)
    area_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("成员"),
        on_delete=models.SET_NULL,  # a member removed later: the finding keeps its sentence
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # see the class docstring
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("贫困户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # see the class docstring
    )
    dataset_row = models.ForeignKey(
        DatasetRow,
        verbose_name=_("部门数据行"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # see the class docstring
    )
    values = models.JSONField(_("比对值"), default=dict, blank=True)
    sentence = models.CharField(_("问题描述"), max_length=500)
    sentence_en = models.CharField(_("问题描述（英文）"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=FindingStatus.choices,
        default=FindingStatus.OPEN,
    )
    first_run = models.ForeignKey(
        ComparisonRun,
        verbose_name=_("首次发现"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,  # see the class docstring
    )
    last_run = models.ForeignKey(
        ComparisonRun,
        verbose_name=_("最近发现"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,  # see the class docstring
        db_index=False,  # see the class docstring
    )
    resolved_run = models.ForeignKey(
        ComparisonRun,
        verbose_name=_("消除于"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # see the class docstring
        db_index=False,  # see the class docstring
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("比对发现")
        verbose_name_plural = _("比对发现")
        ordering = ["area_code", "rule", "pk"]
        indexes = [
            models.Index(fields=["rule"], name="finding_rule"),
            models.Index(fields=["status"], name="finding_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ruleset", "rule", "key"],
                condition=models.Q(status="open"),
                name="finding_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.sentence[:40]}"


class VerificationTask(models.Model):
    """核查任务: a finding sent to the village (or, without a village, the area it was found in)
    to check on site by a deadline set by its severity. Checked as 属实 it awaits its action
    (a procedure, a correction); checked as 不属实 it needs a township user other than the one
    who checked to agree before it closes.

    Its people, procedure and change are shown from the task, never looked up: unindexed, as
    a first run writes 172 k tasks at 3.5 M persons, each index an insert per task."""

    area_code_path = "area_code"

    finding = models.OneToOneField(
        Finding,
        verbose_name=_("比对发现"),
        on_delete=models.CASCADE,  # by the ORM, as every deletion of a finding
        related_name="task",
        # No database constraint, as Finding's references: a first run writes 172 k tasks at
        # 3.5 M persons, whose deferred checks PostgreSQL ran row by row at commit (~1 s).
        db_constraint=False,
    )
    area_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    due = models.DateField(_("核查时限"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=TaskStatus.choices,
        default=TaskStatus.ASSIGNED,
    )
    result = models.CharField(_("核查结果"), max_length=16, choices=CheckResult.choices, blank=True)
    note = models.TextField(_("核查情况"), blank=True)
    checked_on = models.DateField(_("核查日期"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # never looked up: see the class docstring
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # never looked up: see the class docstring
    )
    reviewed_on = models.DateField(_("复核日期"), null=True, blank=True)
    review_note = models.TextField(_("复核意见"), blank=True)
    closed_note = models.CharField(_("办结情况"), max_length=300, blank=True)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("启动的程序"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # never looked up: see the class docstring
    )
    # The registry change the task made (a member removed, a field corrected, an applicant
    # registered): its audit entry, so the task shows what changed, when and by whom.
    change = models.ForeignKey(
        "audit.AuditEntry",
        verbose_name=_("登记变更"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # never looked up: see the class docstring
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("核查任务")
        verbose_name_plural = _("核查任务")
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["status"], name="task_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.finding.rule}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASKS
