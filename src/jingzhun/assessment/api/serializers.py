"""Assessment results as the API shows them: runs, verdicts with their indicators and reasons,
blockers, village readiness and the county projection. Read-only: the figures are the plain data
of `assessment.reports` (the same functions the pages call), shaped here and nowhere computed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jingzhun import areacodes

from .. import reports
from ..choices import Engine, Level
from ..models import AssessmentRun

# ---------------------------------------------------------------- query parameters


def _area_code(value: str) -> str:
    if not value:
        return ""
    if not reports.area_prefix(value):
        raise serializers.ValidationError(_("区划代码应为 2 至 12 位数字"))
    return areacodes.pad(value)


class AreaQuerySerializer(serializers.Serializer):
    area = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("区划代码（2、4、6、9 或 12 位）：只看该区划下的结果"),
    )

    def validate_area(self, value: str) -> str:
        return _area_code(value)


class VerdictQuerySerializer(AreaQuerySerializer):
    level = serializers.ChoiceField(choices=Level.choices, default=Level.HOUSEHOLD)
    met = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("全部指标达标与否")
    )
    indicator = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("只看该指标未达标的对象")
    )
    only = serializers.BooleanField(
        required=False, default=False, help_text=_("与 indicator 同用：只看仅此一项未达标的对象")
    )
    poor = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "户：只看现仍为贫困户（未脱贫或返贫）的户；村：只看尚未出列的贫困村（即未达标指标统计的范围）"
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        run: AssessmentRun = self.context["run"]
        if attrs["indicator"] and attrs["indicator"] not in run.indicator_ids(attrs["level"]):
            raise serializers.ValidationError({"indicator": [_("本次评估没有该层级的这一指标")]})
        if attrs["only"] and not attrs["indicator"]:
            raise serializers.ValidationError({"only": [_("需同时指定 indicator")]})
        if attrs["poor"] and attrs["level"] == Level.COUNTY:
            raise serializers.ValidationError({"poor": [_("仅适用于户和村")]})
        return attrs


class VillageQuerySerializer(AreaQuerySerializer):
    klass = serializers.ChoiceField(choices=reports.VillageClass.choices, required=False)
    indicator = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("只看该指标未达标的村")
    )
    only = serializers.BooleanField(
        required=False, default=False, help_text=_("与 indicator 同用：只看仅此一项未达标的村")
    )
    poor = serializers.BooleanField(required=False, default=False, help_text=_("只看贫困村"))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        run: AssessmentRun = self.context["run"]
        if attrs["indicator"] and attrs["indicator"] not in run.indicator_ids(Level.VILLAGE):
            raise serializers.ValidationError({"indicator": [_("本次评估没有该层级的这一指标")]})
        if attrs["only"] and not attrs["indicator"]:
            raise serializers.ValidationError({"only": [_("需同时指定 indicator")]})
        return attrs


# ---------------------------------------------------------------- runs


class LevelCountSerializer(serializers.Serializer):
    entities = serializers.IntegerField()
    met = serializers.IntegerField()


class LevelSummarySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    entities = serializers.IntegerField()
    met = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text=_("达标比例（%）"))


class RunIndicatorSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    indicator = serializers.CharField()
    label = serializers.CharField()
    threshold = serializers.FloatField(allow_null=True, help_text=_("标准值（是/否类指标为空）"))


class RunSerializer(serializers.ModelSerializer):
    """A run the caller may read. `partial`: the run covers more than the caller's area (a
    finished run of an area above theirs): its stored whole-run `counts` are withheld (null), as
    on the pages, and every figure of its reports is the caller's share."""

    standard = serializers.CharField(source="standard_id", read_only=True)
    standard_name = serializers.SerializerMethodField()
    area = serializers.CharField(source="area_code", read_only=True, help_text=_("空：全部"))
    area_name = serializers.SerializerMethodField()
    partial = serializers.SerializerMethodField(help_text=_("仅显示您辖区内的结果"))
    counts = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentRun
        fields = [
            "id",
            "standard",
            "standard_version",
            "standard_name",
            "year",
            "area",
            "area_name",
            "engine",
            "status",
            "progress",
            "error",
            "data_date",
            "started",
            "finished",
            "partial",
            "counts",
        ]
        read_only_fields = fields

    def get_standard_name(self, run: AssessmentRun) -> str:
        return reports.standard_name(run)

    def get_area_name(self, run: AssessmentRun) -> str:
        return getattr(run, "area_name", "")

    def _partial(self, run: AssessmentRun) -> bool:
        user = self.context["request"].user
        return run.wider_than(user.scope_prefix())

    def get_partial(self, run: AssessmentRun) -> bool:
        return self._partial(run)

    @extend_schema_field(serializers.DictField(child=LevelCountSerializer(), allow_null=True))
    def get_counts(self, run: AssessmentRun) -> dict[str, Any] | None:
        return None if self._partial(run) else run.counts


class RunStartSerializer(serializers.Serializer):
    """Every field is optional: the default standard, its own year, the app database, the
    caller's whole area."""

    standard = serializers.CharField(
        required=False, allow_blank=True, help_text=_("退出标准编号；留空则用默认标准")
    )
    year = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("留空则用标准所定年度")
    )
    engine = serializers.ChoiceField(
        choices=Engine.choices,
        required=False,
        help_text=_("不填：部署设定的引擎（JINGZHUN_ASSESSMENT_ENGINE，默认 db）"),
    )
    area = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("区划代码；留空则为本人管辖范围")
    )


