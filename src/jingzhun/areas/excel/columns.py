"""The area workbook's layout: one sheet 区划, one row per area, columns from the Area model."""

from __future__ import annotations

import datetime

from django.utils import translation

from jingzhun.workbook.columns import Column, model_column

from ..choices import Level
from ..models import Area
from ..validation import COUNTY_FIELDS, VILLAGE_FIELDS

SHEET = "区划"
INSTRUCTIONS = "说明"
PARENT_HEADER = "上级区划代码"
# Words accepted in the 级别 column besides the labels (省 市 县 乡镇 行政村) and the codes.
LEVEL_ALIASES = {"村": Level.VILLAGE, "乡": Level.TOWNSHIP, "镇": Level.TOWNSHIP}


def _columns() -> tuple[Column, ...]:
    fields = {f.name: f for f in Area._meta.concrete_fields}
    with translation.override("zh-hans"):
        head = [
            Column("code", str(fields["code"].verbose_name), "code", required=True, width=16),
            model_column(fields["name"], width=18),
            Column(
                "level",
                str(fields["level"].verbose_name),
                "choice",
                choices=tuple((value, str(label)) for value, label in Level.choices),
                width=8,
            ),
            Column("parent_id", PARENT_HEADER, "code", width=16),
        ]
        rest = []
        for name in (*VILLAGE_FIELDS, *COUNTY_FIELDS):
            overrides: dict[str, object] = {}
            if name == "rural_population":
                overrides = {"kind": "count"}  # may pass the 32,767 of small-integer columns
            elif name == "poor_village_exited_on":
                overrides = {"kind": "exit_date", "width": 14}
            rest.append(model_column(fields[name], required=False, **overrides))
    return (*head, *rest)


COLUMNS: tuple[Column, ...] = _columns()
BY_FIELD = {col.field: col for col in COLUMNS}
BY_HEADER = {col.header: col for col in COLUMNS}


def header(field: str) -> str:
    return BY_FIELD[field].header


# Example rows of the template (code marked 【示例】): a township and one of its poor villages.
EXAMPLES: tuple[dict[str, object], ...] = (
    {"code": "532527100000", "name": "示例镇", "level": Level.TOWNSHIP,
     "parent_id": "532527000000"},
    {
        "code": "532527100201",
        "name": "示例村",
        "level": Level.VILLAGE,
        "parent_id": "532527100000",
        "rural_population": 2180,
        "poor_village": True,
        "poor_village_exited_on": datetime.date(2017, 12, 20),
        "poor_village_planned_exit_year": 2017,
        "hardened_road": True,
        "safe_water": True,
        "grid_power": True,
        "broadband": True,
        "radio_tv": True,
        "clinic_with_doctor": True,
        "public_space": True,
        "collective_income": 52000,
    },
)  # fmt: skip
