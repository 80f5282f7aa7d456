"""The form that starts an assessment run from the page."""

from __future__ import annotations

import importlib.util
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhun.areas.choices import Level as AreaLevel
from jingzhun.areas.models import Area
from jingzhun.standards import loader

from .choices import Engine
from .services import default_standard_id

AREA_CHOICES_LIMIT = 2_000


def engine_choices() -> list[tuple[str, str]]:
    """Spark is offered only where its optional extra is installed."""
    spark = importlib.util.find_spec("pyspark") is not None
    return [(e.value, e.label) for e in Engine if e != Engine.SPARK or spark]


class RunForm(forms.Form):
    standard = forms.ChoiceField(label=_("退出标准"))
    year = forms.IntegerField(label=_("评估年度"), min_value=2000, max_value=2100, required=False)
    engine = forms.ChoiceField(label=_("计算引擎"))
    area = forms.ChoiceField(label=_("评估范围"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        standards = loader.available()
        self.fields["standard"].choices = [(s.id, f"{s.name}({s.id},{s.year})") for s in standards]
        self.fields["standard"].initial = default_standard_id()
        self.fields["year"].help_text = _("留空则用标准所定年度")
        self.fields["engine"].choices = engine_choices()
        self.fields["engine"].initial = Engine.DB
        visible = Area.objects.visible_to(user)
        levels = [AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
        # A province-wide user would get thousands of villages: offer counties and townships.
        if visible.filter(level__in=levels).count() > AREA_CHOICES_LIMIT:
            levels = levels[:2]
        areas = visible.filter(level__in=levels).values_list("code", "name", "level")
        indent = {AreaLevel.TOWNSHIP: "\u3000", AreaLevel.VILLAGE: "\u3000\u3000"}
        own = [("", _("本人管辖范围（全部）"))]
        self.fields["area"].choices = own + [
            (code, indent.get(level, "") + name) for code, name, level in areas
        ]
