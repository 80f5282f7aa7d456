"""`/api/duplicate-pairs/`: the duplicate pairs in the caller's area (read-only; detection is the
page's button and `jingzhun find_duplicates`, decisions the review page's). Both sides as the
review shows them: names and ID numbers masked."""

from __future__ import annotations

import django_filters as df
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets

from jingzhun.accounts.api.base import ScopedQuerysetMixin
from jingzhun.core.filters import AreaCodeFilter, FilterSet
from jingzhun.core.serializers import ModelSerializer

from ..choices import PairKind, PairStatus
from ..models import DuplicatePair


class DuplicatePairFilter(FilterSet):
    kind = df.ChoiceFilter(choices=PairKind.choices, label=_("类型"))
    status = df.ChoiceFilter(choices=PairStatus.choices, label=_("状态"))
    area = AreaCodeFilter(field_name="area_code", lookup_expr="startswith", label=_("区划代码前缀"))

    class Meta:
        model = DuplicatePair
        fields = ["kind", "status", "area"]


class DuplicatePairSerializer(ModelSerializer):
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = DuplicatePair
        fields = [
            "id", "kind", "basis", "area_code", "first_person", "second_person",
            "first_household", "second_household", "shown", "status", "reason", "kept_person",
            "removed_person_id", "decided_by", "decided", "first_found", "last_found", "gone",
        ]  # fmt: skip
        read_only_fields = fields


class DuplicatePairViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The duplicate pairs in the caller's area (a pair across villages belongs to their
    township), by area code."""

    scoped_model = DuplicatePair
    serializer_class = DuplicatePairSerializer
    filterset_class = DuplicatePairFilter

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("decided_by").order_by("area_code", "pk")
