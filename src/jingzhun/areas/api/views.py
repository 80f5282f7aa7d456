"""Read-only API of the area tree, scoped like every other list."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from rest_framework import viewsets

from jingzhun.accounts.api.base import ScopedQuerysetMixin
from jingzhun.areas.models import Area

from .filters import AreaFilter
from .serializers import AreaSerializer


class AreaViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The areas in the caller's subtree, with how many direct children each has."""

    scoped_model = Area
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    lookup_field = "code"
    lookup_value_regex = r"\d{12}"

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.annotate(children_count=Count("children")).order_by("code")
