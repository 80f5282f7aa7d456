"""Stored assessment runs: one run of a standard over the registry, its verdict per entity and its
result per indicator and entity. Rows are written in bulk by `services.run_assessment` only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.models import ScopedQuerySet

from .choices import Engine, Level, Status


class AssessmentRun(models.Model):
    """`area_code` is the assessed subtree (the 12-digit code of its root, '' = everything), so a
    user sees the runs of their subtree and of areas under it."""

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
    # The last progress message of a running run, read by the page that polls it.
    progress = models.CharField(_("进度"), max_length=200, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估运行")
        verbose_name_plural = _("评估运行")
        ordering = ["-started", "-id"]

    def __str__(self) -> str:
        return f"{self.standard_id} {self.year} #{self.pk}"


class Verdict(models.Model):
    """Met or not, per entity of a level. `area_code`: the village code for a household."""

    area_code_path = "area_code"

    run = models.ForeignKey(
        AssessmentRun, verbose_name=_("评估运行"), on_delete=models.CASCADE, related_name="verdicts"
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
    )
    area_code = models.CharField(_("区划代码"), max_length=12)
    met = models.BooleanField(_("达标"))
    unmet = models.CharField(_("未达标指标"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估结论")
        verbose_name_plural = _("评估结论")
        indexes = [
            models.Index(fields=["run", "level", "met"], name="assess_verdict_run_level_met"),
            models.Index(fields=["household", "run"], name="assess_verdict_household_run"),
            # Comparing two runs joins their verdicts on (level, entity).
            models.Index(fields=["run", "level", "entity"], name="assess_verdict_run_entity"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.entity}"

    @property
    def unmet_ids(self) -> list[str]:
        return [i for i in self.unmet.split(",") if i]


class IndicatorResult(models.Model):
    """One indicator of one entity: the compared value, the threshold, met, and the sentence
    explaining it when not met (both languages, '' when met). `area_code` as in Verdict, so the
    rows are scoped like the verdicts."""

    area_code_path = "area_code"

    run = models.ForeignKey(
        AssessmentRun, verbose_name=_("评估运行"), on_delete=models.CASCADE, related_name="results"
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
            models.Index(
                fields=["run", "level", "indicator", "met"], name="assess_result_run_ind_met"
            ),
            # One entity's sentences (household page, drill-down lists, comparisons).
            models.Index(fields=["run", "entity"], name="assess_result_run_entity"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.indicator}"
