"""Admin for users, and the scoping every admin page of area-bound data shares.

Registry data is read-only in the admin (see registry/admin.py): the admin is for looking and
for managing users and areas, never a side door around the services and their audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import User


class ScopedAdminMixin:
    """Admin lists and detail pages start at `visible_to(request.user)`, like pages and API.

    Applied to every user, superusers included: a superuser bound to an area sees that area,
    one without an area sees everything (the same rule as everywhere else).
    """

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return queryset.visible_to(request.user)


class ReadOnlyAdminMixin:
    """View-only: no add, change or delete from the admin (writes go through the services)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "area", "is_active"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("精准", {"fields": ("role", "area")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("精准", {"fields": ("role", "area")}),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # Role, area and activity decide what a user may do: every change is audited.
        services.save_user(obj, acting_user=request.user)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.delete_users([obj], acting_user=request.user)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        # Django's view saves the form itself: the audit entry joins its transaction.
        with transaction.atomic():
            before = User.objects.filter(pk=id).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=id).first()
            if user is not None and before is not None and user.password != before:
                services.record_password_change(user, acting_user=request.user)
        return response

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        services.delete_users(list(queryset), acting_user=request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """Staff bound to an area see the users of their subtree only."""
        queryset = super().get_queryset(request)
        scope = request.user.scope_prefix()
        if scope is None:
            return queryset.none()
        if scope == "":
            return queryset
        upper = scope[:-1] + chr(ord(scope[-1]) + 1)
        return queryset.filter(area_id__gte=scope, area_id__lt=upper)
