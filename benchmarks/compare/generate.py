"""Department datasets for the comparison benchmark (issue #12): ~10 M rows for 3.5 M persons.

The registry is the province-sized one `jingzhun demo --persons N` builds (`build_province`,
reused as is). Over it this module draws, seeded and vectorised (numpy, no per-row Python), the
nine shipped kinds of department lists, one file per kind and county, and writes them straight
into `comparison_dataset` / `comparison_datasetrow` (marked current) through
`core.bulk.write_arrow` (COPY on PostgreSQL, executemany on SQLite), not through the page loader.

Most rows are people nobody registered (valid ID numbers drawn so they cannot collide with the
registry's); registered persons appear where a department would list them (insurance, the dibao
list, enrolment …); a few per cent of the rows hit a rule of `national-2016`, and near misses sit
beside each hit: a death after the compared year, a village cadre on the payroll, a vehicle at
exactly 30,000 yuan, a closed business, a stopped dibao, a recipient at the poverty line, a
registered person's number with a wrong check digit (it matches nobody).
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction

from jingzhun import povertylines
from jingzhun.comparison.models import Dataset, DatasetRow
from jingzhun.core.bulk import write_arrow
from jingzhun.registry.demo.households import FEMALE_GIVEN, MALE_GIVEN, SURNAMES
from jingzhun.standards import dataset_kinds

YEAR = 2018
SEED = 2018
ROWS_PER_PERSON = 10_000_000 / 3_500_000  # the acceptance's 10 M rows for 3.5 M persons

# Share of all rows per kind (a province's exchange: insurance and vehicles are the big lists).
SHARES = {
    "deaths": 0.04,
    "assistance": 0.10,
    "payroll": 0.08,
    "vehicles": 0.18,
    "businesses": 0.12,
    "property": 0.15,
    "insurance": 0.20,
    "enrolment": 0.09,
    "disability": 0.04,
}
ROW_COLUMNS = (
    "dataset_id",
    "row",
    "id_number",
    "id_token",
    "id_valid",
    "name",
    "area_code",
    "category",
    "status",
    "detail",
    "flag",
    "amount",
    "amount2",
    "count",
    "date",
    "date2",
    "year",
)
TEXT = ("id_token", "name", "area_code", "category", "status", "detail")
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK = np.array(list("10X98765432"))
POWERS = 10 ** np.arange(16, -1, -1, dtype=np.int64)


@dataclass
class Registry:
    """The registry as the lists need it: one array per column, one entry per person with an
    ID number (read in one query)."""

    id_number: np.ndarray
    name: np.ndarray
    village: np.ndarray
    dibao: np.ndarray
    destitute: np.ndarray

    @property
    def size(self) -> int:
        return len(self.id_number)


def read_registry() -> Registry:
    sql = (
        "SELECT p.id_number, p.name, h.village_id, p.dibao, p.destitute FROM registry_person p "
        "JOIN registry_household h ON h.id = p.household_id WHERE p.id_number <> '' ORDER BY p.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    return Registry(
        id_number=np.array(columns[0], dtype=object),
        name=np.array(columns[1], dtype=object),
        village=np.array(columns[2], dtype=object),
        dibao=np.array(columns[3], dtype=bool),
        destitute=np.array(columns[4], dtype=bool),
    )


def bodies(id_numbers: np.ndarray) -> np.ndarray:
    """The first 17 digits of each 18-character number, as int64 (numbers not all digits: 0)."""
    heads = pc.utf8_slice_codeunits(pa.array(id_numbers.astype(object), pa.string()), 0, 17)
    digits = pc.match_substring_regex(heads, r"^[0-9]{17}$")
    return pc.cast(pc.if_else(digits, heads, "0"), pa.int64()).to_numpy()


def with_check(body: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """The 18-character numbers of 17-digit bodies (int64): the GB 11643 check character, or
    with `rng` a wrong one (a typing error: id_valid False)."""
    right = (((body[:, None] // POWERS) % 10) @ WEIGHTS) % 11
    if rng is not None:
        right = (right + rng.integers(1, 11, len(body))) % 11
    text = pc.cast(pa.array(body), pa.string())
    joined = pc.binary_join_element_wise(
        text, pa.array(CHECK[right].astype(object), pa.string()), ""
    )
    return joined.to_numpy(zero_copy_only=False)


class Lists:
    """The draws of one benchmark dataset: the registry, the counties and villages, the seeded
    generator and the ID numbers already taken (registry and strangers so far)."""

    def __init__(self, registry: Registry, seed: int = SEED, year: int = YEAR) -> None:
        self.r = registry
        self.year = year
        self.rng = np.random.default_rng(seed)
        self.villages = np.unique(registry.village)
        self.counties = np.unique(np.array([v[:6] for v in self.villages], dtype="U6"))
        self.taken = np.sort(bodies(registry.id_number))  # kept sorted
        self.line = float(povertylines.line(year))

    # --- helpers -------------------------------------------------------------------------
    def pick(self, count: int, mask: np.ndarray | None = None) -> np.ndarray:
        """`count` distinct registry indices (within `mask`), at most as many as there are."""
        pool = np.flatnonzero(mask) if mask is not None else np.arange(self.r.size)
        return self.rng.choice(pool, min(count, len(pool)), replace=False)

    def names(self, count: int) -> np.ndarray:
        surname = pa.array(
            self.rng.choice(np.array(SURNAMES[:200], dtype=object), count), pa.string()
        )
        given = pa.array(
            self.rng.choice(np.array(MALE_GIVEN[:300] + FEMALE_GIVEN[:300], dtype=object), count)
        )
        return pc.binary_join_element_wise(surname, given, "").to_numpy(zero_copy_only=False)

    def strangers(self, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ID numbers, names, villages) of `count` people nobody registered, born in the
        province's counties; distinct, and none of them a registered person's number (nor an
        earlier list's stranger). Drawn as 17-digit bodies (int64), the check digit added."""
        bodies = np.empty(0, dtype=np.int64)
        while len(bodies) < count:
            n = int((count - len(bodies)) * 1.05) + 16
            area = self.rng.choice(self.counties, n).astype(np.int64)
            born = np.datetime64("1935-01-01") + self.rng.integers(0, 80 * 365, n)
            year = born.astype("datetime64[Y]").astype(np.int64) + 1970
            month = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
            day = (born - born.astype("datetime64[M]")).astype(np.int64) + 1
            ymd = year * 10000 + month * 100 + day
            drawn = np.sort(area * 10**11 + ymd * 1000 + self.rng.integers(0, 1000, n))
            drawn = drawn[np.r_[True, drawn[1:] != drawn[:-1]]]  # sorted: no hashing
            where = np.minimum(np.searchsorted(self.taken, drawn), len(self.taken) - 1)
            drawn = drawn[self.taken[where] != drawn]
            self.taken = np.sort(np.concatenate([self.taken, drawn]))
            bodies = np.concatenate([bodies, drawn])
        bodies = self.rng.permutation(bodies)[:count]
        return with_check(bodies), self.names(count), self.rng.choice(self.villages, count)

    def dates(self, count: int, start: str, days: int) -> np.ndarray:
        return np.datetime64(start) + self.rng.integers(0, days, count)

    def choice(self, values: list, count: int, p: list[float] | None = None) -> np.ndarray:
        return self.rng.choice(np.array(values, dtype=object), count, p=p)

    def money(self, low: float, high: float, count: int) -> np.ndarray:
        return np.round(self.rng.uniform(low, high, count), 2)

    def part(self, size: int, index: np.ndarray | None = None, **columns: object) -> dict:
        """One block of rows: registered persons (`index`) or `size` strangers, with columns."""
        count = size
        if index is not None:
            block = {
                "id_number": self.r.id_number[index],
                "name": self.r.name[index],
                "village": self.r.village[index],
            }
            count = len(index)
        else:
            numbers, names, villages = self.strangers(count)
            block = {"id_number": numbers, "name": names, "village": villages}
        for name, value in columns.items():
            block[name] = value(count) if callable(value) else value
        return block


