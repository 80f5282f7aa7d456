"""Registry records as the API shows and accepts them.

Serializers only shape and type-check; the services validate the business rules and write.
ID numbers go out masked in every response (the full number only from the audited reveal
action); phone numbers and bank accounts go out masked too.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jingzhun import masking
from jingzhun.accounts.api.base import ScopedPrimaryKeyField
from jingzhun.areas.models import Area
from jingzhun.audit.models import AuditEntry
from jingzhun.core.serializers import ModelSerializer

from .. import choices as c
from ..models import Helper, Household, Income, Measure, Person, StatusChange


class MaskedField(serializers.CharField):
    """Accepts the full value; always answers masked."""

    def __init__(self, mask: Any, **kwargs: Any) -> None:
        self.mask = mask
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return self.mask(super().to_representation(value))


class CauseListField(serializers.ListField):
    """`other_causes` is a sorted comma-separated column; the API speaks a list of causes."""

    child = serializers.ChoiceField(choices=c.Cause.choices)

    def to_internal_value(self, data: Any) -> str:
        return ",".join(sorted(set(super().to_internal_value(data))))

    def to_representation(self, value: str) -> list[str]:
        return [v for v in (value or "").split(",") if v]


class HouseholdSerializer(ModelSerializer):
    village = ScopedPrimaryKeyField(Area, {"level": "village"}, label="所在行政村")
    phone = MaskedField(masking.mask_phone, required=False, allow_blank=True, max_length=20)
    bank_account = MaskedField(
        masking.mask_account, required=False, allow_blank=True, max_length=32
    )
    other_causes = CauseListField(required=False, label="其他致贫原因")
    members_count = serializers.SerializerMethodField(label="家庭人口")
    head_name = serializers.SerializerMethodField(label="户主姓名")
    head_id_number = serializers.SerializerMethodField(label="户主证件号码（脱敏）")

    class Meta:
        model = Household
        exclude = ["created", "updated"]
        extra_kwargs = {"number": {"validators": []}}  # uniqueness: the service (one message)

    # The list and detail read the annotations of registry.queries.with_head_and_size; a
    # household just created or updated (no annotation) asks the database.

    def get_members_count(self, household: Household) -> int:
        count = getattr(household, "member_count", None)
        return household.members.count() if count is None else count

    def _head(self, household: Household) -> tuple[str, str]:
        if hasattr(household, "head_id_number"):
            return household.head_name or "", household.head_id_number or ""
        head = household.head()
        return (head.name, head.id_number) if head else ("", "")

    def get_head_name(self, household: Household) -> str:
        return self._head(household)[0]

    def get_head_id_number(self, household: Household) -> str:
        return masking.mask_id_number(self._head(household)[1])


class MemberSerializer(ModelSerializer):
    """A member in a household-create request (the household is the one being created)."""

    id_number = MaskedField(masking.mask_id_number, max_length=18, label="证件号码")

    class Meta:
        model = Person
        exclude = ["created", "updated", "household"]
        extra_kwargs = {"sex": {"required": False}, "birth_date": {"required": False}}


class HouseholdCreateSerializer(HouseholdSerializer):
    members = MemberSerializer(many=True, write_only=True, label="家庭成员")

    def validate_members(self, value: list) -> list:
        if not value:
            raise serializers.ValidationError(_("至少须登记一名家庭成员（户主）"))
        return value


class PersonSerializer(ModelSerializer):
    household = ScopedPrimaryKeyField(Household, label="所在户")
    household_number = serializers.CharField(source="household.number", read_only=True)
    id_number = MaskedField(masking.mask_id_number, max_length=18, label="证件号码")

    class Meta:
        model = Person
        exclude = ["created", "updated"]
        # Required on create (the service fills them from the ID number when absent).
        extra_kwargs = {"sex": {"required": False}, "birth_date": {"required": False}}
        validators: list = []  # one head per household: the service says it in Chinese

    def validate_household(self, value: Household) -> Household:
        if self.instance is not None and value.pk != self.instance.household_id:
            raise serializers.ValidationError(_("成员不能通过修改转入其他户"))
        return value


class IdNumberSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=32, label="证件号码", write_only=True)


class RevealRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label="事由")


class RevealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(label="完整证件号码")


DERIVED_INCOME_FIELDS = ["transfer_income", "net_income", "income_per_capita"]


class IncomeSerializer(ModelSerializer):
    household = ScopedPrimaryKeyField(Household, label="贫困户")

    class Meta:
        model = Income
        exclude = ["created", "updated"]
        read_only_fields = DERIVED_INCOME_FIELDS
        # Defaults to the household's member count (the service decides).
        extra_kwargs = {"members_count": {"required": False}}

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None:
            for key in ("household", "year"):
                if key in attrs and attrs[key] != getattr(self.instance, key):
                    raise serializers.ValidationError(
                        {key: [_("不能修改，请删除后重新登记该年度收入")]}
                    )
        return attrs


class HouseholdChildSerializer(ModelSerializer):
    """A record hanging off one household; it stays with that household."""

    household = ScopedPrimaryKeyField(Household, label="贫困户")

    def validate_household(self, value: Household) -> Household:
        if self.instance is not None and value.pk != self.instance.household_id:
            raise serializers.ValidationError(_("不能转入其他户"))
        return value


class HelperSerializer(HouseholdChildSerializer):
    phone = MaskedField(masking.mask_phone, required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Helper
        exclude = ["created", "updated"]
        validators: list = []  # uniqueness: the service's full_clean (one message, one place)


class MeasureSerializer(HouseholdChildSerializer):
    class Meta:
        model = Measure
        exclude = ["created", "updated"]
        validators: list = []


class StatusChangeSerializer(ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)  # null: a system change

    class Meta:
        model = StatusChange
        fields = ["id", "date", "old_status", "new_status", "reason", "actor", "recorded"]


class AuditEntrySerializer(ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)  # null: a system change

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "timestamp",
            "actor",
            "action",
            "model",
            "object_id",
            "object_repr",
            "changes",
            "message",
        ]


class HistorySerializer(serializers.Serializer):
    status_changes = StatusChangeSerializer(many=True)
    audit = AuditEntrySerializer(many=True)
