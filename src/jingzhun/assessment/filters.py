"""FilterSets of the assessment API (the run list page shows the newest runs unfiltered)."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jingzhun.core.filters import FilterSet

from .choices import Engine, Status
from .models import AssessmentRun


class RunFilter(FilterSet):
    standard = df.CharFilter(field_name="standard_id", label=_("退出标准"))
    status = df.MultipleChoiceFilter(distinct=False, choices=Status.choices, label=_("状态"))
    engine = df.ChoiceFilter(choices=Engine.choices, label=_("计算引擎"))

    class Meta:
        model = AssessmentRun
        fields = ["standard", "year", "status", "engine"]
