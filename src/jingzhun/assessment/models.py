"""Stored assessment runs: one run of a standard over the registry, its verdict per entity (with
every indicator's value) and a result row per UNMET indicator and entity (the sentence saying
why). Rows are written in bulk by `services.run_assessment` only.

Layout (migration 0004, issue #3): a run of 3.5 M persons stores ~0.9 M verdicts and ~0.3 M
indicator results instead of 6.6 M rows. A met indicator has no IndicatorResult row: its value is
in `Verdict.indicator_values`, its threshold in `AssessmentRun.thresholds` (the same for every
entity of a level). The rows point at their run without a database constraint (`delete_run`
deletes them explicitly): PostgreSQL checked a deferred constraint row by row at commit."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun import areacodes
from jingzhun.core.models import ScopedQuerySet

from .choices import STOPPABLE, Engine, Level, Status, Step

# Indicator values are stored as integers in 1/SCALE units (standards.compiler.SCALE): exact and
# written identically by every engine. A yes/no indicator stores SCALE (yes) or 0 (no).
SCALE = 10_000


def containing_codes(scope: str) -> list[str]:
    """'' and the 12-digit codes of the area whose prefix is `scope` and of its ancestors: the
    roots of every run whose subtree contains that area (computed from the code, no query)."""
    lengths = sorted(set(areacodes.PREFIX_LENGTH.values()))
    return ["", *(areacodes.pad(scope[:n]) for n in lengths if n <= len(scope))]


class RunQuerySet(ScopedQuerySet):
    def readable_by(self, user: Any) -> RunQuerySet:
        """For the read-only report pages: the runs `visible_to(user)` plus the FINISHED runs
        whose root contains the user's area (a county-wide run read by a township or village
        user). Only the run row is widened: the reports read verdicts and results through their
        own `visible_to`, so such a user sees their own rows only. Never for changes (start,
        stop, cancel, delete stay on `visible_to`). An unfinished wider run is left out: it has
        no report yet, and its status and error concern the whole run. One query (a range or
        a few codes, both indexed)."""
        own = self.visible_to(user)
        active = user is not None and user.is_authenticated and user.is_active
        scope = user.scope_prefix() if active else None
        if not scope:  # no scope (nothing) or the whole scope (everything): as visible_to
            return own
        wider = self.filter(status=Status.FINISHED, area_code__in=containing_codes(scope))
        return own | wider


class AssessmentRun(models.Model):
    """`area_code` is the assessed subtree (the 12-digit code of its root, '' = everything), so a
    user sees (`visible_to`) and manages the runs of their subtree and of areas under it, and
    reads (`readable_by`) the finished runs of an area above theirs, limited to their rows."""

    area_code_path = "area_code"

    standard_id = models.CharField(_("退出标准"), max_length=64)
    standard_version = models.CharField(_("标准版本"), max_length=32)
    year = models.PositiveSmallIntegerField(_("评估年度"))
    engine = models.CharField(_("计算引擎"), max_length=16, choices=Engine.choices)
    area_code = models.CharField(_("评估范围区划代码"), max_length=12, blank=True, db_index=True)
    data_date = models.DateTimeField(_("数据读取时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    started = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished = models.DateTimeField(_("结束时间"), null=True, blank=True)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    # {level: [[indicator id, threshold or null], ...]} in the order of Verdict.indicator_values.
    thresholds = models.JSONField(_("标准值"), default=dict, blank=True)
    # The last progress message of a running run, read by the page that polls it.
    progress = models.CharField(_("进度"), max_length=200, blank=True)
    # The step as a code (shown in the reader's language) and the share of the run done.
    step = models.CharField(_("当前步骤"), max_length=16, choices=Step.choices, blank=True)
    percent = models.PositiveSmallIntegerField(_("完成百分比"), default=0)
    # Written at every progress step of a running run (its heartbeat): a run whose worker died
    # stops moving, and `services.stop_run` may then mark it failed (settings.RUN_STALE_MINUTES).
    updated = models.DateTimeField(_("进度更新时间"), auto_now=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        related_name="+",
    )

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估运行")
        verbose_name_plural = _("评估运行")
        ordering = ["-started", "-id"]

    def __str__(self) -> str:
        return f"{self.standard_id} {self.year} #{self.pk}"

    @property
    def is_stale(self) -> bool:
        """Running (or asked to stop) but without progress for settings.RUN_STALE_MINUTES: its
        worker is taken as dead (a run checks in at every step, each takes seconds to minutes);
        `services.stop_run` then marks it failed."""
        limit = timezone.now() - datetime.timedelta(minutes=settings.RUN_STALE_MINUTES)
        return self.status in STOPPABLE and self.updated < limit

    def wider_than(self, scope: str | None) -> bool:
        """Whether the run's root is broader than the user's area `scope` (a run read through
        `readable_by`, not `visible_to`): its stored `counts` cover more than the user may see."""
        return bool(scope) and not self.area_code.startswith(scope or "")

    def indicator_ids(self, level: str) -> list[str]:
        """The level's indicators in the order of `Verdict.indicator_values`."""
        return [pair[0] for pair in self.thresholds.get(level, [])]

    def threshold_of(self, level: str, indicator: str) -> float | None:
        """The indicator's threshold in this run (None: yes/no indicator, or not in the run)."""
        for ind, threshold in self.thresholds.get(level, []):
            if ind == indicator:
                return threshold
        return None


