"""The draft-standard editor's form, built from the adopted standard: per level each indicator
with its label, an on/off box and, where its threshold is a number, that number; the
standard's parameters; rows to add an indicator from the vocabulary. `edits()` turns the
cleaned form into `standards.drafting.DraftEdits`; the TOML is written by `draft_toml`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jingzhun import povertylines
from jingzhun.standards import Standard
from jingzhun.standards.drafting import (
    COMPARISONS,
    LEVELS,
    MAX_DECIMALS,
    DraftEdits,
    NewIndicator,
    addable_fields,
    numeric_threshold,
)
from jingzhun.standards.schema import POVERTY_LINE, YEAR, Indicator

from .choices import Level
from .names import english, name_of

ADD_ROWS = 3
OP_LABELS = {
    ">": _("高于"),
    ">=": _("不低于"),
    "<": _("低于"),
    "<=": _("不高于"),
    "==": _("等于"),
    "!=": _("不等于"),
    "is_true": _("为“是”"),
}


def _number_field(label: Any, initial: Decimal | None, required: bool = True) -> forms.Field:
    return forms.DecimalField(
        label=label,
        initial=initial,
        required=required,
        max_digits=10 + MAX_DECIMALS,
        decimal_places=MAX_DECIMALS,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def threshold_words(standard: Standard, indicator: Indicator) -> str:
    """How a threshold the form does not edit as a number reads."""
    threshold = indicator.threshold
    if threshold == POVERTY_LINE:
        # The line changes every year (data/poverty_lines.toml): named, with the standard
        # year's figure for orientation.
        try:
            line = povertylines.line(standard.year, standard.poverty_line_table)
        except KeyError:
            return gettext("当年扶贫标准线")
        return gettext("当年扶贫标准线（{year} 年为 {line} 元）").format(
            year=standard.year, line=intcomma(int(line)) if line == int(line) else line
        )
    if threshold == YEAR:
        return gettext("评估年度")
    if isinstance(threshold, str):
        return gettext("参数 {name}（见上方参数）").format(name=threshold)
    return ""


class DraftForm(forms.Form):
    name = forms.CharField(label=_("草案名称"), max_length=200)
    name_en = forms.CharField(label=_("草案英文名称"), max_length=200)

    def __init__(self, *args: Any, adopted: Standard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.adopted = adopted
        self.fields["name"].initial = gettext("{name}（征求意见稿）").format(name=adopted.name)
        self.fields["name_en"].initial = f"{adopted.name_en} (draft)"
        for name, value in adopted.parameters.items():
            self.fields[f"param__{name}"] = _number_field(name, value)
        for level in LEVELS:
            for indicator in adopted.indicators(level):
                key = f"{level}__{indicator.id}"
                label = indicator.label_en if english() else indicator.label
                self.fields[f"on__{key}"] = forms.BooleanField(
                    label=label, required=False, initial=True
                )
                if numeric_threshold(indicator):
                    self.fields[f"threshold__{key}"] = _number_field(
                        gettext("阈值"), indicator.threshold, required=False
                    )
        field_choices: list[Any] = [("", "—")]
        for level in LEVELS:
            group = [
                (f"{level}.{f.name}", f.en if english() else f.zh) for f in addable_fields(level)
            ]
            field_choices.append((str(Level(level).label), group))
        for row in range(ADD_ROWS):
            self.fields[f"add{row}_field"] = forms.ChoiceField(
                label=_("字段"), choices=field_choices, required=False
            )
            self.fields[f"add{row}_op"] = forms.ChoiceField(
                label=_("比较"),
                choices=[(op, OP_LABELS[op]) for op in (*COMPARISONS, "is_true")],
                required=False,
            )
            self.fields[f"add{row}_threshold"] = _number_field(_("阈值"), None, required=False)
            self.fields[f"add{row}_label"] = forms.CharField(
                label=_("指标名称"), max_length=200, required=False
            )

    # ------------------------------------------------------------------ what the template shows

    def parameter_rows(self) -> list[Any]:
        return [self[f"param__{name}"] for name in self.adopted.parameters]

    def levels(self) -> list[dict[str, Any]]:
        """Per level: its label and, per indicator, the on box, the threshold input or words."""
        out = []
        for level in LEVELS:
            rows = []
            for indicator in self.adopted.indicators(level):
                key = f"{level}__{indicator.id}"
                rows.append(
                    {
                        "id": indicator.id,
                        "on": self[f"on__{key}"],
                        "threshold": self[f"threshold__{key}"]
                        if f"threshold__{key}" in self.fields
                        else None,
                        "words": threshold_words(self.adopted, indicator),
                        "op": OP_LABELS.get(indicator.op, indicator.op),
                        "yes_no": indicator.op == "is_true",
                    }
                )
            out.append({"level": level, "label": Level(level).label, "rows": rows})
        return out

    def add_rows(self) -> list[dict[str, Any]]:
        return [
            {name: self[f"add{row}_{name}"] for name in ("field", "op", "threshold", "label")}
            for row in range(ADD_ROWS)
        ]

    def adopted_name(self) -> str:
        return name_of(self.adopted)

    # ------------------------------------------------------------------ validation

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for row in range(ADD_ROWS):
            chosen = data.get(f"add{row}_field")
            if not chosen:
                continue
            level, _dot, name = chosen.partition(".")
            field = next((f for f in addable_fields(level) if f.name == name), None)
            op = data.get(f"add{row}_op")
            if field is None:
                self.add_error(f"add{row}_field", gettext("未知字段"))
            elif field.type == "bool" and op != "is_true":
                message = gettext("“{field}”是是否项，只能选“为‘是’”")
                self.add_error(f"add{row}_op", message.format(field=field.zh))
            elif field.type != "bool" and op == "is_true":
                self.add_error(
                    f"add{row}_op", gettext("“{field}”是数值，请选一个比较").format(field=field.zh)
                )
            elif field.type != "bool" and data.get(f"add{row}_threshold") is None:
                self.add_error(f"add{row}_threshold", gettext("请填写阈值"))
        return data

    def edits(self) -> DraftEdits:
        """The cleaned form as the edits `draft_toml` writes."""
        data = self.cleaned_data
        thresholds: dict[tuple[str, str], Decimal] = {}
        off = set()
        for level in LEVELS:
            for indicator in self.adopted.indicators(level):
                key = f"{level}__{indicator.id}"
                if not data.get(f"on__{key}"):
                    off.add((level, indicator.id))
                value = data.get(f"threshold__{key}")
                if value is not None:
                    thresholds[(level, indicator.id)] = value
        added = []
        for row in range(ADD_ROWS):
            chosen = data.get(f"add{row}_field")
            if not chosen:
                continue
            level, _dot, name = chosen.partition(".")
            field = next(f for f in addable_fields(level) if f.name == name)
            op = "is_true" if field.type == "bool" else data[f"add{row}_op"]
            label = (data.get(f"add{row}_label") or "").strip()
            added.append(
                NewIndicator(
                    level=level,
                    field=name,
                    op=op,
                    threshold=None if op == "is_true" else data[f"add{row}_threshold"],
                    # One name serves both languages when the officer typed one: the
                    # vocabulary's words otherwise.
                    label=label or field.zh,
                    label_en=label if label and english() else field.en,
                )
            )
        return DraftEdits(
            name=data["name"],
            name_en=data["name_en"],
            parameters={
                name: data[f"param__{name}"]
                for name in self.adopted.parameters
                if data.get(f"param__{name}") is not None
            },
            thresholds=thresholds,
            off=frozenset(off),
            added=tuple(added),
        )

    @classmethod
    def initial_from(cls, adopted: Standard, edits: DraftEdits) -> dict[str, Any]:
        """The form's data filled from a draft's edits (a draft pasted or uploaded as TOML)."""
        data: dict[str, Any] = {"name": edits.name, "name_en": edits.name_en}
        for name, value in adopted.parameters.items():
            data[f"param__{name}"] = edits.parameters.get(name, value)
        for level in LEVELS:
            for indicator in adopted.indicators(level):
                key = f"{level}__{indicator.id}"
                if (level, indicator.id) not in edits.off:
                    data[f"on__{key}"] = "on"
                if numeric_threshold(indicator):
                    data[f"threshold__{key}"] = edits.thresholds.get(
                        (level, indicator.id), indicator.threshold
                    )
        for row, new in enumerate(edits.added[:ADD_ROWS]):
            data[f"add{row}_field"] = f"{new.level}.{new.field}"
            data[f"add{row}_op"] = new.op
            data[f"add{row}_threshold"] = new.threshold
            data[f"add{row}_label"] = new.label
        return data
