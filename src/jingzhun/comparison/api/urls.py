from django.urls import path
from rest_framework.routers import DefaultRouter

from .duplicates import DuplicatePairViewSet
from .reports import ComparisonReportView
from .views import DatasetViewSet, FindingViewSet, RunViewSet, VerificationTaskViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("comparison-runs", RunViewSet, basename="comparison-run")
router.register("findings", FindingViewSet, basename="finding")
router.register("verification-tasks", VerificationTaskViewSet, basename="verification-task")
router.register("duplicate-pairs", DuplicatePairViewSet, basename="duplicate-pair")

urlpatterns = [
    *router.urls,
    # Not a viewset: one report object, no list of rows to page or look up.
    path("comparison-report/", ComparisonReportView.as_view(), name="comparison-report-api"),
]
