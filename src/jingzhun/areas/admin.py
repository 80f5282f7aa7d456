"""The area tree in the admin: scoped to the user's subtree; reference data edited here."""

from __future__ import annotations

from django.contrib import admin

from jingzhun.accounts.admin import ScopedAdminMixin

from .models import Area


@admin.register(Area)
class AreaAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "poor_village"]
    list_filter = ["level", "poor_village"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    ordering = ["code"]
