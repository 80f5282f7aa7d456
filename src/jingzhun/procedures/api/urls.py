from rest_framework.routers import DefaultRouter

from .views import BatchViewSet, ObjectionViewSet, ProcedureViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("batches", BatchViewSet, basename="batch")
router.register("procedures", ProcedureViewSet, basename="procedure")
router.register("objections", ObjectionViewSet, basename="objection")

urlpatterns = router.urls
