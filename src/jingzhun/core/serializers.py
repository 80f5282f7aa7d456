"""The project's ModelSerializer base: every app's api/serializers.py derives from it."""

from __future__ import annotations

from typing import Any

from django.utils.text import capfirst
from rest_framework import serializers


# DRF's ModelSerializer whose model fields always carry their (lazy) verbose name as label.
#
# Why: DRF passes the verbose name as label only when it differs from the prettified field name,
# compared in the language active when the fields are built: in English "Batch" equals "Batch",
# so the label was left out. A serializer instance built once and kept (the responses of an
# @extend_schema, built at import) kept that field set: after one English schema
# (/api/schema/?lang=en) the Chinese schema lost its titles until a restart.
# No docstring on purpose: drf-spectacular would show it as every subclass's description.
class ModelSerializer(serializers.ModelSerializer):
    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        return field_class, with_label(kwargs, model_field)

    def build_relational_field(self, field_name: str, relation_info: Any) -> tuple[type, dict]:
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        return field_class, with_label(kwargs, relation_info.model_field)


def with_label(kwargs: dict, model_field: Any) -> dict:
    verbose_name = getattr(model_field, "verbose_name", None)
    if verbose_name and "label" not in kwargs:
        kwargs["label"] = capfirst(verbose_name)  # capfirst keeps a lazy string lazy
    return kwargs
