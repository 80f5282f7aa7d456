"""The form that starts an assessment run from the page (and, without the income check, the API).

The engine is not a field: the deployment chooses it (settings.ASSESSMENT_ENGINE); the page
shows which one runs. Standards are offered by their names in the reader's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count, Max, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jingzhun import areacodes
from jingzhun.areas.choices import Level as AreaLevel
from jingzhun.areas.models import Area
from jingzhun.registry.models import Income
from jingzhun.standards import loader

from .choices import Engine
from .names import standard_label
from .services import default_engine, default_standard_id

AREA_CHOICES_LIMIT = 2_000


def engine_label() -> str:
    """The deployment's engine as the page names it."""
    engine = default_engine()
    return str(Engine(engine).label) if engine in Engine.values else engine


def income_years(user: Any, area_code: str, year: int) -> tuple[int, int | None]:
    """(incomes recorded for `year`, the latest year with any income) within the user's scope
    and the chosen area ('' = the user's whole area): ONE scoped, aggregated query."""
    incomes = Income.objects.visible_to(user)
    if area_code:
        incomes = incomes.filter(household__village__code__startswith=areacodes.prefix(area_code))
    row = incomes.aggregate(chosen=Count("pk", filter=Q(year=year)), latest=Max("year"))
    return row["chosen"], row["latest"]


class RunForm(forms.Form):
    standard = forms.ChoiceField(label=_("退出标准"))
    year = forms.IntegerField(label=_("评估年度"), min_value=2000, max_value=2100, required=False)
    area = forms.ChoiceField(label=_("评估范围"), required=False)
    # Shown only after the warning that the year has no income data (check_income).
    confirm_no_income = forms.BooleanField(
        label=_("仍然开始评估（该年度没有收入数据，收入指标将全部判为未达标）"), required=False
    )

    def __init__(self, *args: Any, user: Any, check_income: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.check_income = check_income
        # Set by clean() when the year has no incomes and the user has not confirmed yet.
        self.income_warning = ""
        standards = loader.available()
        self.standards = {s.id: s for s in standards}
        self.fields["standard"].choices = [(s.id, standard_label(s)) for s in standards]
        self.fields["standard"].initial = default_standard_id()
        self.fields["year"].help_text = _("留空则用标准所定年度")
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

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        standard = self.standards.get(data.get("standard") or "")
        if standard is None:
            return data
        year = data.get("year") or standard.year
        if not self.check_income or data.get("confirm_no_income"):
            return data
        try:
            chosen, latest = income_years(self.user, data.get("area") or "", year)
        except ValueError:  # a malformed area code: the service refuses it with its message
            return data
        if chosen:
            return data
        if latest is None:
            self.income_warning = gettext(
                "所选范围内没有任何收入数据：{year} 年度的收入指标将全部判为未达标。"
            ).format(year=year)
        else:
            self.income_warning = gettext(
                "所选范围内没有 {year} 年度的收入数据（有数据的最近年度是 {latest} 年）："
                "收入指标将全部判为未达标。请先导入收入，或改选年度。"
            ).format(year=year, latest=latest)
        self.add_error(None, self.income_warning)
        return data
