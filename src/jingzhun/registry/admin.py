"""Registry models in the admin: view-only, scoped, sensitive values masked.

Why read-only rather than routing save_model through the services: the admin form has no
household-with-members step, no ID-number checks and no way to show the services' field
errors in Chinese the way the pages and API do, and a half-routed admin is a second write path
to keep in step. Editing happens in the pages and the API, which go through `services.py`.
"""

from __future__ import annotations

from django.contrib import admin

from jingzhun import masking
from jingzhun.accounts.admin import ReadOnlyAdminMixin, ScopedAdminMixin

from .models import Helper, Household, Income, Measure, Person, StatusChange


class RegistryAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(Household)
class HouseholdAdmin(RegistryAdmin):
    list_display = ["number", "village", "status", "kind", "main_cause", "entry_year", "phone_"]
    list_filter = ["status", "kind", "main_cause"]
    list_select_related = ["village"]
    search_fields = ["number"]
    exclude = ["phone", "bank_account"]
    readonly_fields = ["phone_", "bank_account_"]

    @admin.display(description="联系电话")
    def phone_(self, obj: Household) -> str:
        return masking.mask_phone(obj.phone)

    @admin.display(description="银行账号")
    def bank_account_(self, obj: Household) -> str:
        return masking.mask_account(obj.bank_account)


@admin.register(Person)
class PersonAdmin(RegistryAdmin):
    list_display = ["name", "id_number_", "household", "relation", "sex", "birth_date"]
    list_filter = ["relation", "sex", "health"]
    list_select_related = ["household"]
    exclude = ["id_number"]
    readonly_fields = ["id_number_"]

    @admin.display(description="证件号码")
    def id_number_(self, obj: Person) -> str:
        return masking.mask_id_number(obj.id_number)


@admin.register(Income)
class IncomeAdmin(RegistryAdmin):
    list_display = ["household", "year", "members_count", "net_income", "income_per_capita"]
    list_filter = ["year"]
    list_select_related = ["household"]


@admin.register(Helper)
class HelperAdmin(RegistryAdmin):
    list_display = ["name", "unit", "household", "phone_"]
    list_select_related = ["household"]
    exclude = ["phone"]
    readonly_fields = ["phone_"]

    @admin.display(description="联系电话")
    def phone_(self, obj: Helper) -> str:
        return masking.mask_phone(obj.phone)


@admin.register(Measure)
class MeasureAdmin(RegistryAdmin):
    list_display = ["household", "kind", "year", "amount"]
    list_filter = ["kind", "year"]
    list_select_related = ["household"]


@admin.register(StatusChange)
class StatusChangeAdmin(RegistryAdmin):
    list_display = ["household", "date", "old_status", "new_status", "actor"]
    list_filter = ["new_status"]
    list_select_related = ["household", "actor"]
