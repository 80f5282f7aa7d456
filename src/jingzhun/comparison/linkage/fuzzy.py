"""Fuzzy links: department rows without a valid ID number (nor a token) scored against the
registered persons on name, birth date and area with splink (Fellegi–Sunter) on DuckDB.

Blocking (only these pairs are scored): the same birth date and county, or the same birth date
and first pinyin-initials reading (a person listed outside their county). Birth date is thus
always equal; the comparisons weigh the rest:

| comparison | level | m | u |
|---|---|---|---|
| name | Hanzi equal | 0.90 | 0.001 |
| name | a pinyin-initials reading shared (张三/章三; tokenised: initials only) | 0.08 | 0.02 |
| name | otherwise | 0.02 | 0.979 |
| area | same village | 0.80 | 0.01 |
| area | same township | 0.15 | 0.09 |
| area | otherwise | 0.05 | 0.90 |

m: how often the level holds for the same person (a department's spelling and address
errors); u: for two different persons of one block (same birth date and county: the county's
villages and its common names). The prior (`PRIOR`) is the chance that a pair in a block is the
same person. Fixed, documented weights rather than estimated ones: a county's list of a few
hundred unkeyed rows is too small for expectation maximisation, and the score a cadre sees must
not move between two loads of the same file. Pairs at or above `THRESHOLD` become *possible*
links; only a person's confirmation lets the rules use one.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q

from jingzhun import namekeys
from jingzhun.core import bulk
from jingzhun.registry.models import Person, PersonNameKey

from ..choices import LinkStatus, Method
from ..models import DatasetRow, RowLink

PRIOR = 0.1
PAIR_COLUMNS = ("unique_id_l", "unique_id_r", "match_probability", "match_weight")
THRESHOLD = 0.5
MAX_CANDIDATES = 3  # per row, the best scored: a cadre compares a few, not a list
# More distinct birth dates than this: read every person rather than bind one parameter per date
# (SQLite's limit is 32,766 parameters).
MAX_BIRTH_DATES = 2000

NAME_LEVELS = (  # (SQL over the pair, label, m, u)
    ("name_l = name_r", "Hanzi equal", 0.90, 0.001),
    ("len(list_intersect(keys_l, keys_r)) > 0", "pinyin reading shared", 0.08, 0.02),
)
NAME_ELSE = (0.02, 0.979)
AREA_LEVELS = (
    ("village_l = village_r", "same village", 0.80, 0.01),
    ("township_l = township_r", "same township", 0.15, 0.09),
)
AREA_ELSE = (0.05, 0.90)


def unkeyed_rows(dataset_ids: Iterable[int]) -> Any:
    """The rows that only a fuzzy link can join: no ID number and no token, or a number that
    fails its check; with a birth date (a `出生日期` column, or the date digits of a failed
    number: blocking needs it); not already confirmed to a person."""
    return (
        DatasetRow.objects.filter(dataset_id__in=list(dataset_ids))
        .filter(Q(id_number="", id_token="") | Q(id_valid=False))
        .filter(Q(birth_date__isnull=False) | Q(id_valid=False))
        .exclude(links__status=LinkStatus.CONFIRMED)
    )


def digits_birth_date(number: str) -> datetime.date | None:
    """The birth date written in a number that fails its check (a mistyped sequence or check
    digit leaves digits 7–14 right), or None when they are no date."""
    if len(number) != 18 or not number[6:14].isdigit():
        return None
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _row_keys(name: str) -> list[str]:
    if namekeys.looks_like_initials(name):  # a tokenised file's reduced name (`zs`)
        return [name.lower()]
    return namekeys.name_keys(name)


def _frames(rows: Any) -> tuple[Any, Any]:
    """(department rows, registered persons) as pandas frames in splink's shape."""
    import pandas as pd

    left = []
    for pk, name, born, number, area, dataset_area in rows.values_list(
        "pk", "name", "birth_date", "id_number", "area_code", "dataset__area_id"
    ).iterator(chunk_size=20_000):
        born = born or digits_birth_date(number)
        if born is None:
            continue
        keys = _row_keys(name)
        left.append(
            {
                "unique_id": -pk,  # negative: a pair's row is told from its person either way
                "name": name or None,
                "keys": keys,
                "first_key": keys[0] if keys else None,
                "birth_date": born,
                # A row without its own area is placed by the dataset's (a county's list).
                "county": (area or dataset_area or "")[:6],
                "township": area[:9] if area else None,
                "village": area or None,
            }
        )
    births = {row["birth_date"] for row in left}
    persons = Person.objects.all()
    names = PersonNameKey.objects.order_by("pk")
    if len(births) <= MAX_BIRTH_DATES:  # a county's list: only the persons it can block with
        persons = persons.filter(birth_date__in=births)
        names = names.filter(person__birth_date__in=births)
    keys_of: dict[int, list[str]] = {}
    for person_id, key in names.values_list("person_id", "key").iterator(chunk_size=20_000):
        keys_of.setdefault(person_id, []).append(key)
    right = [
        {
            "unique_id": pk,
            "name": name,
            "keys": keys_of.get(pk, []),
            "first_key": keys_of[pk][0] if keys_of.get(pk) else None,
            "birth_date": born,
            "county": village[:6],
            "township": village[:9],
            "village": village,
        }
        for pk, name, born, village in persons.values_list(
            "pk", "name", "birth_date", "household__village_id"
        ).iterator(chunk_size=20_000)
    ]
    columns = [
        "unique_id",
        "name",
        "keys",
        "first_key",
        "birth_date",
        "county",
        "township",
        "village",
    ]
    return pd.DataFrame(left, columns=columns), pd.DataFrame(right, columns=columns)


