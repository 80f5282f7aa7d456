"""One FilterSet per model, shared by the list pages, the API and exports."""

from __future__ import annotations

import datetime
import re

import django_filters as df
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun import areacodes, idcodes, namekeys, povertylines
from jingzhun.core.filters import AreaCodeFilter, FilterSet, YearFilter

from . import choices as c
from .models import Helper, Household, Income, Measure, Person, PersonNameKey

GAP_CHOICES = [
    ("income", _("收入未超过贫困线")),
    ("food", _("吃未保障")),
    ("clothing", _("穿未保障")),
    ("education", _("义务教育阶段辍学")),
    ("medical", _("有成员未参加基本医保")),
    ("housing", _("住房不安全（C/D级危房）")),
    ("water", _("饮水不安全")),
]


def years_ago(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def dropout_exists(day: datetime.date | None = None) -> Exists:
    """A member aged 6–15 on `day` who is not in school (a compulsory-education dropout)."""
    day = day or timezone.localdate()
    low, high = c.COMPULSORY_AGE
    return Exists(
        Person.objects.filter(
            household=OuterRef("pk"),
            birth_date__lte=years_ago(day, low),
            birth_date__gt=years_ago(day, high + 1),
        ).exclude(schooling__in=c.COMPULSORY_SCHOOLING)
    )


def income_gap_exists(year: int) -> Exists:
    return Exists(
        Income.objects.filter(
            household=OuterRef("pk"), year=year, income_per_capita__lte=povertylines.line(year)
        )
    )


def gap_q(gap: str, year: int) -> Q | Exists:
    """The condition 'this household has the basic-needs gap `gap`'."""
    return {
        "income": lambda: income_gap_exists(year),
        "food": lambda: Q(food_secure=False),
        "clothing": lambda: Q(clothing_secure=False),
        # Ages on the last day of the year assessed, as the household survey records them.
        "education": lambda: dropout_exists(datetime.date(year, 12, 31)),
        "medical": lambda: Exists(
            Person.objects.filter(household=OuterRef("pk"), medical_insured=False)
        ),
        "housing": lambda: Q(housing_grade__in=c.UNSAFE_HOUSING_GRADES),
        "water": lambda: Q(water_safe=False),
    }[gap]()


def latest_income_year() -> int:
    """The newest year with recorded incomes (last calendar year when there are none)."""
    latest = Income.objects.aggregate(latest=Max("year"))["latest"]
    return latest or timezone.localdate().year - 1


def area_range(code: str) -> tuple[str, str]:
    """[low, high) of 12-digit codes in the subtree of `code` (an index range, not LIKE)."""
    return areacodes.prefix_range(areacodes.prefix(code))


# `\d` on purpose (not [0-9]): this guard keeps numbers out of URLs, so it errs wide and also
# catches Arabic-Indic digits; full-width ones (１２Ｘ) are folded to ASCII first.
_ID_LIKE = re.compile(r"^(\d{15}|\d{17}[\dXx]?)$")


def looks_like_id_number(query: str) -> bool:
    """ID numbers (and 17-digit bodies) are never accepted in a GET query string: they would
    land in logs and browser history. 16-digit household numbers are not ID-like."""
    return bool(_ID_LIKE.match(idcodes.fold(query)))


def search_persons(query: str) -> QuerySet[Person]:
    """Persons whose name, pinyin initials or household number match `query` (not ID numbers)."""
    query = query.strip()
    if not query or looks_like_id_number(query):
        return Person.objects.none()
    if namekeys.looks_like_initials(query):
        key = query.lower()
        keys = PersonNameKey.objects.filter(key__gte=key, key__lt=key + "{").values("person_id")
        return Person.objects.filter(pk__in=keys)
    return Person.objects.filter(name__startswith=query)


class HouseholdFilter(FilterSet):
    # distinct=False throughout: these filters join nothing, and SELECT DISTINCT over every
    # column costs hundreds of milliseconds at a million rows.
    area = AreaCodeFilter(method="filter_area", label=_("区划代码"))
    status = df.MultipleChoiceFilter(
        distinct=False, choices=c.Status.choices, label=_("贫困户状态")
    )
    kind = df.MultipleChoiceFilter(distinct=False, choices=c.Kind.choices, label=_("贫困户属性"))
    main_cause = df.MultipleChoiceFilter(
        distinct=False, choices=c.Cause.choices, label=_("主要致贫原因")
    )
    gap = df.MultipleChoiceFilter(
        distinct=False, choices=GAP_CHOICES, method="filter_gap", label=_("两不愁三保障及收入缺口")
    )
    # From the first year with a poverty line: the income gap compares with that year's line.
    year = YearFilter(
        method="filter_noop", min_value=min(povertylines.table("national")), label=_("收入年度")
    )
    q = df.CharFilter(method="filter_q", label=_("姓名、拼音首字母或户编号"))

    class Meta:
        model = Household
        fields = [
            "area",
            "status",
            "kind",
            "main_cause",
            "gap",
            "q",
            "entry_year",
            "exit_year",
            "housing_grade",
            "relocated",
        ]

    def filter_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value or not (value.isascii() and value.isdigit()):
            return queryset
        low, high = area_range(value)
        return queryset.filter(village_id__gte=low, village_id__lt=high)

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset

    def income_year(self) -> int:
        year = self.form.cleaned_data.get("year") if hasattr(self.form, "cleaned_data") else None
        return int(year) if year else latest_income_year()

    def filter_gap(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        for gap in value:
            queryset = queryset.filter(gap_q(gap, self.income_year()))
        return queryset

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        if looks_like_id_number(value):
            return queryset.none()
        by_person = Q(pk__in=search_persons(value).values("household_id"))
        if value.isdigit() or value.isalnum() and not value.isalpha():
            return queryset.filter(by_person | Q(number__startswith=value))
        return queryset.filter(by_person)


class PersonFilter(FilterSet):
    area = AreaCodeFilter(method="filter_area", label=_("区划代码"))
    q = df.CharFilter(method="filter_q", label=_("姓名或拼音首字母"))

    class Meta:
        model = Person
        fields = [
            "area",
            "household",
            "sex",
            "relation",
            "health",
            "schooling",
            "labour",
            "medical_insured",
            "pension_insured",
            "dibao",
            "destitute",
            "q",
        ]

    def filter_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value or not (value.isascii() and value.isdigit()):
            return queryset
        low, high = area_range(value)
        return queryset.filter(household__village_id__gte=low, household__village_id__lt=high)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return (
            queryset.filter(pk__in=search_persons(value).values("pk"))
            if value.strip()
            else queryset
        )


class IncomeFilter(FilterSet):
    area = AreaCodeFilter(method="filter_area", label=_("区划代码"))

    class Meta:
        model = Income
        fields = ["area", "household", "year"]

    filter_area = PersonFilter.filter_area


class HelperFilter(FilterSet):
    area = AreaCodeFilter(method="filter_area", label=_("区划代码"))
    name = df.CharFilter(lookup_expr="startswith", label=_("姓名"))
    unit = df.CharFilter(lookup_expr="icontains", label=_("工作单位"))

    class Meta:
        model = Helper
        fields = ["area", "household", "name", "unit"]

    filter_area = PersonFilter.filter_area


class MeasureFilter(FilterSet):
    area = AreaCodeFilter(method="filter_area", label=_("区划代码"))
    kind = df.MultipleChoiceFilter(
        distinct=False, choices=c.MeasureKind.choices, label=_("措施类别")
    )

    class Meta:
        model = Measure
        fields = ["area", "household", "kind", "year"]

    filter_area = PersonFilter.filter_area
