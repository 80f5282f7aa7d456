"""The demo county as the department files see it: its members (read set-based), the plan of
shares, the draws' helpers and the strangers (valid ID numbers nobody registered has)."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Q

from jingzhun import areacodes, idcodes
from jingzhun.areas.models import Area
from jingzhun.registry import choices as c
from jingzhun.registry.demo.households import (
    FEMALE_GIVEN,
    MALE_GIVEN,
    SURNAME_WEIGHTS,
    SURNAMES,
)
from jingzhun.registry.models import Income, Person

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
