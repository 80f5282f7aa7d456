from __future__ import annotations

from rest_framework import serializers

from jingzhun.core.serializers import ModelSerializer

from ..models import Dataset


class DatasetSerializer(ModelSerializer):
    loaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Dataset
        fields = [
            "id", "kind", "year", "area", "department", "received_on", "loaded_by", "loaded",
            "file_name", "checksum", "rows", "key_id", "current",
        ]  # fmt: skip
        read_only_fields = fields
