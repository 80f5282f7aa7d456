"""Fuzzy linkage at scale (issue #12 acceptance: 1 M unkeyed rows against the registry ≤ 5 min
on DuckDB): one department file whose every row has an ID number that fails its check (a typing
error: only name, birth date and area can link it), linked by `linkage.fuzzy.link_fuzzy`
(splink on DuckDB) as `jingzhun link_datasets` would.

A third of the rows are registered persons (their number with a wrong check digit, their name,
their village; one in ten under a homophone-free misspelling: another given name), the rest
people nobody registered (such a number, a drawn name, a drawn village). The file is kept out of
the rules (not current). Timed: `link_fuzzy` alone (read the rows and the registry, score, store
the possible links); reported: how many registered rows got their own person among their links
and how many strangers got any link.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from typing import Any

import numpy as np
import pyarrow as pa
from django.db import connection, transaction

from jingzhun.comparison.models import Dataset, DatasetRow
from jingzhun.core.bulk import write_arrow

from .generate import ROW_COLUMNS, Lists, _column, bodies, read_registry, with_check

KIND = "insurance"
CHECKSUM = hashlib.sha256(b"bench:fuzzy").hexdigest()


def unkeyed_dataset(rows: int, seed: int = 2018, year: int = 2018) -> tuple[int, int]:
    """The unkeyed file (drawn once, reused): (dataset id, registered rows at its start)."""
    registered = rows // 3
    if (kept_id := kept(CHECKSUM, rows)) is not None:
        return kept_id, registered
    registry, lists = draw(seed, year, stream=99)
    who = lists.pick(registered)
    names = registry.name[who].copy()
    misspelt = lists.rng.random(len(who)) < 0.1
    names[misspelt] = [
        n[0] + other[1:]
        for n, other in zip(names[misspelt], lists.names(int(misspelt.sum())), strict=True)
    ]
    numbers, stranger_names, villages = lists.strangers(rows - len(who))
    all_numbers = np.concatenate([registry.id_number[who], numbers])
    blocks = {
        "id_number": with_check(bodies(all_numbers), lists.rng),
        "id_valid": False,
        "name": np.concatenate([names, stranger_names]),
        "area_code": np.concatenate([registry.village[who], villages]),
        "year": year,
        "flag": True,
    }
    dataset = side_list(
        registry, rows, blocks, checksum=CHECKSUM, year=year,
        file_name="无有效证件号码人员（基准测试）.csv",
    )  # fmt: skip
    return dataset.pk, registered


def kept(checksum: str, rows: int) -> int | None:
    """The id of the benchmark's file drawn earlier with `rows` rows; one of another size is
    deleted (it is drawn again)."""
    existing = Dataset.objects.filter(checksum=checksum).first()
    if existing is not None and existing.rows == rows:
        return existing.pk
    if existing is not None:
        existing.delete()
    return None


def draw(seed: int, year: int, *, stream: int) -> tuple[Any, Lists]:
    """The registry and a list drawer with its own random stream (one per benchmark file)."""
    registry = read_registry()
    lists = Lists(registry, seed, year)
    lists.rng = np.random.default_rng([seed, stream])
    return registry, lists


def side_list(
    registry: Any, rows: int, blocks: dict[str, Any], *, checksum: str, year: int, **fields: Any
) -> Dataset:
    """A 医保 list of `rows` rows (`blocks`: a value or an array per row column) for the first
    county, kept out of the rules (not current): linkage only."""
    county = str(registry.village[0])[:6].ljust(12, "0")
    with transaction.atomic():
        dataset = Dataset.objects.create(
            kind=KIND,
            year=year - 1,
            area_id=county,
            department="医疗保障局",
            received_on=datetime.date(year + 1, 3, 31),
            checksum=checksum,
            rows=rows,
            current=False,
            **fields,
        )
        table = pa.table(
            {
                "dataset_id": pa.array(np.full(rows, dataset.pk, dtype=np.int64)),
                "row": pa.array(np.arange(2, rows + 2, dtype=np.int64)),
                **{name: _column(name, blocks.get(name), rows) for name in ROW_COLUMNS[2:]},
            }
        )
        write_arrow(DatasetRow, ROW_COLUMNS, table.to_batches(max_chunksize=200_000))
    return dataset


def link(dataset_id: int, registered: int) -> dict[str, Any]:
    """`link_fuzzy` timed, then its links checked against the truth of the draw."""
    from jingzhun.comparison.linkage.fuzzy import link_fuzzy
    from jingzhun.comparison.models import RowLink

    RowLink.objects.filter(dataset_row__dataset_id=dataset_id).delete()
    started = time.perf_counter()
    written = link_fuzzy([dataset_id])
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        # The registered rows are the first `registered` rows; each carries its person's
        # number but for the check digit.
        cursor.execute(
            """SELECT COUNT(DISTINCT r.id) FROM comparison_rowlink l
               JOIN comparison_datasetrow r ON r.id = l.dataset_row_id
               JOIN registry_person p ON p.id = l.person_id
               WHERE r.dataset_id = %s AND r.row < %s
                 AND SUBSTR(p.id_number, 1, 17) = SUBSTR(r.id_number, 1, 17)""",
            [dataset_id, registered + 2],
        )
        found_own = cursor.fetchone()[0]
        cursor.execute(
            """SELECT COUNT(DISTINCT r.id) FROM comparison_rowlink l
               JOIN comparison_datasetrow r ON r.id = l.dataset_row_id
               WHERE r.dataset_id = %s AND r.row >= %s""",
            [dataset_id, registered + 2],
        )
        strangers_linked = cursor.fetchone()[0]
    return {
        "seconds": seconds,
        "links": written,
        "registered_rows": registered,
        "registered_found": found_own,
        "strangers_linked": strangers_linked,
    }
