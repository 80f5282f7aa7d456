from rest_framework.routers import DefaultRouter

from .views import DatasetViewSet, FindingViewSet, RunViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("comparison-runs", RunViewSet, basename="comparison-run")
router.register("findings", FindingViewSet, basename="finding")

urlpatterns = router.urls
