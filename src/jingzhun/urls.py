"""URL map: each domain app owns its own urls.py (pages) and api/urls.py (REST)."""

from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from jingzhun.dashboard import home

urlpatterns = [
    # The home page: what awaits the user, then the area's overview (dashboard/home.py).
    path("", home.home, name="home"),
    path("", include("jingzhun.core.urls")),
    path("accounts/", include("jingzhun.accounts.urls")),
    path("areas/", include("jingzhun.areas.urls")),
    path("registry/", include("jingzhun.registry.urls")),
    path("assessment/", include("jingzhun.assessment.urls")),
    path("procedures/", include("jingzhun.procedures.urls")),
    path("exports/", include("jingzhun.exports.urls")),
    path("imports/", include("jingzhun.imports.urls")),
    path("comparison/", include("jingzhun.comparison.urls")),
    path("dashboard/", include("jingzhun.dashboard.urls")),
    # Public notices (公示) and their objection form: no login (procedures/urls_public.py).
    path("notices/", include("jingzhun.procedures.urls_public")),
    # Namespaced: the routers' names ("household-list" …) would otherwise shadow the pages'.
    path("api/", include(("jingzhun.api_urls", "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
# The app serves its own static files (vendored ECharts, htmx, CSS) even with DEBUG off, so the
# demo and an intranet install need no web server for them: WhiteNoise (settings.MIDDLEWARE)
# serves what `collectstatic` put in STATIC_ROOT (`jingzhun serve` runs it at start); this view
# is the fallback for files not collected (tests, a WSGI server started without collectstatic).
# `insecure` only means "also when DEBUG is off".
urlpatterns += [re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True})]

# 400, 403 and 404 are Django's handlers with our templates (templates/4xx.html); the 500 page
# renders without the request's context, so a broken database cannot break it too.
handler500 = "jingzhun.core.views_errors.server_error"
