from rest_framework.routers import DefaultRouter

from .views import HelperViewSet, HouseholdViewSet, IncomeViewSet, MeasureViewSet, PersonViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("households", HouseholdViewSet, basename="household")
router.register("persons", PersonViewSet, basename="person")
router.register("incomes", IncomeViewSet, basename="income")
router.register("helpers", HelperViewSet, basename="helper")
router.register("measures", MeasureViewSet, basename="measure")

urlpatterns = router.urls
