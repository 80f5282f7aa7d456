"""Registry validation shared by forms, the API and the Excel import.

Each check returns a list of `Problem(field, message)`; messages are Chinese (gettext source),
so a row-level caller can prefix the row and the column header.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun import idcodes
from jingzhun.workbook.cells import shown

from . import choices as c


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


# Years of the registry (识别, 脱贫, 搬迁, 收入, 措施 and the import's 数据年度): from the year
# before targeted poverty registration began (建档立卡, 2014) to next year.
MIN_YEAR = 2013

# A mainland mobile number, or a fixed line with its area code (0873-1234567, 01012345678).
# ASCII digits only ([0-9], never `\d`, which matches full-width and Arabic-Indic digits too):
# a number stored with other digits is a second copy that no search finds (issue #11 item 3).
PHONE = re.compile(r"^(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")
PHONE_FIELDS = ("phone",)
# 户编号: digits, beginning with the county's 6-digit area code (a number is unique within the
# county), 16 to 18 long: the village's 12-digit code and a 4- to 6-digit serial.
HOUSEHOLD_NUMBER = re.compile(r"^[0-9]{16,18}$")
YEAR_FIELDS = ("entry_year", "exit_year", "relocation_year", "year")
# Amounts that are never negative: every income part (operating income is gross, its costs are
# the separate operating_expenses, so only the derived net income can fall below zero), the
# transfer parts and a measure's amount.
NON_NEGATIVE = (
    "wage_income",
    "operating_income",
    "operating_expenses",
    "property_income",
    "dibao_income",
    "destitute_income",
    "pension_income",
    "eco_compensation",
    "family_planning_award",
    "other_transfer",
    "amount",
)


def check_values(values: Mapping[str, Any], *, county: str = "") -> list[Problem]:
    """Single values of any registry record, the same on the form, the API and the import:
    phone numbers, the household number (against `county`, the 6-digit code of its county, when
    known), years between MIN_YEAR and next year, amounts not negative. Each message echoes the
    bad value; only the fields present in `values` are checked (a caller passes what it writes).
    """
    problems: list[Problem] = []
    for name in PHONE_FIELDS:
        phone = values.get(name)
        if phone and not PHONE.match(str(phone)):
            problems.append(
                Problem(
                    name,
                    _(
                        "应为11位手机号码或带区号的固定电话（如 0873-1234567），实际为「{value}」"
                    ).format(value=shown(phone)),
                )
            )
    number = values.get("number")
    if number is not None and (
        not HOUSEHOLD_NUMBER.match(str(number)) or not str(number).startswith(county)
    ):
        message = (
            _("应为以所在县区划代码{county}开头的16至18位数字，实际为「{value}」")
            if county
            else _("应为16至18位数字，实际为「{value}」")
        )
        problems.append(Problem("number", message.format(county=county, value=shown(number))))
    high = timezone.localdate().year + 1
    for name in YEAR_FIELDS:
        year = values.get(name)
        if year is not None and year != "" and not MIN_YEAR <= int(year) <= high:
            problems.append(
                Problem(
                    name,
                    _("应在{low}至{high}之间，实际为「{value}」").format(
                        low=MIN_YEAR, high=high, value=shown(year)
                    ),
                )
            )
    for name in NON_NEGATIVE:
        amount = values.get(name)
        if amount is not None and amount != "" and amount < 0:
            problems.append(
                Problem(name, _("不能为负数，实际为「{value}」").format(value=shown(amount)))
            )
    return problems


# Schooling → (youngest, oldest) age at the end of the data year: wider than the school ages
# (preschool 3–6, primary 6–12, junior 12–15) to allow early and late starters and repeaters.
SCHOOLING_AGES: dict[str, tuple[int, int]] = {
    c.Schooling.PRESCHOOL: (0, 7),
    c.Schooling.PRIMARY: (5, 16),
    c.Schooling.JUNIOR: (10, 19),
}


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def reference_date(year: int) -> datetime.date:
    """The day a record of data year `year` describes: 31 December of that year.

    The registry is a year-end snapshot (the annual update closes on the year's data, incomes are
    the calendar year's), so ages are the age at the end of the data year. The schooling bounds
    below are a year wider than the school ages, so a child who starts school on 1 September at
    six is inside them whether counted on 1 September or on 31 December.
    """
    return datetime.date(year, 12, 31)


def age_in(birth: datetime.date, year: int) -> int:
    """Age at the end of data year `year` (see `reference_date`); negative if born later."""
    return age_on(birth, reference_date(year))


def check_person(person: Mapping[str, Any], year: int) -> list[Problem]:
    """One member: ID number valid and consistent with sex and birth date; schooling by the age
    at the end of the data year `year` (the import's 数据年度, the household's latest income
    year on the form and API), never by today's age: a 2018 registry is checked as of 2018."""
    problems: list[Problem] = []
    try:
        facts = idcodes.parse(person.get("id_number") or "")
    except idcodes.IdNumberError as exc:
        return [Problem("id_number", _(str(exc)))]
    sex = person.get("sex")
    if sex and sex != facts.sex:
        problems.append(
            Problem(
                "sex",
                _("「{value}」与身份证号码不符（号码显示为{shown}）").format(
                    value=c.Sex(sex).label if sex in c.Sex.values else shown(sex),
                    shown=c.Sex(facts.sex).label,
                ),
            )
        )
    birth = person.get("birth_date")
    if birth and birth != facts.birth_date:
        problems.append(
            Problem(
                "birth_date",
                _("「{value}」与身份证号码不符（号码显示为{shown}）").format(
                    value=shown(birth), shown=facts.birth_date.isoformat()
                ),
            )
        )
    born = birth or facts.birth_date
    age = age_in(born, year)
    schooling = person.get("schooling") or c.Schooling.NONE
    ages = SCHOOLING_AGES.get(schooling)
    if ages is not None and not ages[0] <= age <= ages[1]:
        problems.append(
            Problem(
                "schooling",
                _("「{schooling}」与年龄不符：{year}年末{age}岁（应为{low}至{high}岁）").format(
                    schooling=c.Schooling(schooling).label,
                    year=year,
                    age=age,
                    low=ages[0],
                    high=ages[1],
                ),
            )
        )
    work_months = person.get("work_months") or 0
    if person.get("work_status") in (None, "", c.WorkStatus.NONE) and work_months > 0:
        problems.append(
            Problem(
                "work_months",
                _("未务工但务工时间为「{value}」个月").format(value=shown(work_months)),
            )
        )
    if person.get("health") == c.Health.DISABLED and not person.get("disability_grade"):
        problems.append(Problem("disability_grade", _("健康状况为残疾时须填写残疾等级")))
    return problems


def check_members(members: Iterable[Mapping[str, Any]]) -> list[Problem]:
    """A household has exactly one head and no ID number twice."""
    members = list(members)
    problems: list[Problem] = []
    heads = sum(1 for m in members if m.get("relation") == c.Relation.HEAD)
    if heads != 1:
        problems.append(
            Problem("relation", _("每户须有且只有一名户主(现有{count}名)").format(count=heads))
        )
    seen: set[str] = set()
    for member in members:
        number = idcodes.normalise(member.get("id_number") or "")
        if number in seen:
            problems.append(Problem("id_number", _("同一户内身份证号码重复")))
        seen.add(number)
    return problems


def check_household(household: Mapping[str, Any]) -> list[Problem]:
    """Household-level consistency: causes, years."""
    problems: list[Problem] = []
    main = household.get("main_cause")
    others = household.get("other_causes") or []
    if isinstance(others, str):
        others = [v for v in others.split(",") if v]
    if main and main in others:
        problems.append(
            Problem(
                "other_causes",
                _("「{value}」与主要致贫原因重复").format(value=c.Cause(main).label),
            )
        )
    entry, exit_year = household.get("entry_year"), household.get("exit_year")
    if entry and exit_year and exit_year < entry:
        problems.append(
            Problem(
                "exit_year",
                _("「{value}」早于识别年度{entry}").format(value=exit_year, entry=entry),
            )
        )
    if household.get("status") == c.Status.EXITED and not exit_year:
        problems.append(Problem("exit_year", _("已脱贫户须填写脱贫年度")))
    return problems
