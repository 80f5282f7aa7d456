"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.db import DatabaseError
from django.urls import path

from jingzhun.urls import handler500
from jingzhun.urls import urlpatterns as site_urlpatterns


def explode(request):
    raise RuntimeError("boom")


def database_down(request):
    raise DatabaseError("connection refused")


def bad_request(request):
    raise BadRequest("malformed")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("test-errors/500/", explode),
    path("test-errors/500-db/", database_down),
    path("test-errors/400/", bad_request),
    path("test-errors/403/", forbidden),
    *site_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
