"""The registry workbook's layout: sheets, column headers and how each cell maps to a field.

Columns are derived from the models (header = the field's Chinese verbose_name, the national form's
word), so a field added to a model appears in the template, the export and the import at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models

from jingzhun import idcodes
from jingzhun.workbook.columns import Column, choice_labels, model_column

from .. import choices as c
from ..models import Helper, Household, Income, Measure, Person

HOUSEHOLD_NUMBER = "户编号"
VILLAGE_CODE = "所在行政村代码"
VILLAGE_NAME = "所在行政村名称"


@dataclass(frozen=True)
class Sheet:
    title: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # fields identifying a row (natural key) for upserts
    example: dict[str, object] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        return next(col for col in self.columns if col.field == name)

    def importable(self) -> list[Column]:
        return [col for col in self.columns if not col.readonly]


def _model_columns(model: type[models.Model], skip: set[str], **overrides: dict) -> list[Column]:
    columns = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in skip or f.name in {"created", "updated"}:
            continue
        columns.append(model_column(f, **overrides.get(f.name, {})))
    return columns


def _household_ref() -> Column:
    return Column("household_number", HOUSEHOLD_NUMBER, "ref", required=True, width=22)


def _households() -> Sheet:
    fields = {f.name: f for f in Household._meta.concrete_fields}
    head = [
        model_column(fields["number"], width=22),
        Column("village_id", VILLAGE_CODE, "text", required=True, max_length=12, width=16),
        Column("village_name", VILLAGE_NAME, "text", readonly=True, width=20),
    ]
    rest = _model_columns(
        Household,
        {"number", "village"},
        other_causes={"kind": "choices", "choices": choice_labels(c.Cause), "width": 24},
        main_cause={"width": 16},
    )
    return Sheet(
        "户",
        Household,
        tuple(head + rest),
        ("number",),
        example={
            "number": "532527100201000001",
            "village_id": "532527100201",
            "village_name": "示例村",
            "hamlet": "一组",
            "main_cause": "illness",
            "other_causes": "skills,capital",
            "entry_year": 2015,
        },
    )


def _persons() -> Sheet:
    columns = [
        _household_ref(),
        *_model_columns(
            Person,
            {"household"},
            name={"width": 10},
            id_number={"width": 22},
            # Sex and birth date can be left empty: they are read from the ID number.
            sex={"required": False},
            birth_date={"required": False, "width": 12},
            ethnicity={"kind": "choice", "choices": tuple((e, e) for e in c.ETHNICITIES)},
        ),
    ]
    return Sheet(
        "成员",
        Person,
        tuple(columns),
        ("id_number",),
        example={
            "household_number": "532527100201000001",
            "name": "张三",
            # Born in 东城区, Beijing: no demo or test number (泸西县 532527) can be the same.
            "id_number": idcodes.make("110101", datetime.date(1980, 1, 1), 0, female=False),
            "relation": "head",
        },
    )


DERIVED_INCOME = ("transfer_income", "net_income", "income_per_capita")


def _incomes() -> Sheet:
    columns = [
        _household_ref(),
        *_model_columns(
            Income,
            {"household"},
            # Empty: the number of members the household has after the import.
            members_count={"required": False},
            **{name: {"readonly": True} for name in DERIVED_INCOME},
        ),
    ]
    return Sheet(
        "收入",
        Income,
        tuple(columns),
        ("household_id", "year"),
        example={
            "household_number": "532527100201000001",
            "year": 2018,
            "members_count": 1,
            "wage_income": "6000",
        },
    )


def _helpers() -> Sheet:
    return Sheet(
        "帮扶责任人",
        Helper,
        (_household_ref(), *_model_columns(Helper, {"household"}, unit={"width": 30})),
        ("household_id", "name", "unit"),
        example={"household_number": "532527100201000001", "name": "李四", "unit": "县农业局"},
    )


def _measures() -> Sheet:
    return Sheet(
        "帮扶措施",
        Measure,
        (_household_ref(), *_model_columns(Measure, {"household"}, description={"width": 40})),
        ("household_id", "kind", "year", "description"),
        example={
            "household_number": "532527100201000001",
            "kind": "industry",
            "year": 2018,
            "amount": "2000",
            "description": "发放仔猪",
        },
    )


SHEETS: tuple[Sheet, ...] = (_households(), _persons(), _incomes(), _helpers(), _measures())
BY_TITLE = {sheet.title: sheet for sheet in SHEETS}
HOUSEHOLDS, PERSONS, INCOMES, HELPERS, MEASURES = SHEETS
