"""The comparison benchmark's floor (`duckdb_sql`) for the rules of `national-2016`: the tables
the rules read exported to Parquet (PostgreSQL: COPY … TO STDOUT as CSV read by pyarrow; SQLite:
the engine's own Ibis export), then every rule as hand-written DuckDB SQL, the findings written
to Parquet. Returns the findings as a set of (rule, person_id, row_id), as baselines.py does.

The SQL follows what the real path computes (engine/comparison.py, standards/compiler.py): ages
on 31 December of the year, households not deregistered, current datasets only, a NULL
condition false (SQL's three-valued logic, a NULL in WHERE drops the row).
"""

from __future__ import annotations

import datetime
import io
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from django.db import connection

from jingzhun import povertylines
from jingzhun.engine.comparison import COMPARISON_TABLES
from jingzhun.engine.django import app_backend

Key = tuple[str, int | None, int | None]

# The columns the rules read, per table (the floor reads only these).
COLUMNS = {
    "registry_household": ["id", "village_id", "status", "kind"],
    "registry_person": [
        "id",
        "household_id",
        "id_number",
        "birth_date",
        "health",
        "schooling",
        "labour",
        "dibao",
        "medical_insured",
        "disability_grade",
    ],
    "comparison_dataset": ["id", "kind", "current"],
    "comparison_datasetrow": [
        "id",
        "dataset_id",
        "id_number",
        "category",
        "status",
        "amount",
        "amount2",
        "count",
        "flag",
        "date",
        "year",
    ],
}


def export(directory: Path) -> dict[str, int]:
    """The tables the rules read, as Parquet in `directory`; table → rows."""
    rows = {}
    for table, columns in COLUMNS.items():
        target = directory / f"{table}.parquet"
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            sql = f"COPY (SELECT {', '.join(columns)} FROM {table}) TO STDOUT (FORMAT csv, HEADER)"  # noqa: S608 - names are constants
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for chunk in copy:
                    buffer.write(chunk)
            buffer.seek(0)
            types = {c: _arrow_type(COMPARISON_TABLES.get(table, {}).get(c, "")) for c in columns}
            convert = pa_csv.ConvertOptions(
                column_types={c: t for c, t in types.items() if t is not None},
                true_values=["t"],
                false_values=["f"],
                strings_can_be_null=False,
            )
            data = pa_csv.read_csv(buffer, convert_options=convert)
            pq.write_table(data, target)
            rows[table] = data.num_rows
        else:
            # SQLite: Ibis batches, as the engine's own snapshot reads it.
            expression = app_backend().table(table).select(*columns)
            schema = expression.schema().to_pyarrow()
            rows[table] = 0
            with pq.ParquetWriter(target, schema) as writer:
                for batch in expression.to_pyarrow_batches(chunk_size=500_000):
                    writer.write_batch(batch.cast(schema))
                    rows[table] += batch.num_rows
    return rows


def _arrow_type(kind: str) -> pa.DataType | None:
    return {
        "string": pa.string(),
        "date": pa.date32(),
        "boolean": pa.bool_(),
        "int64": pa.int64(),
    }.get(kind, pa.float64() if kind.startswith("decimal") else None)


