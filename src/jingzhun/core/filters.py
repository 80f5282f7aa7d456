"""The project's FilterSet base: every app's filters.py derives from it."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.utils.functional import lazy
from django_filters.utils import label_for_filter

# The label django-filter would generate, evaluated each time it is shown, in the language then
# active.
lazy_label_for_filter = lazy(label_for_filter, str)


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
