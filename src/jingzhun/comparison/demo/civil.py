"""Civil-affairs and payroll lists of the demo county: deaths, public payroll, dibao and
destitute support (hits, near misses and strangers)."""

from __future__ import annotations

import datetime
import random
from typing import Any

from jingzhun import povertylines

from .county import (
    County,
    DatasetPlan,
    Member,
    Row,
    Strangers,
    _count,
    _day,
    _sample,
    _yuan,
)


def _deaths(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    n = len(county.members)
    year = county.year
    sources = ["户籍注销", "火化", "死亡医学证明", "其他"]
    weights = [45, 35, 15, 5]
    old, young = county.aged(60, 120), county.aged(0, 59)
    rows: list[Row] = []

    def died(member: Member, start: datetime.date, end: datetime.date) -> Row:
        source = rng.choices(sources, weights)[0]
        return {
            "id_number": member.id_number,
            "name": member.name,
            "died_on": _day(rng, start, end),
            "source": source,
        }

    hits = _count(plan.deaths_in_year, n, 2)
    # Mostly the elderly: four in five deaths are of persons aged 60 or more.
    chosen = _sample(rng, old, hits * 4 // 5) + _sample(rng, young, hits - hits * 4 // 5)
    dead = set(chosen)
    rest = [m for m in old if m not in dead]
    late = _sample(rng, rest, _count(plan.deaths_after_year, n, 2))
    rows += [died(m, datetime.date(year, 1, 1), datetime.date(year, 12, 31)) for m in chosen]
    rows += [died(m, datetime.date(year + 1, 1, 1), datetime.date(year + 1, 3, 31)) for m in late]
    for _ in range(_count(plan.deaths_others, n, 5)):
        number, name, _female = strangers.draw(rng, 45, 98)
        rows.append(
            {
                "id_number": number,
                "name": name,
                "died_on": _day(rng, datetime.date(year, 1, 1), datetime.date(year, 12, 31)),
                "source": rng.choices(sources, weights)[0],
            }
        )
    return rows


# Employers of the public payroll (after the county's name, or a township's).
GOVERNMENT = [
    "财政局",
    "民政局",
    "农业农村局",
    "人力资源和社会保障局",
    "自然资源局",
    "住房和城乡建设局",
    "水务局",
    "交通运输局",
    "林业和草原局",
    "市场监督管理局",
    "审计局",
    "统计局",
]
PUBLIC_SERVICE = [
    "人民医院",
    "中医医院",
    "疾病预防控制中心",
    "第一中学",
    "第二中学",
    "职业高级中学",
]


def _payroll(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    n, year = len(county.members), county.year
    staff = ["公务员", "参公人员", "事业编制", "其他财政供养"]

    def employer(kind: str, village: str) -> str:
        township = county.township(village)
        if kind == "村干部":
            return county.names[village] + "委会"
        if kind in ("公务员", "参公人员"):
            if rng.random() < 0.4:
                return township + "人民政府"
            return county.name + rng.choice(GOVERNMENT)
        if kind == "事业编制":
            if rng.random() < 0.5:
                return township + rng.choice(("中心学校", "卫生院", "农业综合服务中心"))
            return county.name + rng.choice(PUBLIC_SERVICE)
        return county.name + rng.choice(("供销合作社", "公路管理段", "林场"))

    def since() -> datetime.date:
        return _day(rng, datetime.date(1995, 1, 1), datetime.date(year, 9, 30))

    rows: list[Row] = []
    adults = county.aged(22, 58)
    hits = _sample(rng, adults, _count(plan.payroll_hits, n, 2))
    chosen = set(hits)
    others = [m for m in county.aged(25, 60) if m not in chosen]
    cadres = _sample(rng, others, _count(plan.payroll_cadres, n, 2))
    for member in hits:
        kind = rng.choices(staff, weights=[3, 1, 5, 1])[0]
        rows.append(
            {
                "id_number": member.id_number,
                "name": member.name,
                "employer": employer(kind, member.village),
                "staff_kind": kind,
                "since": since(),
            }
        )
    for member in cadres:
        rows.append(
            {
                "id_number": member.id_number,
                "name": member.name,
                "employer": employer("村干部", member.village),
                "staff_kind": "村干部",
                "since": since(),
            }
        )
    for _ in range(_count(plan.payroll_others, n, 5)):
        number, name, _female = strangers.draw(rng, 22, 59)
        kind = rng.choices([*staff, "村干部"], weights=[30, 5, 50, 5, 10])[0]
        village = rng.choice(county.villages)
        rows.append(
            {
                "id_number": number,
                "name": name,
                "employer": employer(kind, village),
                "staff_kind": kind,
                "since": since(),
            }
        )
    return rows


DIBAO_MONTHLY = (135, 185, 240, 300)  # per person, by 分类施保 class
DESTITUTE_MONTHLY = (380, 400, 420)


def _assistance(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    n, year = len(county.members), county.year
    line = povertylines.line(year)

    def since() -> datetime.date:
        return _day(rng, datetime.date(2012, 1, 1), datetime.date(year, 10, 31))

    def listed(members: list[Member], kind: str, status: str, income: Any) -> list[Row]:
        start = since()
        monthly = rng.choice(DIBAO_MONTHLY if kind == "低保" else DESTITUTE_MONTHLY)
        return [
            {
                "id_number": m.id_number,
                "name": m.name,
                "area_code": m.village,
                "assistance_kind": kind,
                "monthly_amount": monthly,
                "household_size": len(members),
                "household_income": income,
                "since": start,
                "status": status,
            }
            for m in members
        ]

    rows: list[Row] = []
    ordinary: list[list[Member]] = []
    for household_id, members in county.households.items():
        income = county.incomes.get(household_id)
        dibao = [m for m in members if m.dibao]
        destitute = [m for m in members if m.destitute]
        if not dibao and not destitute:
            ordinary.append(members)
            continue
        # Most of what the registry marks is on the civil-affairs list, 在保.
        if dibao and rng.random() < plan.assistance_listed:
            rows += listed(dibao, "低保", "在保", income)
        if destitute and rng.random() < plan.assistance_listed:
            rows += listed(destitute, "特困", "在保", income)

    rng.shuffle(ordinary)
    for share, status in ((plan.assistance_unmarked, "在保"), (plan.assistance_stopped, "停保")):
        wanted, persons = _count(share, n, 2), 0
        while persons < wanted and ordinary:
            members = ordinary.pop()
            rows += listed(members, "低保", status, county.incomes.get(members[0].household_id))
            persons += len(members)

    # Recipients nobody registered: most above the line, some below (omissions), one at it.
    below, persons, at_line = _count(plan.assistance_below_line, n, 2), 0, False
    others = _count(plan.assistance_others, n, 8)
    while persons < others:
        size = rng.choices((1, 2, 3, 4), weights=[30, 30, 25, 15])[0]
        if persons < below:
            income = _yuan(rng.randint(1500_00, int(line * 100) - 1))
        elif not at_line:
            income, at_line = _yuan(int(line * 100)), True
        else:
            income = _yuan(rng.randint(int(line * 100) + 1, 5600_00))
        kind = "特困" if size == 1 and rng.random() < 0.2 else "低保"
        village = rng.choice(county.villages)
        head_number, head_name, head_female = strangers.draw(rng, 30, 85)
        members = [(head_number, head_name)]
        for _ in range(size - 1):
            number, name, _female = strangers.draw(rng, 1, 80)
            members.append((number, name))
        start = since()
        monthly = rng.choice(DIBAO_MONTHLY if kind == "低保" else DESTITUTE_MONTHLY)
        for number, name in members:
            rows.append(
                {
                    "id_number": number,
                    "name": name,
                    "area_code": village,
                    "assistance_kind": kind,
                    "monthly_amount": monthly,
                    "household_size": size,
                    "household_income": income,
                    "since": start,
                    "status": "在保",
                }
            )
        persons += size
    return rows