def floor_rules(joined: Any, line: Any, year: int) -> dict[str, str]:
    """rule → its hand-written SQL (rules of national-2016 as committed; a rule added to the
    file later is reported by run.py as not in the floor and left out of the check)."""
    year_end = datetime.date(year, 12, 31).isoformat()
    return {
        "deceased": joined("deceased", "deaths", f"r.date <= DATE '{year_end}'"),
        "payroll": joined(
            "payroll", "payroll", "r.category IN ('公务员','参公人员','事业编制','其他财政供养')"
        ),
        "vehicle": joined("vehicle", "vehicles", "r.amount > 30000"),
        "business": joined("business", "businesses", "r.status IN ('存续','在业')"),
        "dibao_unmarked": joined(
            "dibao_unmarked",
            "assistance",
            "r.category = '低保' AND r.status <> '停保' AND NOT p.dibao",
        ),
        "dibao_not_registered": f"""SELECT 'dibao_not_registered', NULL, r.row_id FROM drow r
            WHERE r.kind = 'assistance' AND r.id_number <> '' AND r.amount2 < {line}
              AND NOT EXISTS (SELECT 1 FROM person p WHERE p.id_number = r.id_number)""",
        "young_in_senior_school": """SELECT 'young_in_senior_school', person_id, NULL
            FROM person WHERE age <= 14 AND schooling IN ('senior', 'vocational', 'college')""",
        "healthy_without_labour": """SELECT 'healthy_without_labour', person_id, NULL
            FROM person WHERE health = 'healthy' AND age BETWEEN 16 AND 60
              AND schooling = 'none' AND labour IN ('lost', 'none')""",
        "property": joined(
            "property",
            "property",
            f"r.category IN ('商品房','商铺','办公用房') AND r.date <= DATE '{year_end}'",
        ),
        "dibao_in_ordinary_household": """SELECT 'dibao_in_ordinary_household', person_id, NULL
            FROM person WHERE dibao AND household_kind = 'ordinary'""",
        "insured_unmarked": joined(
            "insured_unmarked", "insurance", f"r.flag AND NOT p.medical_insured AND r.year = {year}"
        ),
        "uninsured_marked_insured": joined(
            "uninsured_marked_insured",
            "insurance",
            f"NOT r.flag AND p.medical_insured AND r.year = {year}",
        ),
        "enrolled_not_in_school": joined(
            "enrolled_not_in_school",
            "enrolment",
            f"r.status = '在读' AND p.schooling = 'none' AND r.year = {year}",
        ),
        # certificate_grade − disability_grade ≠ 0: NULL (no registered grade) is not met.
        "disability_grade_mismatch": joined(
            "disability_grade_mismatch", "disability", "r.count <> p.disability_grade"
        ),
        "disabled_unmarked": joined(
            "disabled_unmarked", "disability", "p.disability_grade IS NULL"
        ),
        "dropout": joined(
            "dropout",
            "enrolment",
            f"r.status = '辍学' AND p.age BETWEEN 6 AND 15 AND r.year = {year}",
        ),
    }


FLOOR_RULES = tuple(floor_rules(lambda *a: "", 0, 2000))


def duckdb_sql(
    directory: Path, year: int, rules_: tuple[str, ...] = FLOOR_RULES
) -> tuple[float, set[Key]]:
    """The rules `rules_` of national-2016 as one DuckDB statement over the Parquet files; the
    findings written to findings.parquet. Returns (seconds, findings)."""
    line = povertylines.line(year)
    started = time.perf_counter()
    db = duckdb.connect()
    for table in COLUMNS:
        db.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{directory / table}.parquet')"
        )
    db.execute(f"""
        CREATE TEMP TABLE person AS
        SELECT p.id AS person_id, p.id_number, p.health, p.schooling, p.labour, p.dibao,
               p.medical_insured, p.disability_grade, h.kind AS household_kind,
               {year} - year(p.birth_date) AS age
        FROM registry_person p JOIN registry_household h ON h.id = p.household_id
        WHERE h.status <> 'deregistered'
    """)
    db.execute("""
        CREATE TEMP TABLE drow AS
        SELECT r.id AS row_id, d.kind, r.id_number, r.category, r.status, r.amount, r.amount2,
               r.count, r.flag, r.date, r.year
        FROM comparison_datasetrow r JOIN comparison_dataset d ON d.id = r.dataset_id
        WHERE d.current
    """)

    def joined(rule: str, kind: str, condition: str) -> str:
        return (
            f"SELECT '{rule}' AS rule, p.person_id, r.row_id FROM person p "  # noqa: S608
            f"JOIN drow r ON r.id_number = p.id_number AND r.id_number <> '' "
            f"WHERE r.kind = '{kind}' AND {condition}"
        )

    parts = [sql for rule, sql in floor_rules(joined, line, year).items() if rule in rules_]
    target = directory / "findings.parquet"
    db.execute(f"COPY ({' UNION ALL '.join(parts)}) TO '{target}' (FORMAT parquet)")
    seconds = time.perf_counter() - started
    found = {(rule, person, row) for rule, person, row in db.execute(f"FROM '{target}'").fetchall()}
    db.close()
    return seconds, found
