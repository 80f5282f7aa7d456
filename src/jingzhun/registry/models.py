"""Registered households, their members, yearly incomes, helpers, measures and status history.

Models hold invariants and derived predicates; every write goes through `services.py` (or the
import pipeline), which records the audit trail in the same transaction.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.models import ScopedQuerySet, TimeStampedModel

from . import choices as c

MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}
AREA_MU = {
    "max_digits": 10,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(0)],
}


class Household(TimeStampedModel):
    """A registered household (建档立卡贫困户), keyed by its household number within the county."""

    area_code_path = "village_id"

    number = models.CharField(_("户编号"), max_length=32, unique=True)
    village = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所在行政村"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": "village"},
    )
    hamlet = models.CharField(_("自然村/组"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=64, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=32, blank=True)
    identification_standard = models.CharField(
        _("识别标准"),
        max_length=16,
        choices=c.IdentificationStandard.choices,
        default=c.IdentificationStandard.NATIONAL,
    )
    kind = models.CharField(
        _("贫困户属性"),
        max_length=16,
        choices=c.Kind.choices,
        default=c.Kind.ORDINARY,
        db_index=True,
    )
    main_cause = models.CharField(
        _("主要致贫原因"), max_length=16, choices=c.Cause.choices, db_index=True
    )
    # Comma-separated Cause values, sorted: a plain column so every engine can read it.
    other_causes = models.CharField(_("其他致贫原因"), max_length=128, blank=True)
    entry_year = models.PositiveSmallIntegerField(_("识别年度"))
    exit_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    status = models.CharField(
        _("贫困户状态"),
        max_length=16,
        choices=c.Status.choices,
        default=c.Status.REGISTERED,
        db_index=True,
    )
    military_family = models.BooleanField(_("军烈属"), default=False)
    only_child = models.BooleanField(_("独生子女户"), default=False)
    two_daughters = models.BooleanField(_("双女户"), default=False)
    relocated = models.BooleanField(_("易地扶贫搬迁户"), default=False)
    relocation_method = models.CharField(
        _("搬迁安置方式"), max_length=16, blank=True, choices=c.RelocationMethod.choices
    )
    relocation_year = models.PositiveSmallIntegerField(_("搬迁年度"), null=True, blank=True)

    # Living and production conditions (生产生活条件)
    arable_land_mu = models.DecimalField(_("耕地面积(亩)"), **AREA_MU)
    irrigated_mu = models.DecimalField(_("有效灌溉面积(亩)"), **AREA_MU)
    forest_mu = models.DecimalField(_("林地面积(亩)"), **AREA_MU)
    returned_farmland_mu = models.DecimalField(_("退耕还林面积(亩)"), **AREA_MU)
    orchard_mu = models.DecimalField(_("林果面积(亩)"), **AREA_MU)
    pasture_mu = models.DecimalField(_("牧草地面积(亩)"), **AREA_MU)
    water_surface_mu = models.DecimalField(_("水面面积(亩)"), **AREA_MU)
    power_production = models.BooleanField(_("通生产用电"), default=True)
    power_living = models.BooleanField(_("通生活用电"), default=True)
    road_distance_km = models.DecimalField(
        _("与村主干路距离(公里)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    road_surface = models.CharField(
        _("入户路类型"), max_length=16, choices=c.RoadSurface.choices, default=c.RoadSurface.CEMENT
    )
    housing_area_m2 = models.DecimalField(
        _("住房面积(平方米)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    housing_grade = models.CharField(
        _("危房等级"),
        max_length=1,
        choices=c.HousingGrade.choices,
        default=c.HousingGrade.A,
        db_index=True,
    )
    water_difficulty = models.BooleanField(_("饮水困难"), default=False)
    water_safe = models.BooleanField(_("饮水安全"), default=True, db_index=True)
    fuel = models.CharField(
        _("主要燃料类型"), max_length=16, choices=c.Fuel.choices, default=c.Fuel.FIREWOOD
    )
    cooperative = models.BooleanField(_("加入农民专业合作社"), default=False)
    sanitary_toilet = models.BooleanField(_("有卫生厕所"), default=False)
    # 两不愁: assessed by the village on a home visit, recorded here as facts.
    food_secure = models.BooleanField(_("不愁吃"), default=True)
    clothing_secure = models.BooleanField(_("不愁穿"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("贫困户")
        verbose_name_plural = _("贫困户")
        # Village, then number: the (village, number) index serves scoped pages without a sort.
        ordering = ["village_id", "number"]
        # With the id the index alone answers "which ids are on page n" (see core/paging.py).
        indexes = [
            models.Index(fields=["village", "number", "id"], name="household_village_number_id"),
            # The registered-households list (status filter) within an area, in page order.
            models.Index(fields=["status", "village", "number"], name="household_status_village"),
        ]

    def __str__(self) -> str:
        return self.number

    def other_cause_list(self) -> list[str]:
        return [v for v in self.other_causes.split(",") if v]

    def head(self) -> Person | None:
        return next((p for p in self.members.all() if p.relation == c.Relation.HEAD), None)

    def is_poor(self) -> bool:
        """Counted as registered poor (numerator of incidence)."""
        return self.status in c.POOR_STATUSES


class Person(TimeStampedModel):
    """A member of a registered household; the ID number identifies them across the registry."""

    area_code_path = "household__village_id"

    household = models.ForeignKey(
        Household, verbose_name=_("所在户"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=64)
    id_number = models.CharField(_("证件号码"), max_length=18, unique=True)
    sex = models.CharField(_("性别"), max_length=8, choices=c.Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    relation = models.CharField(_("与户主关系"), max_length=20, choices=c.Relation.choices)
    ethnicity = models.CharField(_("民族"), max_length=16, default="汉族")
    political = models.CharField(
        _("政治面貌"), max_length=16, choices=c.Political.choices, default=c.Political.MASSES
    )
    education = models.CharField(
        _("文化程度"), max_length=16, choices=c.Education.choices, blank=True
    )
    schooling = models.CharField(
        _("在校生状况"), max_length=16, choices=c.Schooling.choices, default=c.Schooling.NONE
    )
    health = models.CharField(
        _("健康状况"), max_length=16, choices=c.Health.choices, default=c.Health.HEALTHY
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    disability_category = models.CharField(
        _("残疾类别"), max_length=16, blank=True, choices=c.DisabilityCategory.choices
    )
    labour = models.CharField(
        _("劳动技能"), max_length=16, choices=c.Labour.choices, default=c.Labour.ORDINARY
    )
    work_status = models.CharField(
        _("务工状况"), max_length=16, choices=c.WorkStatus.choices, default=c.WorkStatus.NONE
    )
    work_months = models.PositiveSmallIntegerField(
        _("务工时间(月)"), default=0, validators=[MaxValueValidator(12)]
    )
    medical_insured = models.BooleanField(_("参加城乡居民基本医疗保险"), default=True)
    serious_illness_insured = models.BooleanField(_("参加大病保险"), default=True)
    pension_insured = models.BooleanField(_("参加城乡居民基本养老保险"), default=False)
    dibao = models.BooleanField(_("享受低保"), default=False)
    destitute = models.BooleanField(_("特困供养"), default=False)
    active_soldier = models.BooleanField(_("现役军人"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relation="head"),
                name="person_one_head_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: datetime.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class PersonNameKey(models.Model):
    """A pinyin-initial search key of a person's name (张三 → zs); several per heteronym name."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(_("拼音首字母"), max_length=32)

    class Meta:
        verbose_name = _("姓名拼音键")
        verbose_name_plural = _("姓名拼音键")
        ordering = ["key"]
        indexes = [models.Index(fields=["key", "person"], name="person_name_key")]

    def __str__(self) -> str:
        return self.key


