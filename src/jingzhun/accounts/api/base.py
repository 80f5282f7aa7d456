"""What every API viewset shares: the scoped queryset, the edit permission and service calls.

Scope lives here because it is the accounts app's concern (a user's area and role); the
registry and areas viewsets only say which model and which annotations they need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.views import APIView

T = TypeVar("T")


class ScopedQuerysetMixin:
    """Every queryset starts at `Model.objects.visible_to(user)`: another area's row is a 404.

    Subclasses set `scoped_model` and may refine the scoped queryset in `refine_queryset`
    (annotations, prefetches); they must not override `get_queryset` (tests/api/test_scope.py
    checks that every routed viewset goes through here).
    """

    scoped_model: Any = None
    request: Request

    def get_queryset(self) -> QuerySet:
        queryset = self.scoped_model.objects.visible_to(self.request.user)
        return self.refine_queryset(queryset)

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference that only accepts records the caller can see: a foreign key is no side door.
    `lookups` narrow it further (e.g. {"level": "village"} for a household's village)."""

    def __init__(self, model: type, lookups: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self.scoped_model = model
        self.lookups = lookups or {}
        kwargs.setdefault("queryset", model.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        queryset = self.scoped_model.objects.visible_to(getattr(request, "user", None))
        return queryset.filter(**self.lookups) if self.lookups else queryset


class CanEditOrReadOnly(permissions.BasePermission):
    """Reads for any signed-in user; writes only for users whose role may edit (viewers: 403).

    Whether the record is inside the user's scope is decided by the scoped queryset (404) and
    again by the service (403), not here.
    """

    message = _("您没有修改建档立卡数据的权限")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(user.can_edit())


def field_errors(exc: DjangoValidationError) -> dict[str, list[str]] | list[str]:
    """A Django ValidationError as DRF's {field: [messages]} shape."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if key == NON_FIELD_ERRORS else key): value
            for key, value in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def call_service(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a registry service; its ValidationError becomes a DRF 400 with field errors.

    PermissionDenied needs no mapping: DRF's exception handler already answers 403 for it.
    """
    try:
        return function(*args, **kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(field_errors(exc)) from exc
