"""The area tree in the admin: scoped to the user's subtree; reference data edited here.

Saves and deletions go through the audited services (`create_area`, `update_area`,
`delete_areas`): village attributes change verdicts, so no change to the tree goes unrecorded.
The form checks the parent against the code (`Area.clean`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from jingzhun.accounts.admin import ScopedAdminMixin

from . import services
from .models import Area


@admin.register(Area)
class AreaAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "poor_village"]
    list_filter = ["level", "poor_village"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    ordering = ["code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code is the key and the path: an area is never re-coded, only created anew.
        return ["code"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Area, form: Any, change: bool) -> None:
        if change:
            changes = {
                name: getattr(obj, obj._meta.get_field(name).attname) for name in form.changed_data
            }
            services.update_area(obj, changes, acting_user=request.user)
            obj.refresh_from_db()
        else:
            values = {
                f.attname: getattr(obj, f.attname)
                for f in obj._meta.concrete_fields
                if f.name not in {"created", "updated"}
            }
            created = services.create_area(values, acting_user=request.user)
            obj.created, obj.updated = created.created, created.updated

    def delete_model(self, request: HttpRequest, obj: Area) -> None:
        services.delete_areas([obj], acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Area]) -> None:
        services.delete_areas(queryset, acting_user=request.user)
