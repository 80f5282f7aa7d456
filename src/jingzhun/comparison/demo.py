"""Department files for the demo county (issue #12 item 10): one per dataset kind, drawn from the
registry as it stands and loaded as the command line would, so `jingzhun compare --year 2018`
finds real cases on the demo.

Each list mixes registered members that a rule should flag (hits), registered members that look
alike but must not be flagged (near misses: a death after the year, a village cadre, a vehicle
at exactly 30,000 yuan, a closed business, a stopped dibao, a recipient at the line) and many
people who are not registered at all (new valid ID numbers that cannot collide with the
registry's). The registry is read set-based (one query per table); the files are written in
memory as .csv with the kind's headers and go through `loading.load_dataset` like any upload.
Every draw comes from a seeded generator per kind: the same registry and seed give byte-identical
files, so loading them again changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Q

from jingzhun import areacodes, idcodes, povertylines
from jingzhun.areas.models import Area
from jingzhun.registry import choices as c
from jingzhun.registry.demo.households import (
    FEMALE_GIVEN,
    MALE_GIVEN,
    SURNAME_WEIGHTS,
    SURNAMES,
)
from jingzhun.registry.models import Income, Person
from jingzhun.standards import dataset_kinds
from jingzhun.standards.dataset_kinds import DatasetKind
from jingzhun.workbook import SYSTEM

from .loading import load_dataset

DEFAULT_SEED = 2018


@dataclass(frozen=True)
class DatasetPlan:
    """How many rows of each kind, as shares of the county's members (persons of households not
    deregistered: ~32,500 in the demo). Hits and near misses keep a floor, so a county built at
    5 % scale still has every case."""

    deaths_in_year: float = 0.003  # 死亡 within the year: `deceased` hits
    deaths_after_year: float = 0.0003  # died in the next year's first quarter: near misses
    deaths_others: float = 0.012  # deaths of people not registered
    payroll_hits: float = 0.0008  # 公务员, 参公, 事业编制, 其他财政供养
    payroll_cadres: float = 0.001  # 村干部: near misses
    payroll_others: float = 0.04
    vehicle_hits: float = 0.001  # bought for more than 30,000 yuan
    vehicle_at_limit: float = 0.0003  # exactly 30,000: near misses
    vehicle_cheap: float = 0.003  # 三轮汽车, 摩托车, 低速货车, 拖拉机 below 30,000
    vehicle_others: float = 0.03
    business_hits: float = 0.0006  # 存续 / 在业
    business_closed: float = 0.0006  # 注销, 吊销, 迁出: near misses
    business_others: float = 0.02
    property_hits: float = 0.0008  # 商品房 / 商铺 (no rule yet); relocated heads get 安置房
    property_others: float = 0.015
    assistance_listed: float = 0.95  # of the persons the registry marks 低保 or 特困
    assistance_unmarked: float = 0.001  # 低保 在保, registry dibao False (whole households)
    assistance_stopped: float = 0.0006  # 低保 停保, registry dibao False: near misses
    assistance_others: float = 0.04  # recipients not registered
    assistance_below_line: float = 0.0012  # … of whom below the poverty line: omissions
    person_lists_townships: int = 1  # insurance, enrolment, disability: this many townships
    person_lists_mismatch: float = 0.02  # … disagreeing with the registry


class Member(NamedTuple):
    """A registered person as the lists need them (one row of the one Person query)."""

    id: int
    household_id: int
    name: str
    id_number: str
    female: bool
    birth_date: datetime.date
    relation: str
    health: str
    disability_grade: int | None
    disability_category: str
    schooling: str
    medical_insured: bool
    serious_illness_insured: bool
    dibao: bool
    destitute: bool
    village: str
    kind: str
    relocated: bool
    relocation_year: int | None


@dataclass
class County:
    """What the files are drawn from: the county's members, its areas and the ID numbers taken."""

    code: str  # 12 digits
    name: str
    year: int
    members: list[Member]
    households: dict[int, list[Member]]
    incomes: dict[int, Decimal]  # household → per-capita income of the year
    villages: list[str]
    names: dict[str, str]  # area code → name
    taken: set[str]  # every ID number of the registry with the county's birthplace or in it

    def age(self, member: Member) -> int:
        return self.year - member.birth_date.year

    def aged(self, low: int, high: int) -> list[Member]:
        return [m for m in self.members if low <= self.age(m) <= high]

    def township(self, village: str) -> str:
        return self.names.get(village[:9].ljust(12, "0"), "")


