"""Read-only API of the comparison: the loaded department datasets (their provenance, not their
rows), the runs, their findings and the verification tasks, scoped like every other list.
Loading and starting runs are the pages' and the commands' (`jingzhun load_dataset`,
`jingzhun compare --store`)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from jingzhun.accounts.api.base import ScopedQuerysetMixin

from ..models import ComparisonRun, Dataset, Finding, VerificationTask
from .filters import DatasetFilter, FindingFilter, RunFilter, TaskFilter
from .serializers import (
    ComparisonRunSerializer,
    DatasetSerializer,
    FindingSerializer,
    VerificationTaskSerializer,
)


class DatasetViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The datasets loaded for the caller's area or below, newest first."""

    scoped_model = Dataset
    serializer_class = DatasetSerializer
    filterset_class = DatasetFilter

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("loaded_by").order_by("-loaded", "-pk")


class RunViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The comparison runs of the caller's area or below, newest first (started on the page or
    with `jingzhun compare --store`)."""

    scoped_model = ComparisonRun
    serializer_class = ComparisonRunSerializer
    filterset_class = RunFilter

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("created_by").order_by("-created", "-pk")


class FindingViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The findings in the caller's area: sentence (names masked), rule, status, the runs that
    found it."""

    scoped_model = Finding
    serializer_class = FindingSerializer
    filterset_class = FindingFilter

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("area_code", "rule", "pk")


class VerificationTaskViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The verification tasks (核查任务) of the caller's area, soonest due first: status, the
    check's result and note, and the procedure or registry change it led to. Checks are recorded
    on the task page or by importing the field list back (导入核查结果)."""

    scoped_model = VerificationTask
    serializer_class = VerificationTaskSerializer
    filterset_class = TaskFilter

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("finding", "checked_by", "reviewed_by").order_by("due", "pk")
