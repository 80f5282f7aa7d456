"""Admin for users, and the scoping every admin page of area-bound data shares.

Registry data is read-only in the admin (see registry/admin.py): the admin is for looking and
for managing users and areas, never a side door around the services and their audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import actions
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    actions = ["delete_selected"]  # ours below: acted users are deactivated, not deleted
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

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        """The confirmation page: users who acted are not blocked by the records naming them
        (`PROTECT`): they are listed as deactivated instead, and the page says so."""
        users = list(objs)
        acted = services.acted_user_ids(users)
        removable = [user for user in users if user.pk not in acted]
        deletable, counts, perms_needed, protected = (
            super().get_deleted_objects(removable, request) if removable else ([], {}, set(), [])
        )
        kept = [user.username for user in users if user.pk in acted]
        deletable += [_("用户：{name}（已有操作记录，将停用）").format(name=name) for name in kept]
        if kept and request.POST.get("post") != "yes":
            self.message_user(
                request,
                _("以下用户已有操作记录，确认后将停用而非删除（其操作记录保留）：{names}").format(
                    names="、".join(kept)
                ),
                messages.WARNING,
            )
        return deletable, counts, perms_needed, protected

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        # Django's admin history logs only the users really deleted (the audit trail has both).
        users = list(queryset)
        acted = services.acted_user_ids(users)
        return super().log_deletions(
            request, User.objects.filter(pk__in=[u.pk for u in users if u.pk not in acted])
        )

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.delete_users([obj], acting_user=request.user)

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any) -> Any:
        if not User.objects.filter(pk=obj_id).exists():
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(
            request,
            _("用户“{name}”已有操作记录，已停用而非删除，其操作记录保留。").format(
                name=obj_display
            ),
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:accounts_user_changelist"))

    @admin.action(
        permissions=["delete"], description=gettext_lazy("删除所选用户（已有操作记录的停用）")
    )
    def delete_selected(self, request: HttpRequest, queryset: QuerySet) -> Any:
        """Django's bulk delete (its confirmation page posts back to this name), reporting what
        was deleted and what deactivated instead of "Successfully deleted"."""
        if request.POST.get("post") != "yes":
            return actions.delete_selected(self, request, queryset)
        users = list(queryset)
        self.log_deletions(request, queryset)
        removal = services.delete_users(users, acting_user=request.user)
        if removal.deleted:
            self.message_user(
                request,
                _("已删除 {count} 个用户。").format(count=len(removal.deleted)),
                messages.SUCCESS,
            )
        if removal.deactivated:
            self.message_user(
                request,
                _("{count} 个用户已有操作记录，已停用而非删除：{names}").format(
                    count=len(removal.deactivated),
                    names="、".join(user.username for user in removal.deactivated),
                ),
                messages.WARNING,
            )
        return None

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
