from __future__ import annotations

from rest_framework import serializers

from jingzhun.core.serializers import ModelSerializer

from ..models import ComparisonRun, Dataset, Finding, VerificationTask


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
            "id", "ruleset", "ruleset_version", "ruleset_checksum", "year", "area", "engine",
            "status", "created_by", "created", "started", "finished", "rules_done", "rules_total",
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


class VerificationTaskSerializer(ModelSerializer):
    """A task with its finding's rule and sentence (names masked as stored), who checked and
    reviewed it, and what it started: a procedure or a registry change (its audit entry)."""

    rule = serializers.CharField(source="finding.rule", read_only=True)
    meaning = serializers.CharField(source="finding.meaning", read_only=True)
    sentence = serializers.CharField(source="finding.sentence", read_only=True)
    household = serializers.IntegerField(
        source="finding.household_id", read_only=True, allow_null=True
    )
    checked_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = VerificationTask
        fields = [
            "id", "finding", "rule", "meaning", "sentence", "household", "area_code", "due",
            "status", "result", "note", "checked_on", "checked_by", "reviewed_by", "reviewed_on",
            "review_note", "closed_note", "procedure", "change", "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields
