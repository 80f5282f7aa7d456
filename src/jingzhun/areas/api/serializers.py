"""Areas as the API shows them (read-only: the tree is reference data loaded by operators)."""

from __future__ import annotations

from rest_framework import serializers

from jingzhun.areas.models import Area
from jingzhun.core.serializers import ModelSerializer


class AreaSerializer(ModelSerializer):
    children_count = serializers.IntegerField(read_only=True, label="下级区划数")

    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "level",
            "parent",
            "children_count",
            "rural_population",
            "poor_village",
            "poor_village_exited_on",
            "poor_village_planned_exit_year",
            "hardened_road",
            "safe_water",
            "grid_power",
            "broadband",
            "radio_tv",
            "clinic_with_doctor",
            "public_space",
            "collective_income",
            "rural_income_per_capita",
            "rural_income_growth",
            "province_income_growth",
            "education_balance_year",
            "supervision_phone",
            "objection_address",
        ]
        read_only_fields = fields
