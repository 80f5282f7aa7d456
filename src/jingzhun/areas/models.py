"""The administrative tree: a materialised path of 12-digit area codes."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun import areacodes
from jingzhun.core.models import ScopedQuerySet, TimeStampedModel

from .choices import Level
from .validation import check_area


def exited_by(year: int) -> models.Q:
    """Poor villages whose exit was announced in or before `year`: the ONE definition of an
    exited poor village, used by every report (the engine's village input says the same)."""
    return models.Q(poor_village=True, poor_village_exited_on__lt=datetime.date(year + 1, 1, 1))


def open_by(year: int) -> models.Q:
    """Poor villages not yet exited in `year` (planned or not)."""
    return models.Q(poor_village=True) & ~models.Q(
        poor_village_exited_on__lt=datetime.date(year + 1, 1, 1)
    )


def planned_in(year: int) -> models.Q:
    """Poor villages planned to exit in `year` that had not exited by then."""
    return open_by(year) & models.Q(poor_village_planned_exit_year=year)


class Area(TimeStampedModel):
    """Province → city → county → township → village. The code is the key and the path.

    Villages carry what the village exit standard needs; counties what the county standard needs.
    Attributes that do not apply to a level stay empty.
    """

    area_code_path = "code"

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    # Village attributes (贫困村 and the village exit standard)
    rural_population = models.PositiveIntegerField(_("农村户籍人口"), null=True, blank=True)
    poor_village = models.BooleanField(_("贫困村"), default=False)
    # Two facts, never one field: the exit that happened (its announcement's date, set by the
    # village-exit procedure or loaded for history) and the year the county plans it for.
    poor_village_exited_on = models.DateField(_("贫困村出列日期"), null=True, blank=True)
    poor_village_planned_exit_year = models.PositiveSmallIntegerField(
        _("贫困村计划出列年度"), null=True, blank=True
    )
    hardened_road = models.BooleanField(_("通硬化路"), null=True, blank=True)
    safe_water = models.BooleanField(_("通自来水或安全饮水"), null=True, blank=True)
    grid_power = models.BooleanField(_("通动力电"), null=True, blank=True)
    broadband = models.BooleanField(_("通宽带或4G"), null=True, blank=True)
    radio_tv = models.BooleanField(_("通广播电视"), null=True, blank=True)
    clinic_with_doctor = models.BooleanField(_("有卫生室及执业医生"), null=True, blank=True)
    public_space = models.BooleanField(_("有公共活动场所"), null=True, blank=True)
    collective_income = models.DecimalField(
        _("村集体经济收入(元/年)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    # County attributes (the county exit standard)
    rural_income_per_capita = models.DecimalField(
        _("农村居民人均可支配收入(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    rural_income_growth = models.DecimalField(
        _("农村居民人均可支配收入增幅(%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    province_income_growth = models.DecimalField(
        _("全省农村居民人均可支配收入增幅(%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    education_balance_year = models.PositiveSmallIntegerField(
        _("义务教育发展基本均衡县认定年度"), null=True, blank=True
    )
    # Printed on every public notice (公示) of the county: the supervision hotline (empty: the
    # national 12317, settings.SUPERVISION_PHONE) and where objections may be handed in.
    supervision_phone = models.CharField(_("监督举报电话"), max_length=32, blank=True)
    objection_address = models.CharField(_("异议受理地址"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="area_unique_sibling_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The code decides the level and the parent (a township under its own county, a village
        under its own township); exit facts only on poor villages (`validation.check_area`)."""
        values = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}
        errors: dict[str, list[str]] = {}
        for problem in check_area(values, timezone.localdate()):
            name = "parent" if problem.field == "parent_id" else problem.field
            errors.setdefault(name, []).append(problem.message)
        if errors:
            raise ValidationError(errors)

    def has_exited(self, year: int) -> bool:
        """A poor village counts as exited in `year` once its exit was announced in or before
        that year (the same definition as `exited_by` and the engine's village input)."""
        return bool(
            self.poor_village
            and self.poor_village_exited_on
            and self.poor_village_exited_on.year <= year
        )

    @property
    def prefix(self) -> str:
        """The code prefix shared by this area and every area under it."""
        return areacodes.prefix(self.code, self.level)

    def ancestors(self) -> list[Area]:
        """From the province down to the parent, in one query."""
        codes = []
        code = areacodes.parent_code(self.code)
        while code:
            codes.append(code)
            code = areacodes.parent_code(code)
        return list(Area.objects.filter(code__in=codes).order_by("code"))

    def full_name(self) -> str:
        return "".join(a.name for a in self.ancestors()) + self.name
