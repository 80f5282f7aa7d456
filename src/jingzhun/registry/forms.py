"""Page forms for the registry. They render widgets and coerce values; saving goes through
`services.py`, whose ValidationError / PermissionDenied the views map back onto these forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jingzhun.areas.choices import Level
from jingzhun.areas.models import Area

from . import choices as c
from .models import Household, Income, Person
from .services import row_token


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


HOUSEHOLD_BASIC = [
    "number",
    "village",
    "hamlet",
    "phone",
    "bank_name",
    "bank_account",
    "identification_standard",
    "kind",
    "main_cause",
    "other_causes",
    "entry_year",
    "exit_year",
    "status",
    "military_family",
    "only_child",
    "two_daughters",
    "relocated",
    "relocation_method",
    "relocation_year",
]
HOUSEHOLD_CONDITIONS = [
    "arable_land_mu",
    "irrigated_mu",
    "forest_mu",
    "returned_farmland_mu",
    "orchard_mu",
    "pasture_mu",
    "water_surface_mu",
    "power_production",
    "power_living",
    "road_distance_km",
    "road_surface",
    "housing_area_m2",
    "housing_grade",
    "water_difficulty",
    "water_safe",
    "fuel",
    "cooperative",
    "sanitary_toilet",
    "food_secure",
    "clothing_secure",
]
# The grouping of the national registration form (全国扶贫开发信息系统 贫困户信息采集表).
HOUSEHOLD_GROUPS = [(_("基本情况"), HOUSEHOLD_BASIC), (_("生产生活条件"), HOUSEHOLD_CONDITIONS)]


def add_edit_token(form: forms.ModelForm) -> None:
    """On an edit form, a hidden digest of the row as shown: the service refuses the save when
    the row changed since (someone else's edit would otherwise be reverted unseen)."""
    form.fields["edit_token"] = forms.CharField(
        widget=forms.HiddenInput, required=False, initial=row_token(form.instance)
    )


class HouseholdForm(forms.ModelForm):
    """Household fields; `village` offers only villages inside the user's scope."""

    other_causes = forms.MultipleChoiceField(
        label="其他致贫原因",
        choices=c.Cause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Household
        fields = HOUSEHOLD_BASIC + HOUSEHOLD_CONDITIONS

    groups = HOUSEHOLD_GROUPS

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = (
            Area.objects.visible_to(user).filter(level=Level.VILLAGE).order_by("code")
        )
        if self.instance.pk:
            add_edit_token(self)
            self.initial["other_causes"] = self.instance.other_cause_list()
            # Changed only through a procedure (动态管理); shown, not editable.
            for name in ("status", "exit_year"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("通过动态管理程序变更")

    def clean_other_causes(self) -> str:
        # Stored comma-separated and sorted: one plain column every engine can read.
        return ",".join(sorted(set(self.cleaned_data["other_causes"])))

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.groups]


PERSON_FIELDS = [
    "name",
    "relation",
    "sex",
    "birth_date",
    "ethnicity",
    "political",
    "education",
    "schooling",
    "health",
    "disability_grade",
    "disability_category",
    "labour",
    "work_status",
    "work_months",
    "medical_insured",
    "serious_illness_insured",
    "pension_insured",
    "dibao",
    "destitute",
    "active_soldier",
]


class PersonForm(forms.ModelForm):
    """A member. The ID number is a plain form field (never pre-filled: an edit page must not
    show the full number); on edit it is optional and left unchanged when empty."""

    id_number = forms.CharField(label="证件号码", max_length=18)
    ethnicity = forms.ChoiceField(label="民族", choices=[(e, e) for e in c.ETHNICITIES])

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {"birth_date": DateInput()}

    field_order = ["name", "id_number"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            add_edit_token(self)
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("留空则不修改；当前号码以脱敏形式显示在户页面")

    def service_data(self) -> dict[str, Any]:
        """The cleaned values to hand to the service (the ID number only when typed)."""
        data = {name: self.cleaned_data[name] for name in PERSON_FIELDS if name in self.fields}
        if self.cleaned_data.get("id_number"):
            data["id_number"] = self.cleaned_data["id_number"].strip().upper()
        return data


class HeadForm(PersonForm):
    """The head's person fields on the household-create page (relation fixed to head)."""

    class Meta(PersonForm.Meta):
        fields = [f for f in PERSON_FIELDS if f != "relation"]

    def service_data(self) -> dict[str, Any]:
        return {**super().service_data(), "relation": c.Relation.HEAD}


INCOME_PARTS = [
    "members_count",
    "wage_income",
    "operating_income",
    "operating_expenses",
    "property_income",
    *Income.TRANSFER_PARTS,
]


class IncomeForm(forms.ModelForm):
    """The parts of a year's income; totals are derived by the service (Income.recompute)."""

    class Meta:
        model = Income
        fields = INCOME_PARTS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class IdSearchForm(forms.Form):
    """ID-number search: POSTed so the number never lands in a URL or an access log."""

    id_number = forms.CharField(label=_("身份证号码"), max_length=18, min_length=15)


def apply_service_errors(error: ValidationError, forms_in_order: list[forms.BaseForm]) -> None:
    """Put a service's ValidationError on the first form that has the field (else non-field)."""
    messages: Mapping[str, list[str]] = (
        error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    )
    for field, texts in messages.items():
        target = next((f for f in forms_in_order if field in f.fields), None)
        if target is None:
            forms_in_order[0].add_error(None, texts)
        else:
            target.add_error(field, texts)