def read_county(county_code: str, year: int) -> County:
    """The registry of the county: one query per table (areas, persons with their household,
    incomes of the year)."""
    code = areacodes.pad(county_code)
    place = code[:6]
    within = {"gte": place, "lt": place[:-1] + chr(ord(place[-1]) + 1)}
    areas = list(Area.objects.filter(code__startswith=place).values_list("code", "name", "level"))
    names = {area_code: name for area_code, name, _ in areas}
    villages = sorted(area_code for area_code, _, level in areas if level == "village")
    rows = (
        Person.objects.filter(
            Q(**{"household__village_id__" + k: v for k, v in within.items()})
            | Q(id_number__startswith=place)
        )
        .order_by("id")
        .values_list(
            "id",
            "household_id",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "relation",
            "health",
            "disability_grade",
            "disability_category",
            "schooling",
            "medical_insured",
            "serious_illness_insured",
            "dibao",
            "destitute",
            "household__village_id",
            "household__status",
            "household__kind",
            "household__relocated",
            "household__relocation_year",
        )
    )
    members: list[Member] = []
    taken: set[str] = set()
    for row in rows:
        taken.add(row[3])
        village, status = row[15], row[16]
        if not village.startswith(place) or status == c.Status.DEREGISTERED:
            continue  # in the ID set only: deregistered persons are not registered members
        members.append(Member(*row[:4], row[4] == "female", *row[5:15], village, *row[17:]))
    households: dict[int, list[Member]] = defaultdict(list)
    for member in members:
        households[member.household_id].append(member)
    incomes = dict(
        Income.objects.filter(
            year=year, **{"household__village_id__" + k: v for k, v in within.items()}
        ).values_list("household_id", "income_per_capita")
    )
    return County(
        code=code,
        name=names.get(code, ""),
        year=year,
        members=members,
        households=dict(households),
        incomes=incomes,
        villages=villages,
        names=names,
        taken=taken,
    )


# -- small draws ------------------------------------------------------------------------------
def _count(share: float, members: int, low: int) -> int:
    return max(low, round(share * members))


def _name(rng: random.Random, female: bool) -> str:
    """A name as the registry's generator draws it (Faker's zh_CN surnames and given names)."""
    pool = FEMALE_GIVEN if female else MALE_GIVEN
    given = rng.choice(pool)
    if rng.random() < 0.55:
        given += rng.choice(pool)
    return rng.choices(SURNAMES, cum_weights=SURNAME_WEIGHTS)[0] + given


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _yuan(fen: int) -> Decimal:
    """An amount in fen as yuan with two places (1756.70, as a department's file shows it)."""
    return Decimal(fen).scaleb(-2)


def _sample(rng: random.Random, pool: list[Member], count: int) -> list[Member]:
    return rng.sample(pool, min(count, len(pool)))


class Strangers:
    """People not in the registry: valid ID numbers with the county's birthplace whose order
    codes count down from 499 (the registry's count up from 0) and are checked against every
    number taken, so none can be a registered person's."""

    def __init__(self, county: County) -> None:
        self.place = county.code[:6]
        self.year = county.year
        self.taken = county.taken
        self._next: dict[tuple[datetime.date, bool], int] = {}

    def draw(
        self, rng: random.Random, low: int, high: int, female: bool | None = None
    ) -> tuple[str, str, bool]:
        """(ID number, name, female) of someone aged `low`..`high` at the end of the year."""
        female = rng.random() < 0.5 if female is None else female
        age = rng.randint(low, high)
        birth = _day(
            rng, datetime.date(self.year - age, 1, 1), datetime.date(self.year - age, 12, 28)
        )
        while True:
            sequence = self._next.get((birth, female), 499)
            if sequence < 0:
                birth += datetime.timedelta(days=1)
                continue
            self._next[(birth, female)] = sequence - 1
            number = idcodes.make(self.place, birth, sequence, female=female)
            if number not in self.taken:
                self.taken.add(number)
                return number, _name(rng, female), female


Row = dict[str, Any]


# -- the lists --------------------------------------------------------------------------------
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


PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DEAR = {
    "小型轿车": (45_000, 160_000),
    "小型普通客车": (50_000, 120_000),
    "轻型货车": (35_000, 90_000),
}
CHEAP = {"三轮汽车": (6_000, 18_000), "摩托车": (2_500, 9_000), "低速货车": (12_000, 29_000)}
CHEAP |= {"拖拉机": (5_000, 22_000)}


def _vehicles(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    n, year = len(county.members), county.year
    plates: set[str] = set()

    def vehicle(number: str, name: str, kind: str, price: int, livelihood: bool) -> Row:
        while (
            plate := "云G" + rng.choice(PLATE_LETTERS) + f"{rng.randrange(10**4):04d}"
        ) in plates:
            pass
        plates.add(plate)
        return {
            "id_number": number,
            "name": name,
            "plate": plate,
            "vehicle_type": kind,
            "purchase_price": price,
            "registered_on": _day(rng, datetime.date(2008, 1, 1), datetime.date(year, 12, 31)),
            "livelihood": livelihood,
        }

    def priced(table: dict[str, tuple[int, int]]) -> tuple[str, int]:
        kind = rng.choice(sorted(table))
        low, high = table[kind]
        return kind, rng.randint(low // 100, high // 100) * 100

    owners = county.aged(20, 65)
    drawn = _sample(
        rng,
        owners,
        sum(
            _count(share, n, low)
            for share, low in (
                (plan.vehicle_hits, 2),
                (plan.vehicle_at_limit, 1),
                (plan.vehicle_cheap, 3),
            )
        ),
    )
    hits = _count(plan.vehicle_hits, n, 2)
    at_limit = _count(plan.vehicle_at_limit, n, 1)
    rows: list[Row] = []
    for index, member in enumerate(drawn):
        if index < hits:
            kind, price = priced(DEAR)
            rows.append(vehicle(member.id_number, member.name, kind, price, kind == "轻型货车"))
        elif index < hits + at_limit:
            kind = rng.choice(("轻型货车", "低速货车", "小型轿车"))
            rows.append(vehicle(member.id_number, member.name, kind, 30_000, kind != "小型轿车"))
        else:
            kind, price = priced(CHEAP)
            rows.append(vehicle(member.id_number, member.name, kind, price, kind != "摩托车"))
    for _ in range(_count(plan.vehicle_others, n, 5)):
        number, name, _female = strangers.draw(rng, 20, 70)
        kind, price = priced(DEAR if rng.random() < 0.6 else CHEAP)
        rows.append(vehicle(number, name, kind, price, rng.random() < 0.3))
    return rows


TRADES = [
    ("种植专业合作社", "法定代表人"),
    ("养殖专业合作社", "股东"),
    ("农资经营部", "经营者"),
    ("百货商店", "经营者"),
    ("建材经营部", "经营者"),
    ("农家乐", "经营者"),
    ("汽车修理部", "经营者"),
    ("运输有限公司", "法定代表人"),
    ("农产品购销有限公司", "股东"),
]


def _businesses(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    n, year = len(county.members), county.year

    def business(number: str, name: str, village: str, status: str) -> Row:
        trade, role = rng.choice(TRADES)
        place = county.township(village) or county.name
        capital = rng.choice((1, 2, 3, 5, 10, 20, 50, 100)) if role != "经营者" else None
        return {
            "id_number": number,
            "name": name,
            "business_name": f"{county.name}{place}{name[0]}氏{trade}",
            "role": role,
            "registered_capital": capital,
            "business_status": status,
            "established_on": _day(rng, datetime.date(2005, 1, 1), datetime.date(year, 11, 30)),
        }

    hits = _count(plan.business_hits, n, 2)
    closed = _count(plan.business_closed, n, 1)
    drawn = _sample(rng, county.aged(22, 65), hits + closed)
    rows = [
        business(m.id_number, m.name, m.village, rng.choice(("存续", "存续", "在业")))
        if index < hits
        else business(m.id_number, m.name, m.village, rng.choice(("注销", "吊销", "迁出")))
        for index, m in enumerate(drawn)
    ]
    for _ in range(_count(plan.business_others, n, 5)):
        number, name, _female = strangers.draw(rng, 22, 70)
        status = rng.choices(("存续", "在业", "注销", "吊销", "迁出"), weights=[60, 15, 15, 7, 3])[
            0
        ]
        rows.append(business(number, name, rng.choice(county.villages), status))
    return rows


ESTATES = ["阿庐花园", "逸圃小区", "锦华苑", "龙湖家园", "滨河丽苑", "新城嘉园"]


def _property(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    n, year = len(county.members), county.year

    def town(kind: str) -> tuple[str, Decimal]:
        estate = rng.choice(ESTATES)
        if kind == "商铺":
            return f"{county.name}城区{estate}商业街{rng.randint(1, 80)}号", _yuan(
                rng.randint(2000, 12000)
            )
        building, unit, room = rng.randint(1, 24), rng.randint(1, 3), rng.randint(101, 1802)
        area = _yuan(rng.randint(6000, 14000))
        return f"{county.name}城区{estate}{building}幢{unit}单元{room}室", area

    def registered() -> datetime.date:
        return _day(rng, datetime.date(2010, 1, 1), datetime.date(year, 12, 31))

    rows: list[Row] = []
    for member in _sample(rng, county.aged(25, 70), _count(plan.property_hits, n, 2)):
        kind = "商品房" if rng.random() < 0.85 else "商铺"
        location, area = town(kind)
        rows.append(
            {
                "id_number": member.id_number,
                "name": member.name,
                "property_kind": kind,
                "floor_area": area,
                "location": location,
                "registered_on": registered(),
            }
        )
    # Relocated households (易地扶贫搬迁) own their resettlement flat: consistent, no finding.
    for member in county.members:
        if member.relocated and member.relation == "head" and member.relocation_year:
            size = len(county.households[member.household_id])
            rows.append(
                {
                    "id_number": member.id_number,
                    "name": member.name,
                    "property_kind": "安置房",
                    "floor_area": _yuan(min(size, 6) * rng.randint(2000, 2500)),
                    "location": county.township(member.village) + "易地扶贫搬迁集中安置点",
                    "registered_on": _day(
                        rng,
                        datetime.date(member.relocation_year, 1, 1),
                        datetime.date(member.relocation_year, 12, 31),
                    ),
                }
            )
    for _ in range(_count(plan.property_others, n, 5)):
        number, name, _female = strangers.draw(rng, 25, 75)
        kind = rng.choices(("商品房", "商铺", "自建房", "其他"), weights=[70, 10, 15, 5])[0]
        location, area = town(kind)
        rows.append(
            {
                "id_number": number,
                "name": name,
                "property_kind": kind,
                "floor_area": area,
                "location": location,
                "registered_on": registered(),
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


def _listed_members(county: County, plan: DatasetPlan) -> list[Member]:
    townships = sorted({v[:9] for v in county.villages})[: plan.person_lists_townships]
    return [m for m in county.members if m.village[:9] in townships]


def _insurance(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    rows: list[Row] = []
    for member in _listed_members(county, plan):
        insured = member.medical_insured
        if rng.random() < plan.person_lists_mismatch:
            insured = not insured
        serious = member.health in ("serious", "chronic")
        paid = rng.randint(2000, 20000) if serious else rng.choice((0, 0, rng.randint(50, 1500)))
        rows.append(
            {
                "id_number": member.id_number,
                "name": member.name,
                "year": county.year,
                "insured": insured,
                "serious_illness_insured": "是"
                if insured and member.serious_illness_insured
                else "否",
                "self_paid": paid if insured else None,
            }
        )
    return rows


STAGES = {
    "preschool": ("学前", 2, 3, "{township}中心幼儿园"),
    "primary": ("小学", 5, 6, "{village}小学"),
    "junior": ("初中", 11, 3, "{township}中学"),
    "senior": ("高中", 14, 3, "{county}第一中学"),
    "vocational": ("中职", 14, 3, "{county}职业高级中学"),
    "college": ("高职", 17, 3, "红河职业技术学院"),
}


def _enrolment(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    rows: list[Row] = []
    for member in _listed_members(county, plan):
        age = county.age(member)
        schooling, status = member.schooling, "在读"
        if schooling == "none":
            low, high = c.COMPULSORY_AGE
            if not low <= age <= high:
                continue
            # A child of compulsory age out of school: on the school's roll as 辍学.
            schooling, status = ("primary" if age <= 11 else "junior"), "辍学"
        elif rng.random() < plan.person_lists_mismatch:
            status = rng.choice(("休学", "转出"))
        stage, offset, grades, school = STAGES[schooling]
        if schooling == "college" and rng.random() < 0.4:
            stage, grades, school = "本科", 4, rng.choice(("红河学院", "云南农业大学", "昆明学院"))
        rows.append(
            {
                "id_number": member.id_number,
                "name": member.name,
                "school": school.format(
                    county=county.name,
                    township=county.township(member.village),
                    village=county.names[member.village].removesuffix("村"),
                ),
                "stage": stage,
                "grade": min(grades, max(1, age - offset)),
                "enrolment_status": status,
                "school_year": county.year,
            }
        )
    return rows


DISABILITY = {
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "intellectual": "智力",
    "physical": "肢体",
    "mental": "精神",
    "multiple": "多重",
}


def _disability(county: County, plan: DatasetPlan, rng: random.Random, strangers: Strangers):
    rows: list[Row] = []
    for member in _listed_members(county, plan):
        disabled = member.health == "disabled" and member.disability_grade
        if disabled and rng.random() < 0.1:
            continue  # not every disabled person holds a certificate
        if not disabled and rng.random() >= plan.person_lists_mismatch / 10:
            continue  # … and a few certificate holders are not marked disabled in the registry
        category = DISABILITY.get(member.disability_category) or rng.choice(
            sorted(DISABILITY.values())
        )
        rows.append(
            {
                "id_number": member.id_number,
                "name": member.name,
                "disability_category": category,
                "disability_grade": member.disability_grade or rng.randint(3, 4),
                "issued_on": _day(
                    rng, datetime.date(2008, 1, 1), datetime.date(county.year, 12, 31)
                ),
            }
        )
    return rows


Draw = Callable[[County, DatasetPlan, random.Random, Strangers], list[Row]]
DRAWS: dict[str, Draw] = {
    "deaths": _deaths,
    "payroll": _payroll,
    "vehicles": _vehicles,
    "businesses": _businesses,
    "property": _property,
    "assistance": _assistance,
    "insurance": _insurance,
    "enrolment": _enrolment,
    "disability": _disability,
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def to_csv(kind: DatasetKind, rows: Iterable[Row]) -> bytes:
    """The rows as a department's .csv: the kind's headers, UTF-8 with a BOM (Excel opens it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in kind.columns])
    for row in rows:
        writer.writerow([_cell(row.get(column.name)) for column in kind.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def demo_files(
    county_code: str, year: int, seed: int = DEFAULT_SEED, plan: DatasetPlan | None = None
) -> dict[str, tuple[str, bytes]]:
    """kind → (file name, .csv content) of every shipped kind this module draws, for the
    county's registry as it stands. Deterministic: each kind has its own generator seeded with
    `seed` and the kind, so the same registry and seed give the same bytes."""
    plan = plan or DatasetPlan()
    county = read_county(county_code, year)
    strangers = Strangers(county)
    kinds = dataset_kinds.available()
    files: dict[str, tuple[str, bytes]] = {}
    for kind_id, draw in DRAWS.items():
        if kind_id not in kinds:
            continue
        kind = kinds[kind_id]
        rows = draw(county, plan, random.Random(f"{seed}:{kind_id}"), strangers)
        files[kind_id] = (f"{kind.name}{year}.csv", to_csv(kind, rows))
    return files


def load_demo_datasets(
    county_code: str, year: int, seed: int = DEFAULT_SEED, plan: DatasetPlan | None = None
) -> dict[str, int]:
    """Draw the county's department files (`demo_files`) and load each as the command line for
    the county, received on 31 March after the year; kind → rows loaded. Loading the same files
    again changes nothing. A file the loader refuses is a bug of this module: RuntimeError."""
    code = areacodes.pad(county_code)
    received = datetime.date(year + 1, 3, 31)
    loaded: dict[str, int] = {}
    for kind_id, (name, content) in demo_files(code, year, seed, plan).items():
        result = load_dataset(
            content,
            kind=kind_id,
            year=year,
            acting_user=SYSTEM,
            name=name,
            area_code=code,
            received_on=received,
        )
        if not result.ok:
            shown = "; ".join(f"{e.row} {e.column} {e.message}" for e in result.errors[:5])
            raise RuntimeError(f"demo dataset {kind_id} refused: {shown}")
        loaded[kind_id] = result.row_count
    return loaded