def _per(n: int, share: float) -> int:
    return round(n * share)


# --- the nine lists: each returns blocks of rows (registered hits, near misses, strangers) ---


def deaths(lists: Lists, total: int) -> list[dict]:
    n, y = lists.r.size, lists.year
    source = lambda k: lists.choice(["户籍注销", "火化", "死亡医学证明", "其他"], k)  # noqa: E731
    who = lists.pick(_per(n, 0.0098))
    hits, near, typo = np.split(who, [_per(n, 0.008), _per(n, 0.0088)])
    blocks = [
        lists.part(0, hits, date=lambda k: lists.dates(k, f"{y}-01-01", 365), category=source),
        lists.part(0, near, date=lambda k: lists.dates(k, f"{y + 1}-01-01", 90), category=source),
        lists.part(0, typo, date=lambda k: lists.dates(k, f"{y}-01-01", 365), category=source),
    ]
    blocks[2]["id_number"] = with_check(bodies(blocks[2]["id_number"]), lists.rng)
    blocks[2]["id_valid"] = False
    rest = total - len(who)
    blocks.append(
        lists.part(rest, date=lambda k: lists.dates(k, f"{y - 2}-01-01", 3 * 365), category=source)
    )
    return blocks


PAYROLL_HITS = ["公务员", "参公人员", "事业编制", "其他财政供养"]
EMPLOYERS = ["县人民政府", "县教育体育局", "县人民医院", "乡镇人民政府", "县财政局", "县中学"]


