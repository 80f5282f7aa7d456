"""URL map: each domain app owns its own urls.py (pages) and api/urls.py (REST)."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("", include("jingzhun.core.urls")),
    path("accounts/", include("jingzhun.accounts.urls")),
    path("areas/", include("jingzhun.areas.urls")),
    path("registry/", include("jingzhun.registry.urls")),
    path("api/", include("jingzhun.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
