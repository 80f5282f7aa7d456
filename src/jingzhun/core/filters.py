"""The project's FilterSet base: every app's filters.py derives from it."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_filters.utils import label_for_filter

# The label django-filter would generate, evaluated each time it is shown, in the language then
# active.
lazy_label_for_filter = lazy(label_for_filter, str)

# Bounds of integer query parameters (issue #11 item 9). An unbounded number reached the
# database: SQLite raises OverflowError past 2**63 - 1 (a 500), and a year of 10000 built an
# impossible date. Out of range is a form error: 400 in the API, the field's error on a page.
ID_MIN, ID_MAX = 1, 2**63 - 1  # BigAutoField keys
YEAR_MIN, YEAR_MAX = 1900, 2100


class IntegerFilter(df.NumberFilter):
    """A whole number within `min_value`..`max_value` (database keys by default).

    django-filter's NumberFilter takes any decimal, however large; this one is bounded."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class YearFilter(IntegerFilter):
    """A year within YEAR_MIN..YEAR_MAX (narrower bounds may be given)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(*args, **kwargs)


class AreaCodeFilter(df.CharFilter):
    """An area code or its prefix: 1 to 12 ASCII digits, else a form error (400 in the API)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "validators",
            [RegexValidator(r"^[0-9]{1,12}\Z", _("区划代码应为1至12位数字"), code="invalid")],
        )
        super().__init__(*args, **kwargs)


def integer_bounds(field: models.Field) -> tuple[int, int]:
    """The range a filter on the integer model field accepts: years by YEAR_MIN..YEAR_MAX,
    other numbers by the field's own validators (the column's range on this database)."""
    if field.name == "year" or field.name.endswith("_year"):
        return YEAR_MIN, YEAR_MAX
    low, high = -ID_MAX - 1, ID_MAX
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            low = max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            high = min(high, validator.limit_value)
    return low, high


class FilterSet(df.FilterSet):
    """django-filter's FilterSet whose generated filters (those listed in `Meta.fields` and not
    declared) carry a lazy label from the model field's verbose name.

    Why: django-filter labels a generated filter on first use and caches the form field on the
    filter. drf-spectacular reads `.field` of the class-level `base_filters` while building the
    schema; those filters have no model yet, so the cached field got no label, every FilterSet
    instance deep-copied it, and Django fell back to the prettified field name: a Chinese
    household list said "Housing grade:" once `/api/docs/` had been opened. A lazy label set
    when the class is built is right in both languages, whoever touches the filter first.
    """

    @classmethod
    def filter_for_field(cls, field: Any, field_name: str, lookup_expr: str | None = None) -> Any:
        filter_ = super().filter_for_field(field, field_name, lookup_expr)
        if filter_ is not None and filter_._label is None:
            filter_.label = lazy_label_for_filter(
                cls._meta.model, field_name, filter_.lookup_expr, filter_.exclude
            )
        return filter_

    @classmethod
    def filter_for_lookup(cls, field: Any, lookup_type: str) -> tuple[type, dict[str, Any]]:
        """Generated filters on integer fields are bounded (IntegerFilter) instead of taking
        any decimal: `?year=99999999999999999999` is a 400, not an OverflowError."""
        filter_class, params = super().filter_for_lookup(field, lookup_type)
        if filter_class is df.NumberFilter and isinstance(field, models.IntegerField):
            low, high = integer_bounds(field)
            return IntegerFilter, {**params, "min_value": low, "max_value": high}
        return filter_class, params
