from rest_framework.routers import DefaultRouter

from .views import AssessmentRunViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("assessment-runs", AssessmentRunViewSet, basename="assessment-run")

urlpatterns = router.urls
