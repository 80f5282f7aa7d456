"""Fuzzy linkage at scale (issue #12 item 3, target: 1 M unkeyed rows against the registry in
≤ 5 min on DuckDB): `comparison.linkage.fuzzy.score_pairs` — splink's blocking and scoring — on
synthetic frames of ROWS department rows without a valid number and PERSONS registered persons
(names from a pool of Chinese names with their pinyin keys, 107 counties, birth dates over 85
years; every third row is a registered person, half of them listed in another village of the
township). Times the scoring only: reading the rows and persons from the database and writing
the possible links are not included.

    JINGZHUN_HOME=$(mktemp -d) python benchmarks/linkage_fuzzy.py 1000000 3500000
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")

import django  # noqa: E402

django.setup()

import pandas as pd  # noqa: E402

from jingzhun import namekeys  # noqa: E402
from jingzhun.comparison.linkage import fuzzy  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱"
    "严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉建国志红梅春海波林斌宇浩凯鹏"
COUNTIES = (
    [f"5325{c:02d}" for c in range(1, 40)]
    + [f"5326{c:02d}" for c in range(1, 40)]
    + [f"5303{c:02d}" for c in range(1, 30)]
)
START = datetime.date(1930, 1, 1)


def frames(rows: int, persons: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not a secret
    names = sorted(
        {
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            for _ in range(40_000)
        }
    )
    keys = {name: namekeys.name_keys(name) for name in names}

    def person(unique_id: int) -> dict:
        name = rng.choice(names)
        county = rng.choice(COUNTIES)
        village = f"{county}{rng.randrange(100, 120):03d}{rng.randrange(200, 230):03d}"
        return {
            "unique_id": unique_id,
            "name": name,
            "keys": keys[name],
            "first_key": keys[name][0],
            "birth_date": START + datetime.timedelta(days=rng.randrange(85 * 365)),
            "county": county,
            "township": village[:9],
            "village": village,
        }

    registry = [person(i + 1) for i in range(persons)]
    listed = []
    for j in range(rows):
        if j % 3 == 0:
            row = dict(rng.choice(registry))
            if j % 2:
                row["village"] = row["village"][:9] + "299"
        else:
            row = person(0)
        row["unique_id"] = -(j + 1)  # rows carry negative ids (fuzzy._frames)
        listed.append(row)
    return pd.DataFrame(listed), pd.DataFrame(registry)


def main() -> None:
    rows, persons = (int(arg) for arg in (sys.argv[1:] or ["100000", "350000"])[:2])
    started = time.perf_counter()
    left, right = frames(rows, persons)
    built = time.perf_counter()
    pairs = fuzzy.score_pairs(left, right)
    scored = time.perf_counter()
    print(
        f"rows {rows:,} persons {persons:,}: data {built - started:.1f} s, "
        f"score_pairs {scored - built:.1f} s, pairs >= {fuzzy.THRESHOLD}: {len(pairs):,}, "
        f"rows linked {pairs.unique_id_l.nunique():,} (planted {len(range(0, rows, 3)):,})"
    )


if __name__ == "__main__":
    main()
