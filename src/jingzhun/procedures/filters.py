"""FilterSets of the procedure API (the pages filter by area and year themselves)."""

from __future__ import annotations

import django_filters as df
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jingzhun.core.filters import AreaCodeFilter, FilterSet, IntegerFilter

from .flows import STATE_CHOICES, Kind
from .models import Batch, Objection, ObjectionStatus, Procedure
from .queries import within


def _area(queryset: QuerySet, path: str, value: str) -> QuerySet:
    if not value or not value.isdigit() or len(value) > 12:
        return queryset
    return within(queryset, path, value.ljust(12, "0"))


class BatchFilter(FilterSet):
    kind = df.MultipleChoiceFilter(distinct=False, choices=Kind.choices, label=_("类别"))
    area = AreaCodeFilter(method="filter_area", label=_("区划代码"))

    class Meta:
        model = Batch
        fields = ["kind", "year", "area"]

    def filter_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _area(queryset, "area_id", value)


# References are plain numbers, not model choices: a choice field would tell apart "exists in
# another area" (empty list) from "does not exist" (400).
class ProcedureFilter(FilterSet):
    batch = IntegerFilter(field_name="batch_id", label=_("批次"))
    household = IntegerFilter(field_name="household_id", label=_("贫困户"))
    kind = df.MultipleChoiceFilter(distinct=False, choices=Kind.choices, label=_("类别"))
    state = df.MultipleChoiceFilter(distinct=False, choices=STATE_CHOICES, label=_("进度"))
    area = AreaCodeFilter(method="filter_area", label=_("区划代码"))

    class Meta:
        model = Procedure
        fields = ["batch", "kind", "state", "household", "area"]

    def filter_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _area(queryset, "village_id", value)


class ObjectionFilter(FilterSet):
    status = df.MultipleChoiceFilter(
        distinct=False, choices=ObjectionStatus.choices, label=_("处理状态")
    )
    batch = IntegerFilter(field_name="procedure__batch_id", label=_("批次"))
    procedure = IntegerFilter(field_name="procedure_id", label=_("办理程序"))

    class Meta:
        model = Objection
        fields = ["status", "procedure", "batch"]
