from rest_framework.routers import DefaultRouter

from .views import AreaViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("areas", AreaViewSet, basename="area")

urlpatterns = router.urls
