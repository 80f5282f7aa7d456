"""Filters of the dataset list for the API: kind, year, current."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jingzhun.core.filters import AreaCodeFilter, FilterSet, YearFilter

from ..choices import CheckResult, FindingStatus, Meaning, RunStatus, TaskStatus
from ..models import ComparisonRun, Dataset, Finding, VerificationTask


class DatasetFilter(FilterSet):
    kind = df.CharFilter(label=_("数据类型"))
    year = YearFilter(label=_("数据年度"))
    current = df.BooleanFilter(label=_("当前有效"))

    class Meta:
        model = Dataset
        fields = ["kind", "year", "current"]


class RunFilter(FilterSet):
    ruleset = df.CharFilter(label=_("规则集"))
    year = YearFilter(label=_("比对年度"))
    status = df.ChoiceFilter(choices=RunStatus.choices, label=_("状态"))

    class Meta:
        model = ComparisonRun
        fields = ["ruleset", "year", "status"]


class FindingFilter(FilterSet):
    rule = df.CharFilter(label=_("规则"))
    meaning = df.ChoiceFilter(choices=Meaning.choices, label=_("问题类型"))
    status = df.ChoiceFilter(choices=FindingStatus.choices, label=_("状态"))
    area = AreaCodeFilter(field_name="area_code", lookup_expr="startswith", label=_("区划代码前缀"))

    class Meta:
        model = Finding
        fields = ["rule", "meaning", "status", "area"]


class TaskFilter(FilterSet):
    status = df.ChoiceFilter(choices=TaskStatus.choices, label=_("状态"))
    result = df.ChoiceFilter(choices=CheckResult.choices, label=_("核查结果"))
    rule = df.CharFilter(field_name="finding__rule", label=_("规则"))
    area = AreaCodeFilter(field_name="area_code", lookup_expr="startswith", label=_("区划代码前缀"))
    due_before = df.DateFilter(field_name="due", lookup_expr="lte", label=_("核查时限不晚于"))

    class Meta:
        model = VerificationTask
        fields = ["status", "result", "rule", "area", "due_before"]
