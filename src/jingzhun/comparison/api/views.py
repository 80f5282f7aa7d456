"""Read-only API of the loaded department datasets (their provenance, not their rows), scoped
like every other list. Loading is the page's and the command's (`jingzhun load_dataset`)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from jingzhun.accounts.api.base import ScopedQuerysetMixin

from ..models import Dataset
from .filters import DatasetFilter
from .serializers import DatasetSerializer


class DatasetViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The datasets loaded for the caller's area or below, newest first."""

    scoped_model = Dataset
    serializer_class = DatasetSerializer
    filterset_class = DatasetFilter

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("loaded_by").order_by("-loaded", "-pk")
