"""Filters of the dataset list for the API: kind, year, current."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jingzhun.core.filters import FilterSet, YearFilter

from ..models import Dataset


class DatasetFilter(FilterSet):
    kind = df.CharFilter(label=_("数据类型"))
    year = YearFilter(label=_("数据年度"))
    current = df.BooleanFilter(label=_("当前有效"))

    class Meta:
        model = Dataset
        fields = ["kind", "year", "current"]
