from __future__ import annotations

from rest_framework import serializers

from jingzhun.core.serializers import ModelSerializer

from ..models import ComparisonRun, Dataset, Finding


class DatasetSerializer(ModelSerializer):
    loaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Dataset
        fields = [
            "id", "kind", "year", "area", "department", "received_on", "loaded_by", "loaded",
            "file_name", "checksum", "rows", "key_id", "current",
        ]  # fmt: skip
        read_only_fields = fields


class ComparisonRunSerializer(ModelSerializer):
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ComparisonRun
        fields = [
            "id", "ruleset", "ruleset_version", "ruleset_checksum", "year", "area", "status",
            "created_by", "created", "started", "finished", "rules_done", "rules_total",
            "datasets", "counts",
        ]  # fmt: skip
        read_only_fields = fields


class FindingSerializer(ModelSerializer):
    class Meta:
        model = Finding
        fields = [
            "id", "ruleset", "rule", "meaning", "severity", "area_code", "household",
            "person", "dataset_row", "sentence", "sentence_en", "status", "first_run",
            "last_run", "resolved_run", "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields
