"""The audit trail in the admin: read-only and scoped; it is a record, not a document."""

from __future__ import annotations

from django.contrib import admin

from jingzhun.accounts.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["timestamp", "actor", "action", "model", "object_repr", "area_code"]
    list_filter = ["action", "model"]
    list_select_related = ["actor"]
    date_hierarchy = "timestamp"
