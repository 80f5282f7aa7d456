"""The checks one area must pass, shared by the admin form (`Area.clean`), the services and the
area workbook import: the same rule wherever an area is written.

`check_area` reads plain values (field name → value) so the import can check a row merged with
the stored area before any instance exists.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from jingzhun import areacodes

from .choices import Level

# Precision poverty alleviation (建档立卡) began with the 2013 identification.
MIN_YEAR = 2013
CODE_LENGTHS = (2, 4, 6, 9, 12)

# Attributes that only one level carries (the village and the county exit standards read them).
VILLAGE_FIELDS = (
    "rural_population",
    "poor_village",
    "poor_village_exited_on",
    "poor_village_planned_exit_year",
    "hardened_road",
    "safe_water",
    "grid_power",
    "broadband",
    "radio_tv",
    "clinic_with_doctor",
    "public_space",
    "collective_income",
)
COUNTY_FIELDS = (
    "rural_income_per_capita",
    "rural_income_growth",
    "province_income_growth",
    "education_balance_year",
    # Printed on the county's public notices (issue #13 item 6).
    "supervision_phone",
    "objection_address",
)
# A hotline as people write it: 12317, 0871-12345678, +86 871 1234 5678.
PHONE = re.compile(r"\+?[0-9][0-9 -]{2,30}")
# Amounts that cannot be negative; the two growth rates (增幅) can.
NON_NEGATIVE = ("rural_population", "collective_income", "rural_income_per_capita")


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def normalise_code(value: Any) -> str:
    """A 2/4/6/9/12-digit code as its 12-digit form; ValueError with a Chinese message else."""
    word = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        word = str(int(value))
    # ASCII digits only: isdigit() also passes full-width and Arabic-Indic digits, and an area
    # stored under such a code would be a second copy of the real one (issue #11 item 3).
    if not (word.isascii() and word.isdigit()) or len(word) not in CODE_LENGTHS:
        raise ValueError(
            _("区划代码应为12位数字（也可填2、4、6、9位，自动补0），实际为「{value}」").format(
                value=word[:40]
            )
        )
    return areacodes.pad(word)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value is False


def check_area(values: Mapping[str, Any], today: datetime.date) -> list[Problem]:
    """Problems of one area's values: level and parent agree with the code, level-specific
    attributes only on their level, exit facts only on poor villages, years and amounts sane."""
    problems: list[Problem] = []
    code = values.get("code") or ""
    if not (code.isascii() and code.isdigit() and len(code) == 12):
        return [Problem("code", _("区划代码应为12位数字，实际为「{value}」").format(value=code))]
    level = areacodes.level_of(code)
    given_level = values.get("level")
    if given_level and given_level != level:
        problems.append(
            Problem(
                "level",
                _("区划代码「{code}」是{expected}级代码，级别填的是「{value}」").format(
                    code=code, expected=Level(level).label, value=Level(given_level).label
                ),
            )
        )
    expected_parent = areacodes.parent_code(code)
    parent = values.get("parent_id") or None
    if parent != expected_parent:
        if expected_parent is None:
            message = _("省级区划没有上级，实际填了「{value}」").format(value=parent)
        else:
            message = _(
                "上级区划代码应为「{expected}」（区划代码的前{n}位），实际为「{value}」"
            ).format(
                expected=expected_parent,
                n=areacodes.PREFIX_LENGTH[areacodes.LEVELS[areacodes.LEVELS.index(level) - 1]],
                value=parent or "",
            )
        problems.append(Problem("parent_id", message))
    if level != Level.VILLAGE:
        problems += [
            Problem(name, _("仅行政村填写"))
            for name in VILLAGE_FIELDS
            if not _empty(values.get(name))
        ]
    if level != Level.COUNTY:
        problems += [
            Problem(name, _("仅县级区划填写"))
            for name in COUNTY_FIELDS
            if not _empty(values.get(name))
        ]
    for name in NON_NEGATIVE:
        value = values.get(name)
        if value is not None and Decimal(value) < 0:
            problems.append(Problem(name, _("不能为负数，实际为「{value}」").format(value=value)))
    exited_on = values.get("poor_village_exited_on")
    planned = values.get("poor_village_planned_exit_year")
    poor = bool(values.get("poor_village"))
    if exited_on is not None:
        if exited_on > today:
            problems.append(
                Problem(
                    "poor_village_exited_on",
                    _("出列日期不能晚于今天，实际为「{value}」").format(
                        value=exited_on.isoformat()
                    ),
                )
            )
        elif exited_on.year < MIN_YEAR:
            problems.append(
                Problem(
                    "poor_village_exited_on",
                    _("出列日期不能早于{year}年，实际为「{value}」").format(
                        year=MIN_YEAR, value=exited_on.isoformat()
                    ),
                )
            )
        if not poor and level == Level.VILLAGE:
            problems.append(Problem("poor_village_exited_on", _("只有贫困村才有出列日期")))
    if planned is not None:
        if not MIN_YEAR <= planned <= today.year + 1:
            problems.append(
                Problem(
                    "poor_village_planned_exit_year",
                    _("计划出列年度应在{low}至{high}之间，实际为「{value}」").format(
                        low=MIN_YEAR, high=today.year + 1, value=planned
                    ),
                )
            )
        if not poor and level == Level.VILLAGE:
            problems.append(
                Problem("poor_village_planned_exit_year", _("只有贫困村才有计划出列年度"))
            )
    phone = (values.get("supervision_phone") or "").strip()
    if phone and not PHONE.fullmatch(phone):
        problems.append(
            Problem(
                "supervision_phone",
                _("监督举报电话只能包含数字、空格和短横线，实际为「{value}」").format(value=phone),
            )
        )
    year = values.get("education_balance_year")
    if year is not None and not MIN_YEAR - 10 <= year <= today.year:
        problems.append(
            Problem(
                "education_balance_year",
                _("认定年度应在{low}至{high}之间，实际为「{value}」").format(
                    low=MIN_YEAR - 10, high=today.year, value=year
                ),
            )
        )
    return problems