def parse_values(text: str, ids: list[str]) -> dict[str, float | None]:
    """{indicator: value} of a `Verdict.indicator_values` text ("12345,,10000") given the run's
    indicator ids in order; '' is no value (NULL). Values as the results store them: a yes/no
    indicator is 1.0 / 0.0."""
    values: dict[str, float | None] = {}
    for ind, part in zip(ids, (text or "").split(","), strict=False):
        values[ind] = int(part) / SCALE if part else None
    return values


class Verdict(models.Model):
    """Met or not, per entity of a level. `area_code`: the village code for a household.
    `indicator_values`: every indicator's compared value, integers in 1/SCALE units separated by
    commas in the order of `run.thresholds[level]`, empty where there is no value.

    No database constraint on `run` (nor on `household`, whose ORM `SET_NULL` still applies):
    see the module docstring. Neither column has an index of its own: the composite index
    starts with `run`; a household's verdicts are found by `entity` per run (so deleting a
    household, rare, scans the verdicts to clear `household`)."""

    area_code_path = "area_code"

    run = models.ForeignKey(
        AssessmentRun,
        verbose_name=_("评估运行"),
        on_delete=models.CASCADE,
        related_name="verdicts",
        db_constraint=False,
        db_index=False,
    )
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    entity = models.CharField(_("对象"), max_length=32)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("贫困户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verdicts",
        db_constraint=False,
        db_index=False,
    )
    area_code = models.CharField(_("区划代码"), max_length=12)
    met = models.BooleanField(_("达标"))
    unmet = models.CharField(_("未达标指标"), max_length=500, blank=True)
    indicator_values = models.TextField(_("指标值"), blank=True, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估结论")
        verbose_name_plural = _("评估结论")
        indexes = [
            # A run's verdicts of a level (every report; met is filtered on those rows), one
            # entity's (village / county cells, a household's history: entity is its id as
            # text), and comparisons joining two runs on entity. Nothing else is indexed: each
            # index costs seconds per 0.9 M verdicts stored, (household, run) most of all (its
            # entries land between every earlier run's, all over the index; migration 0005).
            models.Index(fields=["run", "level", "entity"], name="assess_verdict_run_entity"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.entity}"

    @property
    def unmet_ids(self) -> list[str]:
        return [i for i in self.unmet.split(",") if i]

    def values_by_indicator(self) -> dict[str, float | None]:
        """{indicator: value} (reads `self.run`: select it along for a list)."""
        return parse_values(self.indicator_values, self.run.indicator_ids(self.level))


class IndicatorResult(models.Model):
    """One UNMET indicator of one entity: the compared value, the threshold and the sentence
    explaining it (both languages). A met indicator has no row (since migration 0004; `met` is
    always False). `area_code` as in Verdict, so the rows are scoped like the verdicts."""

    area_code_path = "area_code"

    run = models.ForeignKey(
        AssessmentRun,
        verbose_name=_("评估运行"),
        on_delete=models.CASCADE,
        related_name="results",
        db_constraint=False,
        db_index=False,
    )
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    entity = models.CharField(_("对象"), max_length=32)
    area_code = models.CharField(_("区划代码"), max_length=12)
    indicator = models.CharField(_("指标"), max_length=64)
    value = models.FloatField(_("指标值"), null=True, blank=True)
    threshold = models.FloatField(_("标准值"), null=True, blank=True)
    met = models.BooleanField(_("达标"))
    explanation_zh = models.TextField(_("说明(中文)"), blank=True)
    explanation_en = models.TextField(_("说明(英文)"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标结果")
        verbose_name_plural = _("指标结果")
        indexes = [
            # One entity's sentences (household page, drill-down lists, comparisons); a run's
            # rows (deleting a run, the blockers of the `assess` command).
            models.Index(fields=["run", "entity"], name="assess_result_run_entity"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.indicator}"
