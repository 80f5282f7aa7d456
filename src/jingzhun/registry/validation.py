"""Registry validation shared by forms, the API and the Excel import.

Each check returns a list of `Problem(field, message)`; messages are Chinese (gettext source),
so a row-level caller can prefix the row and the column header.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from jingzhun import idcodes

from . import choices as c


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_person(person: Mapping[str, Any], today: datetime.date) -> list[Problem]:
    """One member: ID number valid and consistent with sex and birth date; schooling by age."""
    problems: list[Problem] = []
    try:
        facts = idcodes.parse(person.get("id_number") or "")
    except idcodes.IdNumberError as exc:
        return [Problem("id_number", _(str(exc)))]
    sex = person.get("sex")
    if sex and sex != facts.sex:
        problems.append(
            Problem(
                "sex", _("性别与身份证号码不符(号码显示为{sex})").format(sex=c.Sex(facts.sex).label)
            )
        )
    birth = person.get("birth_date")
    if birth and birth != facts.birth_date:
        problems.append(
            Problem(
                "birth_date",
                _("出生日期与身份证号码不符(号码显示为{date})").format(
                    date=facts.birth_date.isoformat()
                ),
            )
        )
    born = birth or facts.birth_date
    age = age_on(born, today)
    schooling = person.get("schooling") or c.Schooling.NONE
    if schooling == c.Schooling.PRIMARY and not 5 <= age <= 16:
        problems.append(Problem("schooling", _("{age}岁不应为小学在校生").format(age=age)))
    if schooling == c.Schooling.JUNIOR and not 10 <= age <= 19:
        problems.append(Problem("schooling", _("{age}岁不应为初中在校生").format(age=age)))
    if schooling == c.Schooling.PRESCHOOL and age > 7:
        problems.append(Problem("schooling", _("{age}岁不应为学前教育").format(age=age)))
    work_months = person.get("work_months") or 0
    if person.get("work_status") in (None, "", c.WorkStatus.NONE) and work_months > 0:
        problems.append(Problem("work_months", _("未务工但务工时间大于0")))
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
        problems.append(Problem("other_causes", _("其他致贫原因不能与主要致贫原因重复")))
    entry, exit_year = household.get("entry_year"), household.get("exit_year")
    if entry and exit_year and exit_year < entry:
        problems.append(Problem("exit_year", _("脱贫年度不能早于识别年度")))
    if household.get("status") == c.Status.EXITED and not exit_year:
        problems.append(Problem("exit_year", _("已脱贫户须填写脱贫年度")))
    return problems