def _comparison(name: str, column: str, levels: tuple, other: tuple[float, float]) -> Any:
    from splink.comparison_library import CustomComparison

    return CustomComparison(
        output_column_name=name,
        comparison_levels=[
            {"sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL", "is_null_level": True},
            *(
                {
                    "sql_condition": sql,
                    "label_for_charts": label,
                    "m_probability": m,
                    "u_probability": u,
                }
                for sql, label, m, u in levels
            ),
            {"sql_condition": "ELSE", "m_probability": other[0], "u_probability": other[1]},
        ],
    )


def score_pairs(left: Any, right: Any) -> Any:
    """splink's scored pairs (unique_id_l = department row id, unique_id_r = person id,
    match_probability, match_weight) at or above `THRESHOLD`, on an in-process DuckDB. `left`
    carries the rows under negative ids (`_frames`)."""
    import pandas as pd

    if left.empty or right.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)  # its progress lines are not ours
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            _comparison("name", "name", NAME_LEVELS, NAME_ELSE),
            _comparison("area", "village", AREA_LEVELS, AREA_ELSE),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("birth_date", "county"),
            block_on("birth_date", "first_key"),
        ],
        probability_two_random_records_match=PRIOR,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    db = DuckDBAPI()
    linker = Linker([db.register(left), db.register(right)], settings)
    frame = linker.inference.predict(threshold_match_probability=THRESHOLD).as_pandas_dataframe()
    first, second = frame["unique_id_l"], frame["unique_id_r"]
    return pd.DataFrame(
        {  # the row's id is the negative one, whichever side splink put it on
            "unique_id_l": -first.where(first < 0, second),
            "unique_id_r": second.where(first < 0, first),
            "match_probability": frame["match_probability"],
            "match_weight": frame["match_weight"],
        },
        columns=PAIR_COLUMNS,
    )


def link_fuzzy(dataset_ids: Iterable[int]) -> int:
    """Replace the undecided fuzzy links of the datasets' unkeyed rows by those scored now (the
    registry may have changed); pairs a person already decided stay as decided and are not
    offered again. The number of possible links written."""
    dataset_ids = list(dataset_ids)
    undecided = RowLink.objects.filter(
        dataset_row__dataset_id__in=dataset_ids,
        method=Method.FUZZY,
        status=LinkStatus.POSSIBLE,
    )
    rows = unkeyed_rows(dataset_ids)
    if not rows.exists():  # most files: every row has its number (splink is not even loaded)
        undecided.delete()
        return 0
    left, right = _frames(rows)
    pairs = score_pairs(left, right)
    village = dict(zip(right["unique_id"], right["village"], strict=True))
    pairs = pairs.sort_values(["unique_id_l", "match_probability"], ascending=[True, False])
    pairs = pairs.groupby("unique_id_l").head(MAX_CANDIDATES)
    with transaction.atomic():
        undecided.delete()
        decided = set(
            RowLink.objects.filter(dataset_row__dataset_id__in=dataset_ids).values_list(
                "dataset_row_id", "person_id"
            )
        )
        links = [
            {
                "dataset_row_id": int(row_id),
                "person_id": int(person_id),
                "area_code": village[person_id],
                "method": Method.FUZZY,
                "score": round(float(probability), 4),
                "weight": round(float(weight), 3),
                "status": LinkStatus.POSSIBLE,
            }
            for row_id, person_id, probability, weight in pairs.itertuples(index=False)
            if (int(row_id), int(person_id)) not in decided
        ]
        bulk.insert_dicts(RowLink, links)
    return len(links)
