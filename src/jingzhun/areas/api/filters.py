"""Filters of the area tree for the API: by level, parent and code prefix."""

from __future__ import annotations

import django_filters as df
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jingzhun.areas.choices import Level
from jingzhun.areas.models import Area
from jingzhun.core.filters import FilterSet


class AreaFilter(FilterSet):
    level = df.MultipleChoiceFilter(choices=Level.choices, label=_("级别"))
    parent = df.CharFilter(field_name="parent_id", label=_("上级区划代码"))
    code = df.CharFilter(method="filter_code", label=_("区划代码前缀"))
    name = df.CharFilter(lookup_expr="startswith", label=_("名称"))

    class Meta:
        model = Area
        fields = ["level", "parent", "code", "name", "poor_village"]

    def filter_code(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 12:
            return queryset.none()
        # A prefix as a range of the key: the primary-key index serves it on every backend.
        upper = value[:-1] + chr(ord(value[-1]) + 1)
        return queryset.filter(code__gte=value, code__lt=upper)