def per_capita(net: Decimal, members: int) -> Decimal:
    """Per-capita net income rounded to the fen; zero members gives zero."""
    if not members:
        return Decimal("0.00")
    return (Decimal(net) / members).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Income(TimeStampedModel):
    """A household's income for one year. Totals are derived by `recompute()` on every write."""

    area_code_path = "household__village_id"
    TRANSFER_PARTS = (
        "dibao_income",
        "destitute_income",
        "pension_income",
        "eco_compensation",
        "family_planning_award",
        "other_transfer",
    )

    household = models.ForeignKey(
        Household, verbose_name=_("贫困户"), on_delete=models.CASCADE, related_name="incomes"
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    members_count = models.PositiveSmallIntegerField(_("计算人口"))
    wage_income = models.DecimalField(_("工资性收入"), **MONEY)
    operating_income = models.DecimalField(_("生产经营性收入"), **MONEY)
    operating_expenses = models.DecimalField(_("生产经营性支出"), **MONEY)
    property_income = models.DecimalField(_("财产性收入"), **MONEY)
    dibao_income = models.DecimalField(_("低保金"), **MONEY)
    destitute_income = models.DecimalField(_("特困供养金"), **MONEY)
    pension_income = models.DecimalField(_("养老金"), **MONEY)
    eco_compensation = models.DecimalField(_("生态补偿金"), **MONEY)
    family_planning_award = models.DecimalField(_("计划生育金"), **MONEY)
    other_transfer = models.DecimalField(_("其他转移性收入"), **MONEY)
    transfer_income = models.DecimalField(_("转移性收入"), **MONEY)
    net_income = models.DecimalField(_("家庭纯收入"), **MONEY)
    income_per_capita = models.DecimalField(_("人均纯收入"), **MONEY)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("收入")
        verbose_name_plural = _("收入")
        ordering = ["household_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="income_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}/{self.year}"

    def recompute(self) -> None:
        """Derive transfer, net and per-capita income from the parts (the form's A17–A20)."""
        self.transfer_income = sum(
            (Decimal(getattr(self, f)) for f in self.TRANSFER_PARTS), Decimal("0")
        )
        self.net_income = (
            Decimal(self.wage_income)
            + Decimal(self.operating_income)
            - Decimal(self.operating_expenses)
            + Decimal(self.property_income)
            + self.transfer_income
        )
        self.income_per_capita = per_capita(self.net_income, self.members_count)


class Helper(TimeStampedModel):
    """A helper (帮扶责任人) assigned to the household."""

    area_code_path = "household__village_id"

    household = models.ForeignKey(
        Household, verbose_name=_("贫困户"), on_delete=models.CASCADE, related_name="helpers"
    )
    name = models.CharField(_("姓名"), max_length=64)
    unit = models.CharField(_("工作单位"), max_length=128)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶责任人")
        verbose_name_plural = _("帮扶责任人")
        ordering = ["household_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["household", "name", "unit"], name="helper_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Measure(TimeStampedModel):
    """An assistance measure (帮扶措施) the household received."""

    area_code_path = "household__village_id"

    household = models.ForeignKey(
        Household, verbose_name=_("贫困户"), on_delete=models.CASCADE, related_name="measures"
    )
    kind = models.CharField(_("措施类别"), max_length=16, choices=c.MeasureKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("金额(元)"), **MONEY)
    description = models.CharField(_("内容"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["household_id", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "kind", "year", "description"], name="measure_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"


class StatusChange(models.Model):
    """A dated entry of the household's status history (registered → exited → …)."""

    area_code_path = "household__village_id"

    household = models.ForeignKey(
        Household, verbose_name=_("贫困户"), on_delete=models.CASCADE, related_name="status_changes"
    )
    date = models.DateField(_("日期"))
    old_status = models.CharField(_("原状态"), max_length=16, choices=c.Status.choices, blank=True)
    new_status = models.CharField(_("新状态"), max_length=16, choices=c.Status.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # users who acted are deactivated, never deleted
        related_name="+",
    )
    recorded = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["household_id", "date", "id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.old_status}→{self.new_status}"