def payroll(lists: Lists, total: int) -> list[dict]:
    n = lists.r.size
    who = lists.pick(_per(n, 0.006))
    hits, cadres = np.split(who, [_per(n, 0.003)])
    employer = lambda k: lists.choice(EMPLOYERS, k)  # noqa: E731
    since = lambda k: lists.dates(k, "1990-01-01", 28 * 365)  # noqa: E731
    return [
        lists.part(
            0, hits, category=lambda k: lists.choice(PAYROLL_HITS, k), detail=employer, date=since
        ),
        lists.part(0, cadres, category="村干部", detail="村民委员会", date=since),
        lists.part(
            total - len(who),
            category=lambda k: lists.choice([*PAYROLL_HITS, "村干部"], k),
            detail=employer,
            date=since,
        ),
    ]


VEHICLES = ["小型轿车", "小型普通客车", "轻型货车", "中型货车", "重型货车"]
CHEAP = ["三轮汽车", "低速货车", "拖拉机", "摩托车"]


def vehicles(lists: Lists, total: int) -> list[dict]:
    n = lists.r.size
    who = lists.pick(_per(n, 0.013))
    hits, limit, cheap = np.split(who, [_per(n, 0.004), _per(n, 0.005)])
    on = lambda k: lists.dates(k, "2005-01-01", 14 * 365)  # noqa: E731
    livelihood = lambda k: lists.rng.random(k) < 0.2  # noqa: E731
    blocks = [
        lists.part(
            0,
            hits,
            category=lambda k: lists.choice(VEHICLES, k),
            amount=lambda k: lists.money(30000.01, 250000, k),
            date=on,
            flag=livelihood,
        ),
        lists.part(0, limit, category=lambda k: lists.choice(VEHICLES, k), amount=30000.0, date=on),
        lists.part(
            0,
            cheap,
            category=lambda k: lists.choice(CHEAP, k),
            amount=lambda k: lists.money(2000, 29999.99, k),
            date=on,
            flag=livelihood,
        ),
        lists.part(
            total - len(who),
            category=lambda k: lists.choice(VEHICLES + CHEAP, k),
            amount=lambda k: lists.money(2000, 400000, k),
            date=on,
            flag=livelihood,
        ),
    ]
    start = 0
    for block in blocks:  # plates unique over the whole list: the row's own identity
        k = len(block["id_number"])
        number = np.arange(start, start + k)
        serial = pc.utf8_lpad(pc.cast(pa.array(number % 10**6), pa.string()), 6, "0")
        letter = np.array(list("ABCDEFGHJKLMNPQRSTUVWXY"), dtype=object)[number // 10**6 % 23]
        plate = pc.binary_join_element_wise("云", pa.array(letter, pa.string()), serial, "")
        block["detail"] = plate.to_numpy(zero_copy_only=False)
        start += k
    return blocks


def businesses(lists: Lists, total: int) -> list[dict]:
    n = lists.r.size
    who = lists.pick(_per(n, 0.005))
    hits, closed = np.split(who, [_per(n, 0.0025)])
    role = lambda k: lists.choice(["法定代表人", "股东", "经营者"], k)  # noqa: E731
    since = lambda k: lists.dates(k, "2000-01-01", 18 * 365)  # noqa: E731
    capital = lambda k: lists.money(1, 500, k)  # noqa: E731
    blocks = [
        lists.part(
            0,
            hits,
            category=role,
            status=lambda k: lists.choice(["存续", "在业"], k),
            amount=capital,
            date=since,
        ),
        lists.part(
            0,
            closed,
            category=role,
            status=lambda k: lists.choice(["吊销", "注销", "迁出"], k),
            amount=capital,
            date=since,
        ),
        lists.part(
            total - len(who),
            category=role,
            status=lambda k: lists.choice(["存续", "在业", "吊销", "注销", "迁出"], k),
            amount=capital,
            date=since,
        ),
    ]
    start = 0
    for block in blocks:
        k = len(block["id_number"])
        number = pc.cast(pa.array(np.arange(start, start + k)), pa.string())
        name = pc.binary_join_element_wise("云南", number, "商贸有限公司", "")
        block["detail"] = name.to_numpy(zero_copy_only=False)
        start += k
    return blocks


def property_(lists: Lists, total: int) -> list[dict]:
    kinds = ["商品房", "商铺", "办公用房", "自建房", "安置房", "其他"]
    columns = {
        "category": lambda k: lists.choice(kinds, k),
        "amount": lambda k: lists.money(20, 300, k),
        "detail": lambda k: lists.choice(["县城", "乡镇", "村"], k),
        "date": lambda k: lists.dates(k, "2000-01-01", 19 * 365),
    }
    who = lists.pick(_per(lists.r.size, 0.003))
    return [lists.part(0, who, **columns), lists.part(total - len(who), **columns)]


def assistance(lists: Lists, total: int) -> list[dict]:
    """Recipients the registry marks (no hit), recipients it does not mark (低保 在保: hits;
    停保: near misses), and recipients nobody registered, of whom some are below the line
    (omissions) and some exactly at it (near misses)."""
    n, r, line = lists.r.size, lists.r, lists.line
    marked = lists.pick(round(int((r.dibao | r.destitute).sum()) * 0.95), r.dibao | r.destitute)
    unmarked = np.ones(n, dtype=bool)
    unmarked[marked] = False
    unmarked &= ~r.dibao
    extra = lists.pick(_per(n, 0.006), unmarked)
    hits, stopped = np.split(extra, [_per(n, 0.004)])
    since = lambda k: lists.dates(k, "2010-01-01", 9 * 365)  # noqa: E731
    size = lambda k: lists.rng.integers(1, 6, k)  # noqa: E731
    monthly = lambda k: lists.money(200, 900, k)  # noqa: E731
    income = lambda k: lists.money(line + 1, 12000, k)  # noqa: E731
    blocks = [
        lists.part(
            0,
            marked,
            category=np.where(r.dibao[marked], "低保", "特困").astype(object),
            status="在保",
            amount=monthly,
            amount2=lambda k: lists.money(1500, 3400, k),
            count=size,
            date=since,
        ),
        lists.part(0, hits, category="低保", status="在保", amount=monthly, count=size, date=since),
        lists.part(
            0, stopped, category="低保", status="停保", amount=monthly, count=size, date=since
        ),
    ]
    rest = max(0, total - sum(len(b["id_number"]) for b in blocks))
    below, at = round(rest * 0.03), round(rest * 0.005)
    kind = lambda k: lists.choice(["低保", "特困"], k, p=[0.85, 0.15])  # noqa: E731
    status = lambda k: lists.choice(["在保", "停保"], k, p=[0.9, 0.1])  # noqa: E731
    common = {"category": kind, "status": status, "amount": monthly, "count": size, "date": since}
    blocks += [
        lists.part(below, amount2=lambda k: lists.money(800, line - 0.01, k), **common),
        lists.part(at, amount2=line, **common),
        lists.part(rest - below - at, amount2=income, **common),
    ]
    for block in blocks:
        block["area_code"] = block["village"].astype(object)
    return blocks


def insurance(lists: Lists, total: int) -> list[dict]:
    columns = {
        "year": lists.year,
        "flag": lambda k: lists.rng.random(k) < 0.97,
        "status": lambda k: lists.choice(["是", "否"], k, p=[0.8, 0.2]),
        "amount": lambda k: lists.money(0, 20000, k),
    }
    who = lists.pick(min(_per(lists.r.size, 0.3), total))
    return [lists.part(0, who, **columns), lists.part(total - len(who), **columns)]


def enrolment(lists: Lists, total: int) -> list[dict]:
    stages = ["学前", "小学", "初中", "高中", "中职", "高职", "本科", "研究生"]
    columns = {
        "detail": lambda k: lists.choice(
            ["县第一中学", "乡镇中心小学", "县职业中学", "云南大学"], k
        ),
        "category": lambda k: lists.choice(stages, k),
        "count": lambda k: lists.rng.integers(1, 7, k),
        "status": lambda k: lists.choice(["在读", "休学", "辍学", "毕业", "转出"], k),
        "year": lists.year,
    }
    who = lists.pick(_per(lists.r.size, 0.02))
    return [lists.part(0, who, **columns), lists.part(total - len(who), **columns)]


def disability(lists: Lists, total: int) -> list[dict]:
    columns = {
        "category": lambda k: lists.choice(
            ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"], k
        ),
        "count": lambda k: lists.rng.integers(1, 5, k),
        "date": lambda k: lists.dates(k, "2000-01-01", 19 * 365),
    }
    who = lists.pick(_per(lists.r.size, 0.01))
    return [lists.part(0, who, **columns), lists.part(total - len(who), **columns)]


DRAWS: dict[str, Callable[[Lists, int], list[dict]]] = {
    "deaths": deaths,
    "assistance": assistance,
    "payroll": payroll,
    "vehicles": vehicles,
    "businesses": businesses,
    "property": property_,
    "insurance": insurance,
    "enrolment": enrolment,
    "disability": disability,
}

# --- writing ---------------------------------------------------------------------------------


def _column(name: str, values: object, count: int) -> pa.Array:
    types = {
        "id_valid": pa.bool_(),
        "flag": pa.bool_(),
        "amount": pa.float64(),
        "amount2": pa.float64(),
        "count": pa.int64(),
        "year": pa.int64(),
        "date": pa.date32(),
        "date2": pa.date32(),
    }
    kind = types.get(name, pa.string())
    if values is None:
        return pa.array([""] * count if name in TEXT else [None] * count, type=kind)
    if not isinstance(values, np.ndarray):
        values = np.full(count, values, dtype=object if isinstance(values, str) else None)
    if kind == pa.date32():
        return pa.array(values.astype("datetime64[D]"), type=kind)
    if kind == pa.string():
        return pa.array(values.astype(object), type=kind)
    return pa.array(values, type=kind)


def write_kind(kind_id: str, blocks: list[dict], year: int, received: datetime.date) -> int:
    """One dataset per county (the county's file of this list), its rows written set-based."""
    kind = dataset_kinds.available()[kind_id]
    count = sum(len(b["id_number"]) for b in blocks)
    columns = {name: [] for name in (*ROW_COLUMNS[2:], "village")}
    for block in blocks:
        k = len(block["id_number"])
        for name in columns:
            columns[name].append(
                _column(name, block.get(name, True if name == "id_valid" else None), k)
            )
    table = pa.table({name: pa.concat_arrays(parts) for name, parts in columns.items()})
    county = pc.utf8_slice_codeunits(table["village"], 0, 6)
    order = pc.sort_indices(county)
    table = table.take(order)
    county = county.take(order).to_numpy(zero_copy_only=False)
    codes, starts, sizes = np.unique(county, return_index=True, return_counts=True)
    datasets = Dataset.objects.bulk_create(
        [
            Dataset(
                kind=kind_id,
                year=year,
                area_id=code.ljust(12, "0"),
                department=kind.department,
                received_on=received,
                file_name=f"{kind.name}{year}-{code}.csv",
                checksum=hashlib.sha256(f"bench:{kind_id}:{year}:{code}".encode()).hexdigest(),
                rows=int(size),
                current=True,
            )
            for code, size in zip(codes, sizes, strict=True)
        ]
    )
    dataset_ids = np.repeat(np.array([d.pk for d in datasets], dtype=np.int64), sizes)
    row = np.arange(count, dtype=np.int64) - np.repeat(starts, sizes) + 2  # row 1: the header
    table = table.drop(["village"])
    table = table.add_column(0, "row", pa.array(row)).add_column(
        0, "dataset_id", pa.array(dataset_ids)
    )
    return write_arrow(DatasetRow, ROW_COLUMNS, table.to_batches(max_chunksize=200_000))


def generate(
    *, seed: int = SEED, year: int = YEAR, rows_per_person: float = ROWS_PER_PERSON, progress=print
) -> dict[str, int]:
    """Draw and write every list not written yet; kind → rows. The registry must exist
    (`build_province`)."""
    started = time.perf_counter()
    registry = read_registry()
    lists = Lists(registry, seed, year)
    total = round(registry.size * rows_per_person)
    progress(f"registry read: {registry.size:,} persons ({time.perf_counter() - started:.0f} s)")
    written: dict[str, int] = {}
    received = datetime.date(year + 1, 3, 31)
    done = set(Dataset.objects.filter(year=year).values_list("kind", flat=True))
    for number, (kind_id, draw) in enumerate(DRAWS.items()):
        if kind_id in done:  # an interrupted generation goes on where it stopped
            continue
        lists.rng = np.random.default_rng([seed, number])  # each list its own stream
        blocks = draw(lists, round(total * SHARES[kind_id]))
        with transaction.atomic():
            written[kind_id] = write_kind(kind_id, blocks, year, received)
        progress(f"{kind_id}: {written[kind_id]:,} rows ({time.perf_counter() - started:.0f} s)")
    return written