class RunDetailSerializer(RunSerializer):
    """One run with the caller's own counts per level (`summary`, a finished run only) and the
    indicators it assessed with their thresholds."""

    summary = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "summary", "indicators"]
        read_only_fields = fields

    @extend_schema_field(LevelSummarySerializer(many=True))
    def get_summary(self, run: AssessmentRun) -> list[dict[str, Any]]:
        if run.status != "finished":
            return []
        rows = reports.summary(run, self.context["request"].user)
        return LevelSummarySerializer(rows, many=True).data

    @extend_schema_field(RunIndicatorSerializer(many=True))
    def get_indicators(self, run: AssessmentRun) -> list[dict[str, Any]]:
        out = []
        for level in Level.values:
            for info in reports.indicators_of(run, level):
                out.append(
                    {
                        "level": level,
                        "indicator": info.id,
                        "label": str(info.label),
                        "threshold": run.threshold_of(level, info.id),
                    }
                )
        return out


# ---------------------------------------------------------------- verdicts


class IndicatorCellSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text=_("比较的指标值（是/否类：1 或 0）"))
    threshold = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)
    sentence = serializers.CharField(help_text=_("未达标的说明；达标为空"))


class VerdictSerializer(serializers.Serializer):
    """One entity's verdict. Households: number and the head's masked name only."""

    id = serializers.IntegerField()
    level = serializers.ChoiceField(choices=Level.choices)
    entity = serializers.CharField(help_text=_("户：户的编号（id）；村、县：区划代码"))
    area = serializers.CharField(help_text=_("户：所在村的区划代码"))
    area_name = serializers.CharField()
    household = serializers.IntegerField(allow_null=True)
    household_number = serializers.CharField(allow_null=True)
    head_name = serializers.CharField(help_text=_("户主姓名（脱敏）"))
    met = serializers.BooleanField()
    unmet = serializers.ListField(child=serializers.CharField(), help_text=_("未达标指标"))
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text=_("各未达标指标的说明，按标准中的顺序")
    )
    indicators = IndicatorCellSerializer(many=True)


# ---------------------------------------------------------------- blockers


class BlockerRowSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.id")
    label = serializers.CharField(source="indicator.label")
    unmet = serializers.IntegerField(help_text=_("未达标数"))
    share = serializers.FloatField(allow_null=True, help_text=_("未达标比例（%）"))
    only = serializers.IntegerField(help_text=_("仅此一项未达标数"))
    only_share = serializers.FloatField(allow_null=True)


class BlockersSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    population = serializers.IntegerField(
        help_text=_("统计范围：现仍为贫困户的户，或尚未出列的贫困村")
    )
    met = serializers.IntegerField()
    met_share = serializers.FloatField(allow_null=True)
    rows = BlockerRowSerializer(many=True)


class AreaBlockersSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    population = serializers.IntegerField()
    met = serializers.IntegerField()
    met_share = serializers.FloatField(allow_null=True)
    drillable = serializers.BooleanField(help_text=_("有下级区划"))
    rows = BlockerRowSerializer(many=True)


class BlockersReportSerializer(serializers.Serializer):
    area = serializers.CharField(help_text=_("报告的区划代码；空：全部"))
    area_name = serializers.CharField()
    household = BlockersSerializer()
    village = BlockersSerializer()
    household_by_area = AreaBlockersSerializer(many=True, help_text=_("下一级各区划"))
    village_by_area = AreaBlockersSerializer(many=True)


# ---------------------------------------------------------------- villages


class VillageCellSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.id")
    label = serializers.CharField(source="indicator.label")
    value = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)
    sentence = serializers.CharField()


class VillageReadinessSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    township = serializers.CharField()
    county = serializers.CharField()
    poor = serializers.BooleanField(help_text=_("贫困村"))
    exited_on = serializers.DateField(allow_null=True, help_text=_("贫困村出列日期"))
    planned_exit_year = serializers.IntegerField(allow_null=True, help_text=_("贫困村计划出列年度"))
    incidence = serializers.FloatField(allow_null=True, help_text=_("贫困发生率（%）"))
    ready = serializers.BooleanField(help_text=_("本次评估达标"))
    klass = serializers.ChoiceField(choices=reports.VillageClass.choices)
    klass_label = serializers.CharField()
    indicators = VillageCellSerializer(many=True, source="cells")
    missing = serializers.ListField(child=serializers.CharField(), help_text=_("未达标的说明"))


# ---------------------------------------------------------------- counties


class CountyIndicatorSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.id")
    label = serializers.CharField(source="indicator.label")
    value = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField()
    sentence = serializers.CharField()
    projectable = serializers.BooleanField(help_text=_("可测算；否则测算值同本次评估（不变）"))
    projected = serializers.FloatField(allow_null=True, help_text=_("假设可退出户退出后的值"))
    projected_met = serializers.BooleanField()


class PlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    township = serializers.CharField()


class CountyProjectionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    met = serializers.BooleanField(help_text=_("本次评估县级结论"))
    poor_villages = serializers.IntegerField()
    exited = serializers.IntegerField(help_text=_("评估年度前已出列"))
    planned = serializers.IntegerField(help_text=_("计划本年出列"))
    planned_ready = serializers.IntegerField()
    planned_not_ready = serializers.IntegerField()
    required = serializers.IntegerField(help_text=_("需出列数：贫困村数 × 90%，向上取整"))
    gap = serializers.IntegerField()
    can_close_gap = serializers.BooleanField()
    ready_unplanned = PlaceSerializer(many=True, help_text=_("已达标但未列入本年计划的贫困村"))
    rural_population = serializers.IntegerField()
    poor_persons = serializers.IntegerField()
    candidate_persons = serializers.IntegerField(help_text=_("其中可退出户人口"))
    projected_poor_persons = serializers.IntegerField()
    projected_exited = serializers.IntegerField()
    projected_met = serializers.BooleanField(help_text=_("假设可退出户和村退出后全部指标达标"))
    indicators = CountyIndicatorSerializer(many=True)
