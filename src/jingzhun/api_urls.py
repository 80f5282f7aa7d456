"""The REST API: every app's router under /api/, the OpenAPI schema and its docs page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("jingzhun.areas.api.urls")),
    path("", include("jingzhun.registry.api.urls")),
    path("", include("jingzhun.accounts.api.urls")),
    path("", include("jingzhun.procedures.api.urls")),
    path("", include("jingzhun.assessment.api.urls")),
    path("", include("jingzhun.comparison.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:api-schema"), name="api-docs"),
]
