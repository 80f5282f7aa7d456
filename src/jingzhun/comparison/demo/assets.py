"""Asset lists of the demo county: vehicles, businesses, property (hits, near misses and
strangers)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from .county import (
    County,
    DatasetPlan,
    Row,
    Strangers,
    _count,
    _day,
    _sample,
    _yuan,
)

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
