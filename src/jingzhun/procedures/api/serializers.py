"""Procedures as the API shows and accepts them. Serializers shape and type-check only; the
services decide (roles, order of steps, evidence, locking) and write."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jingzhun import masking
from jingzhun.accounts.api.base import ScopedPrimaryKeyField
from jingzhun.areas.models import Area
from jingzhun.core.filters import ID_MAX, ID_MIN
from jingzhun.core.serializers import ModelSerializer
from jingzhun.registry.models import Household

from ..flows import Closed, Kind, ReasonCategory, StepId
from ..models import Batch, Notice, Objection, Procedure, StepRecord
from ..queries import blocked_reason, notice_urls


class NoticeSerializer(ModelSerializer):
    public_url = serializers.SerializerMethodField(label=_("公示页"))
    pdf_url = serializers.SerializerMethodField(label=_("打印版 PDF"))

    class Meta:
        model = Notice
        fields = [
            "id",
            "token",
            "title",
            "start",
            "end",
            "place",
            "contact",
            "public_url",
            "pdf_url",
        ]

    def get_public_url(self, notice: Notice) -> str:
        return notice_urls(notice)[0]

    def get_pdf_url(self, notice: Notice) -> str:
        return notice_urls(notice)[1]


class BatchSerializer(ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True, label=_("区划名称"))
    notices = NoticeSerializer(many=True, read_only=True)

    class Meta:
        model = Batch
        fields = ["id", "kind", "area", "area_name", "year", "title", "created", "notices"]


class BatchCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, label=_("类别"))
    area = ScopedPrimaryKeyField(Area, label=_("区划（村；贫困村出列为乡镇）"))
    year = serializers.IntegerField(min_value=2000, max_value=2100, label=_("年度"))


class ProposalItemSerializer(serializers.Serializer):
    household = ScopedPrimaryKeyField(Household, required=False, allow_null=True, label=_("贫困户"))
    village = ScopedPrimaryKeyField(
        Area, required=False, allow_null=True, label=_("行政村（贫困村出列）")
    )
    reason = serializers.ChoiceField(
        choices=ReasonCategory.choices, required=False, allow_blank=True, label=_("原因类别")
    )
    evidence = serializers.DictField(required=False, label=_("提出环节的依据材料"))

    def validate(self, attrs: dict) -> dict:
        """Exactly one of household (household procedures) and village (village exits)."""
        if (attrs.get("household") is None) == (attrs.get("village") is None):
            raise serializers.ValidationError(_("贫困户和行政村须且只须填写一项"))
        return attrs


class ProposeSerializer(serializers.Serializer):
    proposals = ProposalItemSerializer(many=True, allow_empty=False, label=_("提出对象"))


class StepRecordSerializer(ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True, label=_("办理人"))

    class Meta:
        model = StepRecord
        fields = ["id", "step", "old_state", "new_state", "actor", "evidence", "recorded"]


class ObjectionSerializer(ModelSerializer):
    """Staff view of an objection; the objector's contact is masked."""

    contact = serializers.SerializerMethodField(label=_("联系方式（脱敏）"))
    recorded_by = serializers.StringRelatedField(allow_null=True, label=_("登记人"))
    decided_by = serializers.StringRelatedField(allow_null=True, label=_("处理人"))

    class Meta:
        model = Objection
        fields = [
            "id",
            "receipt",
            "procedure",
            "notice",
            "channel",
            "text",
            "name",
            "contact",
            "lodged",
            "recorded_by",
            "status",
            "finding",
            "decided_by",
            "decided",
        ]

    def get_contact(self, objection: Objection) -> str:
        return masking.mask_phone(objection.contact)


class ObjectionCreateSerializer(serializers.Serializer):
    procedure = ScopedPrimaryKeyField(Procedure, label=_("办理程序"))
    text = serializers.CharField(max_length=2000, label=_("异议内容"))
    name = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact = serializers.CharField(max_length=40, required=False, allow_blank=True)


class ResolveSerializer(serializers.Serializer):
    upheld = serializers.BooleanField(label=_("异议成立"))
    finding = serializers.CharField(max_length=2000, label=_("核查结论"))


class ProcedureSerializer(ModelSerializer):
    household_number = serializers.CharField(
        source="household.number",
        read_only=True,
        default=None,
        allow_null=True,  # null for a village exit (no household)
        label=_("户编号"),
    )
    head_name = serializers.SerializerMethodField(label=_("户主姓名（脱敏）"))
    next_step = serializers.SerializerMethodField(label=_("下一环节"))
    steps = StepRecordSerializer(many=True, read_only=True)
    objections = ObjectionSerializer(many=True, read_only=True)

    class Meta:
        model = Procedure
        fields = [
            "id",
            "batch",
            "kind",
            "household",
            "household_number",
            "head_name",
            "village",
            "state",
            "state_since",
            "next_step",
            "reason",
            "verdict",
            "notice",
            "closing_reason",
            "closing_reason_en",
            "version",
            "steps",
            "objections",
        ]

    def get_head_name(self, procedure: Procedure) -> str:
        return getattr(procedure, "head_masked", "")

    @extend_schema_field(serializers.ChoiceField(choices=StepId.choices, allow_null=True))
    def get_next_step(self, procedure: Procedure) -> str | None:
        step = procedure.next_step
        return str(step.id) if step else None


class AwaitingSerializer(ProcedureSerializer):
    blocked = serializers.SerializerMethodField(label=_("暂不能办理的原因"))

    class Meta(ProcedureSerializer.Meta):
        fields = [*ProcedureSerializer.Meta.fields, "blocked"]

    def get_blocked(self, procedure: Procedure) -> str:
        return blocked_reason(procedure)


# Procedure.version is a PositiveIntegerField: bounded like the column (issue #11 item 9: an
# over-large number reached the database and SQLite raised OverflowError).
VERSION_MAX = 2**31 - 1


class StepRequestSerializer(serializers.Serializer):
    procedures = serializers.ListField(
        child=serializers.IntegerField(min_value=ID_MIN, max_value=ID_MAX),
        allow_empty=False,
        label=_("办理程序编号"),
    )
    step = serializers.ChoiceField(choices=StepId.choices, label=_("环节"))
    evidence = serializers.DictField(label=_("依据材料"))
    versions = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=VERSION_MAX),
        required=False,
        label=_("读取时的版本 {编号: version}"),
    )


class StoppedSerializer(serializers.Serializer):
    procedure = serializers.IntegerField()
    reason = serializers.CharField()


class OutcomeSerializer(serializers.Serializer):
    taken = ProcedureSerializer(many=True)
    stopped = StoppedSerializer(many=True)


class CloseRequestSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[(c.value, c.label) for c in (Closed.REJECTED, Closed.WITHDRAWN)],
        label=_("不予通过或撤回"),
    )
    reason = serializers.CharField(max_length=300, label=_("原因"))
    version = serializers.IntegerField(
        min_value=0, max_value=VERSION_MAX, required=False, label=_("读取时的版本")
    )
