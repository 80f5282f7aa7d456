"""Department datasets: one loaded file (its provenance) and its rows in typed slots.

Every kind's rows live in one table (`DatasetRow`): the person key (ID number or its keyed token,
name, birth date, area) and typed slots the kind's TOML maps its columns to
(standards/dataset_kinds.py). Typed columns, not JSON, so comparison rules compile to plain
comparisons on SQLite, PostgreSQL, DuckDB and Spark alike.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.models import ScopedQuerySet

from .choices import (
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
from .duplicates.choices import Basis, PairKind, PairStatus


class Dataset(models.Model):
    """One department file as loaded (一次数据交换): who gave it, who loaded it, when, what it
    held. Visible within the area it was loaded for (the loader's own area or below). A later
    file of the same kind, year and area supersedes it (`current` False); the rows stay, so a
    finding keeps its evidence."""

    area_code_path = "area_id"

    kind = models.CharField(_("数据类型"), max_length=32, db_index=True)
    year = models.PositiveSmallIntegerField(_("数据年度"))
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("适用区划"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField(_("提供部门"), max_length=100)
    received_on = models.DateField(_("接收日期"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        null=True,  # the command line
        related_name="+",
    )
    loaded = models.DateTimeField(_("导入时间"), auto_now_add=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    checksum = models.CharField(_("文件校验值（SHA-256）"), max_length=64)
    rows = models.PositiveIntegerField(_("行数"))
    key_id = models.CharField(
        _("令牌密钥标识"),
        max_length=16,
        blank=True,
        help_text=_("部门以密钥把证件号码换成令牌后提交时，所用密钥的公开标识"),
    )
    # The registry's tokens were computed with this file's agreement key and matched
    # (comparison/linkage): only then does a token that matched nobody mean "not registered".
    tokens_linked = models.BooleanField(_("已按令牌匹配"), default=False)
    current = models.BooleanField(_("当前有效"), default=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门数据")
        verbose_name_plural = _("部门数据")
        ordering = ["-loaded", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "area", "checksum"], name="dataset_file_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year} {self.file_name}"


class DatasetRow(models.Model):
    """One row of a department's file. `id_number` is normalised (18 characters); a tokenised
    file fills `id_token` instead and no raw number is stored. `id_valid` False: the number
    failed its check, so only the name, birth date and area can link the row."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="row_set")
    row = models.PositiveIntegerField(_("行号"))
    id_number = models.CharField(_("证件号码"), max_length=18, blank=True, db_index=True)
    id_token = models.CharField(_("证件号码令牌"), max_length=64, blank=True, db_index=True)
    id_valid = models.BooleanField(_("证件号码有效"), default=True)
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    area_code = models.CharField(_("区划代码"), max_length=12, blank=True)
    category = models.CharField(_("类别"), max_length=32, blank=True)
    status = models.CharField(_("状态"), max_length=32, blank=True)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    flag = models.BooleanField(_("是否"), null=True, blank=True)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount2 = models.DecimalField(
        _("金额2"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    count = models.IntegerField(_("数量"), null=True, blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    date2 = models.DateField(_("日期2"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)

    class Meta:
        verbose_name = _("部门数据行")
        verbose_name_plural = _("部门数据行")
        ordering = ["dataset_id", "row"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "row"], name="dataset_row_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}#{self.row}"


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
    theirs for the same reason)."""

    area_code_path = "area_code"

    ruleset = models.CharField(_("规则集"), max_length=32)
    rule = models.CharField(_("规则"), max_length=64, db_index=True)
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
        db_index=True,
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
    )
    resolved_run = models.ForeignKey(
        ComparisonRun,
        verbose_name=_("消除于"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # see the class docstring
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("比对发现")
        verbose_name_plural = _("比对发现")
        ordering = ["area_code", "rule", "pk"]
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
    who checked to agree before it closes."""

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
        db_index=True,
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
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
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
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("核查任务")
        verbose_name_plural = _("核查任务")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.finding.rule}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASKS


class DuplicatePair(models.Model):
    """疑似重复: two registered persons of one county with different ID numbers but the same
    birth date and name reading, or two households of one county sharing such a member where
    one was created within days of the other's status change (split or merged). `key` is the
    ordered pair of ids, so detecting again never makes a second pair; `area_code` is the
    smallest area holding both (the village, else the township, else the county): a pair
    across two villages is reviewed at township level. `shown` keeps both sides as they were
    found (names and ID numbers masked), so a decided pair still reads after a merge."""

    area_code_path = "area_code"

    kind = models.CharField(_("类型"), max_length=16, choices=PairKind.choices, db_index=True)
    key = models.CharField(_("重复标识"), max_length=64, unique=True)
    basis = models.CharField(_("相同依据"), max_length=16, choices=Basis.choices)
    area_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    first_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("成员一"),
        on_delete=models.SET_NULL,  # removed by a merge: `shown` keeps what it was
        null=True,
        blank=True,
        related_name="+",
    )
    second_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("成员二"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    first_household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户一"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    second_household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户二"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    shown = models.JSONField(_("比对信息"), default=dict, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PairStatus.choices,
        default=PairStatus.OPEN,
        db_index=True,
    )
    reason = models.TextField(_("核实意见"), blank=True)
    kept_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("保留的成员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The member a merge removed (deleted through registry.services.delete_person, whose audit
    # entry carries its values); a plain number because the row itself is gone.
    removed_person_id = models.PositiveIntegerField(_("删除的成员编号"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        null=True,
        blank=True,
        related_name="+",
    )
    decided = models.DateTimeField(_("核实时间"), null=True, blank=True)
    first_found = models.DateTimeField(_("首次发现"))
    last_found = models.DateTimeField(_("最近发现"))
    gone = models.DateTimeField(_("消除时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        ordering = ["area_code", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.key}"


# Defined in the linkage package (its own sub-domain); imported here so the app registers it.
from .linkage.models import RowLink  # noqa: E402, F401
