"""Standards compiled over the input views give the same verdicts in the application database
(SQLite or PostgreSQL, whichever the run uses), on DuckDB and on Spark over a snapshot of it."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from jingzhun.engine.connect import duckdb_snapshot, spark_snapshot
from jingzhun.engine.django import app_backend
from jingzhun.engine.inputs import input_view
from jingzhun.engine.tables import base_tables
from jingzhun.standards import loader
from jingzhun.standards.compiler import evaluate
from jingzhun.standards.vocabulary import KEYS
from tests.engine.conftest import SPARK_MASTER, YEAR

pytestmark = pytest.mark.django_db


def verdicts(tables: dict, standard, level: str, year: int) -> list[dict]:
    table = evaluate(standard, level, input_view(tables, level, year), year=year)
    return sorted(table.to_pyarrow().to_pylist(), key=lambda row: row[KEYS[level]])


@pytest.mark.parametrize("standard_id", ["national-2016", "yunnan-2018"])
def test_app_database_duckdb_and_spark_give_identical_verdicts(
    registry, tmp_path, spark, standard_id
):
    call_command("snapshot", str(tmp_path))
    app, duck = base_tables(app_backend()), base_tables(duckdb_snapshot(tmp_path))
    on_spark = base_tables(spark_snapshot(tmp_path, master=SPARK_MASTER))
    standard = loader.load(standard_id)
    for level in ("household", "village", "county"):
        for year in (YEAR - 1, YEAR):
            in_app = verdicts(app, standard, level, year)
            assert in_app, (level, year)
            assert in_app == verdicts(duck, standard, level, year), ("duckdb", level, year)
            assert in_app == verdicts(on_spark, standard, level, year), ("spark", level, year)


def test_verdicts_on_the_hand_built_registry(registry):
    """Spot checks through the whole chain (registry rows → view → standard)."""
    app = base_tables(app_backend())
    households = {
        row["household_id"]: row
        for row in verdicts(app, loader.load("yunnan-2018"), "household", YEAR)
    }
    villages = {
        row["village_code"]: row
        for row in verdicts(app, loader.load("yunnan-2018"), "village", YEAR)
    }
    # h1: per-capita income (6000.07 + 3000 - 500 + 1500) / 5 = 2000.01, under the 2018 line;
    # a 15-year-old dropout; the spouse uninsured; a 16-year-old without pension; two measures.
    h1 = households[registry["h"][0].pk]
    assert {
        k: h1[f"{k}__met"]
        for k in ("income", "housing", "education", "medical", "pension", "measures")
    } == {
        "income": False,
        "housing": True,
        "education": False,
        "medical": False,
        "pension": False,
        "measures": True,
    }
    assert h1["income__value"] == pytest.approx(2000.01)  # stored rounded to the fen
    # h2 (relapsed): a D-grade house and no income record, so income is not met (NULL).
    h2 = households[registry["h"][1].pk]
    assert (h2["housing__met"], h2["income__value"], h2["income__met"]) == (False, None, False)
    # The zero-population village has no incidence: not met, never an error.
    zero = registry["v"][1].code
    assert villages[zero]["incidence__value"] is None
    assert villages[zero]["incidence__met"] is False
