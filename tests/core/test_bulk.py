"""core.bulk: Arrow batches and INSERT … SELECT written as they are (NULLs, empty strings,
booleans, floats, Chinese text), several batches, in the caller's transaction."""

from __future__ import annotations

import pyarrow as pa
import pytest
from django.db import connection, transaction

from jingzhun.assessment.models import AssessmentRun, IndicatorResult
from jingzhun.core.bulk import insert_select, write_arrow

pytestmark = pytest.mark.django_db

COLUMNS = ("run_id", "level", "entity", "area_code", "indicator", "value", "threshold", "met")
COLUMNS += ("explanation_zh", "explanation_en")
FIELDS = COLUMNS[1:]


@pytest.fixture
def run() -> AssessmentRun:
    return AssessmentRun.objects.create(
        standard_id="yunnan-2018", standard_version="1", year=2018, engine="duckdb"
    )


def batch(run_id: int, entities: list[str], **overrides) -> pa.RecordBatch:
    n = len(entities)
    columns = {
        "run_id": pa.array([run_id] * n, pa.int64()),
        "level": pa.array(["household"] * n),
        "entity": pa.array(entities),
        "area_code": pa.array(["532527100001"] * n),
        "indicator": pa.array(["income"] * n),
        "value": pa.array([2000.01] * n, pa.float64()),
        "threshold": pa.array([2995.0] * n, pa.float64()),
        "met": pa.array([False] * n),
        "explanation_zh": pa.array(["人均纯收入 2,000.01 元,未超过 2018 年标准 2,995 元"] * n),
        "explanation_en": pa.array(['say "no", then\nstop'] * n),
    }
    columns.update(overrides)
    return pa.record_batch(columns)


def rows(run: AssessmentRun) -> list[tuple]:
    return list(IndicatorResult.objects.filter(run=run).order_by("entity").values_list(*FIELDS))


def test_write_arrow_keeps_nulls_empty_strings_and_exact_floats(run):
    first = batch(run.pk, ["1", "2"])
    second = batch(
        run.pk,
        ["3"],
        value=pa.array([None], pa.float64()),
        threshold=pa.array([0.1 + 0.2], pa.float64()),
        met=pa.array([True]),
        explanation_zh=pa.array([""]),
        explanation_en=pa.array([""]),
    )
    # Columns in another order than `COLUMNS`: written by name.
    reordered = first.select(list(reversed(COLUMNS)))
    assert write_arrow(IndicatorResult, COLUMNS, iter([reordered, second])) == 3
    stored = rows(run)
    assert stored[0] == (
        "household",
        "1",
        "532527100001",
        "income",
        2000.01,
        2995.0,
        False,
        "人均纯收入 2,000.01 元,未超过 2018 年标准 2,995 元",
        'say "no", then\nstop',
    )
    assert stored[1][1] == "2"
    assert stored[2][3:] == ("income", None, 0.30000000000000004, True, "", "")
    # Keys come from the database, distinct.
    assert len(set(IndicatorResult.objects.values_list("pk", flat=True))) == 3


def test_write_arrow_with_no_batches_writes_nothing(run):
    assert write_arrow(IndicatorResult, COLUMNS, iter([])) == 0
    assert not IndicatorResult.objects.exists()


def test_write_arrow_is_rolled_back_with_the_transaction(run):
    def batches():
        yield batch(run.pk, ["1", "2"])
        raise RuntimeError("engine died mid-stream")

    with pytest.raises(RuntimeError), transaction.atomic():
        write_arrow(IndicatorResult, COLUMNS, batches())
    assert not IndicatorResult.objects.exists()


def test_insert_select_copies_rows_inside_the_database(run):
    write_arrow(IndicatorResult, COLUMNS, iter([batch(run.pk, ["1", "2"])]))
    other = AssessmentRun.objects.create(
        standard_id="yunnan-2018", standard_version="1", year=2018, engine="db"
    )
    table = connection.ops.quote_name(IndicatorResult._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in COLUMNS[1:])
    # A literal % in the SELECT must survive (no parameter substitution).
    select = (
        f"SELECT {other.pk}, {names} FROM {table} "  # noqa: S608
        f"WHERE run_id = {run.pk} AND explanation_zh NOT LIKE '%absent%'"
    )
    assert insert_select(IndicatorResult, COLUMNS, select) == 2
    assert rows(other) == rows(run)
