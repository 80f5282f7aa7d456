"""Read-only API of the comparison report (比对报表): the same figures as the page, from the same
`comparison.reports` (scoped by `visible_to`): per area one level under the asked area, per
rule and the total, with the 错评率 and 漏评率 as numerator, denominator and percent."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import reports


class ReportFiguresSerializer(serializers.Serializer):
    flagged = serializers.IntegerField(help_text=_("比对发现"))
    open = serializers.IntegerField(help_text=_("待核查"))
    confirmed = serializers.IntegerField(help_text=_("核实属实"))
    dismissed = serializers.IntegerField(help_text=_("核实不属实"))
    resolved = serializers.IntegerField(help_text=_("原因已消除"))
    overdue = serializers.IntegerField(help_text=_("核查任务逾期未办结"))
    flagged_households = serializers.IntegerField(help_text=_("涉及户数"))
    households = serializers.IntegerField(help_text=_("比对户数"))
    flagged_share = serializers.FloatField(allow_null=True, help_text=_("涉及户占比（%）"))
    wrong_households = serializers.IntegerField(help_text=_("核实错评户数"))
    wrong_rate = serializers.FloatField(allow_null=True, help_text=_("错评率（户，%）"))
    persons = serializers.IntegerField(help_text=_("比对户人数"))
    wrong_persons = serializers.IntegerField(help_text=_("核实错评户人数"))
    wrong_person_rate = serializers.FloatField(allow_null=True, help_text=_("错评率（人，%）"))
    omitted = serializers.IntegerField(help_text=_("调查核实的漏评人口数"))
    unregistered = serializers.IntegerField(
        allow_null=True, help_text=_("未建档立卡农村人口数；无农村户籍人口数据时为空")
    )
    omission_rate = serializers.FloatField(allow_null=True, help_text=_("漏评率（%）"))


class ReportAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    own = serializers.BooleanField(help_text=_("本级：未落实到下级区划的比对发现"))
    figures = ReportFiguresSerializer()


class ReportRuleSerializer(serializers.Serializer):
    rule = serializers.CharField()
    label = serializers.CharField()
    meaning = serializers.CharField()
    figures = ReportFiguresSerializer()


class ComparisonReportSerializer(serializers.Serializer):
    area = serializers.CharField(source="code", help_text=_("报表区划代码；空为全部"))
    year = serializers.IntegerField(allow_null=True, help_text=_("比对年度；空为全部年度"))
    areas = ReportAreaSerializer(many=True)
    rules = ReportRuleSerializer(many=True)
    total = ReportFiguresSerializer()


class ComparisonReportView(APIView):
    """The comparison report of the caller's area, or of `area` under it (an area outside the
    caller's is ignored: their own is reported)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("area", OpenApiTypes.STR, description=str(_("区划代码（可选）"))),
            OpenApiParameter(
                "year", OpenApiTypes.INT, description=str(_("比对年度（可选；省略为全部年度）"))
            ),
        ],
        responses={200: ComparisonReportSerializer},
    )
    def get(self, request: Request) -> Response:
        area = str(request.query_params.get("area", "")).strip()
        year = reports.chosen_year(request.query_params.get("year"))
        report = reports.comparison_report(request.user, area, year)
        return Response(ComparisonReportSerializer(report).data)
