"""Generator of a valid registry workbook (户, 成员, 收入) for the import benchmark.

Synthetic data only: ID numbers are built with valid check digits over a real county code, names
are drawn from a small list, villages are created by `make_areas` in the target database.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from openpyxl import Workbook

from jingzhun import idcodes
from jingzhun.registry.excel.columns import HOUSEHOLDS, INCOMES, PERSONS

COUNTY = "532527"
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]


def village_codes(count: int) -> list[str]:
    """`count` village codes under 20 townships of the county."""
    return [f"{COUNTY}{100 + i % 20:03d}{200 + i // 20:03d}" for i in range(count)]


def make_areas(villages: int) -> list[str]:
    """Create province → village rows (set-based) and return the village codes."""
    from jingzhun.areas.models import Area

    codes = village_codes(villages)
    rows = [
        Area(code="530000000000", name="云南省", level="province"),
        Area(code="532500000000", name="红河州", level="city", parent_id="530000000000"),
        Area(code=COUNTY + "000000", name="泸西县", level="county", parent_id="532500000000"),
    ]
    townships = sorted({code[:9] for code in codes})
    rows += [
        Area(code=t + "000", name=f"{t[-3:]}镇", level="township", parent_id=COUNTY + "000000")
        for t in townships
    ]
    rows += [
        Area(code=c, name=f"{c[-3:]}村", level="village", parent_id=c[:9] + "000") for c in codes
    ]
    Area.objects.bulk_create(rows, batch_size=2000)
    return codes


def write_workbook(
    path: Path, *, persons: int, households: int, villages: list[str], first: int = 0
) -> None:
    """Households of 3 or 4 members (persons/households on average), one income row each.
    `first`: the index of the first household (files with different `first` and no overlap
    share no household number or ID number)."""
    rng = random.Random(20181231)  # noqa: S311 - reproducible synthetic data
    book = Workbook(write_only=True)
    sheets = {spec.title: book.create_sheet(spec.title) for spec in (HOUSEHOLDS, PERSONS, INCOMES)}
    sheets["户"].append(["户编号", "所在行政村代码", "主要致贫原因", "识别年度", "耕地面积(亩)"])
    sheets["成员"].append(
        ["户编号", "姓名", "证件号码", "性别", "出生日期", "与户主关系", "健康状况", "享受低保"]
    )
    sheets["收入"].append(["户编号", "年度", "工资性收入", "生产经营性收入", "低保金"])
    four = persons - 3 * households  # this many households get a fourth member
    causes = ["因病", "因残", "因学", "缺技术", "缺劳力", "缺资金"]
    serial = 4 * first
    for index in range(first, first + households):
        village = villages[index % len(villages)]
        number = f"{village}{index:06d}"
        sheets["户"].append(
            [number, village, causes[index % 6], 2014 + index % 5, round(rng.uniform(0, 8), 1)]
        )
        size = 4 if index - first < four else 3
        for member in range(size):
            female = member == 1 or (member > 1 and rng.random() < 0.5)
            # (birth date, order code) is unique per serial: 500 order codes per birth day.
            base = datetime.date(1950 if member < 2 else 2000, 1, 1)
            born = base + datetime.timedelta(days=serial // 500)
            id_number = idcodes.make(COUNTY, born, serial % 500, female=female)
            serial += 1
            relation = ["户主", "配偶", "之女" if female else "之子", "之女" if female else "之子"]
            sheets["成员"].append(
                [
                    number,
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    id_number,
                    "女" if female else "男",
                    born,
                    relation[member],
                    "健康",
                    "否",
                ]
            )
        sheets["收入"].append(
            [number, 2018, rng.randrange(0, 20000), rng.randrange(0, 8000), rng.choice([0, 1200])]
        )
    book.save(path)
