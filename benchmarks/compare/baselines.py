"""The comparison benchmark's two baselines for the rules of `national-2016`:

* `duckdb_sql`: the floor — the tables the rules read exported to Parquet (PostgreSQL: COPY …
  TO STDOUT as CSV read by pyarrow; SQLite: the engine's own Ibis export), then every rule as
  hand-written DuckDB SQL, the findings written to Parquet;
* `orm_batched`: how a careful Django developer would write it without the rule compiler —
  chunked querysets with `values()`, the department rows of a chunk fetched in one query and
  looked up in a dict, the rules in Python, one `bulk_create` of findings per chunk — on a
  sample of persons (and of the dibao list for the omission rule), in a transaction rolled back.

Both return the findings as a set of (rule, person_id, row_id) so run.py can check them against
the stored findings of the real run, person by person.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from django.db import connection, transaction

from jingzhun import povertylines
from jingzhun.audit import services as audit
from jingzhun.comparison.findings import _finding
from jingzhun.comparison.models import DatasetRow, Finding
from jingzhun.engine.comparison import COMPARISON_TABLES
from jingzhun.engine.django import app_backend
from jingzhun.registry.models import Person
from jingzhun.standards import dataset_kinds, rules

Key = tuple[str, int | None, int | None]

# The columns the rules read, per table (the floor reads only these).
COLUMNS = {
    "registry_household": ["id", "village_id", "status"],
    "registry_person": [
        "id",
        "household_id",
        "id_number",
        "birth_date",
        "health",
        "schooling",
        "labour",
        "dibao",
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
        "date",
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


def floor_rules(joined: Any, line: Any, year_end: str) -> dict[str, str]:
    """rule → its hand-written SQL (rules of national-2016 as committed; a rule added to the
    file later is reported by run.py as not in the floor and left out of the check)."""
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
    }


FLOOR_RULES = tuple(floor_rules(lambda *a: "", 0, ""))


def duckdb_sql(
    directory: Path, year: int, rules_: tuple[str, ...] = FLOOR_RULES
) -> tuple[float, set[Key]]:
    """The rules `rules_` of national-2016 as one DuckDB statement over the Parquet files; the
    findings written to findings.parquet. Returns (seconds, findings)."""
    line = povertylines.line(year)
    year_end = datetime.date(year, 12, 31).isoformat()
    started = time.perf_counter()
    db = duckdb.connect()
    for table in COLUMNS:
        db.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{directory / table}.parquet')"
        )
    db.execute(f"""
        CREATE TEMP TABLE person AS
        SELECT p.id AS person_id, p.id_number, p.health, p.schooling, p.labour, p.dibao,
               {year} - year(p.birth_date) AS age
        FROM registry_person p JOIN registry_household h ON h.id = p.household_id
        WHERE h.status <> 'deregistered'
    """)
    db.execute("""
        CREATE TEMP TABLE drow AS
        SELECT r.id AS row_id, d.kind, r.id_number, r.category, r.status, r.amount, r.amount2,
               r.date
        FROM comparison_datasetrow r JOIN comparison_dataset d ON d.id = r.dataset_id
        WHERE d.current AND d.kind IN ('deaths', 'payroll', 'vehicles', 'businesses', 'assistance')
    """)

    def joined(rule: str, kind: str, condition: str) -> str:
        return (
            f"SELECT '{rule}' AS rule, p.person_id, r.row_id FROM person p "  # noqa: S608
            f"JOIN drow r ON r.id_number = p.id_number AND r.id_number <> '' "
            f"WHERE r.kind = '{kind}' AND {condition}"
        )

    parts = [sql for rule, sql in floor_rules(joined, line, year_end).items() if rule in rules_]
    target = directory / "findings.parquet"
    db.execute(f"COPY ({' UNION ALL '.join(parts)}) TO '{target}' (FORMAT parquet)")
    seconds = time.perf_counter() - started
    found = {(rule, person, row) for rule, person, row in db.execute(f"FROM '{target}'").fetchall()}
    db.close()
    return seconds, found


# --- (c) batched ORM -------------------------------------------------------------------------

CHUNK = 2000
PERSON_RULES = ("deceased", "payroll", "vehicle", "business", "dibao_unmarked")
KIND_OF = {
    "deceased": "deaths",
    "payroll": "payroll",
    "vehicle": "vehicles",
    "business": "businesses",
    "dibao_unmarked": "assistance",
}


class _Rollback(Exception):
    pass


def orm_batched(
    person_ids: list[int], assistance_rows: list[int], year: int, run_id: int
) -> tuple[float, float, set[Key]]:
    """The rules for the sampled persons and sampled rows of the dibao list through the ORM,
    chunked, findings bulk-created (rolled back). Returns (seconds for the persons, seconds for
    the rows, findings)."""
    ruleset = rules.load("national-2016")
    by_id = {rule.id: rule for rule in ruleset.rules}
    kinds = dataset_kinds.available()
    line = povertylines.line(year)
    year_end = datetime.date(year, 12, 31)
    found: set[Key] = set()
    person_fields = (
        "id",
        "household_id",
        "name",
        "id_number",
        "birth_date",
        "relation",
        "sex",
        "health",
        "schooling",
        "labour",
        "dibao",
        "household__village_id",
    )
    row_fields = (
        "id",
        "id_number",
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
        "dataset__kind",
    )

    def named(row: dict[str, Any]) -> dict[str, Any]:
        """The row under its kind's column names (dates as YYYYMMDD, as the rules see them)."""
        out = {}
        for column in kinds[row["dataset__kind"]].columns:
            value = row[column.slot]
            if column.type == "date" and value is not None:
                value = value.year * 10000 + value.month * 100 + value.day
            out[column.name] = value
        return out

    def store(batch: list[tuple[Any, dict[str, Any], dict[str, Any]]]) -> None:
        objects = []
        for rule, record, kind_types in batch:
            finding = _finding(rule, record, kind_types)
            natural = f"{record.get('row_id')}"
            objects.append(
                Finding(
                    ruleset="bench-orm",  # beside the real run's open findings, not clashing
                    rule=rule.id,
                    meaning=rule.meaning,
                    severity=rule.severity,
                    key=f"p{record.get('person_id')}:{hashlib.sha256(natural.encode()).hexdigest()[:24]}",
                    area_code=record.get("village_code") or "",
                    person_id=record.get("person_id"),
                    household_id=record.get("household_id"),
                    dataset_row_id=record.get("row_id"),
                    values={k: audit.plain(v) for k, v in finding.values.items()},
                    sentence=finding.sentence[:500],
                    sentence_en=finding.sentence_en[:500],
                    first_run_id=run_id,
                    last_run_id=run_id,
                )
            )
            found.add((rule.id, record.get("person_id"), record.get("row_id")))
        Finding.objects.bulk_create(objects, batch_size=1000)

    def types(rule_id: str) -> dict[str, str]:
        rule = by_id[rule_id]
        return rules.fields_of(rule.subject, kinds[rule.dataset] if rule.dataset else None)

    person_seconds = row_seconds = 0.0
    try:
        with transaction.atomic():
            started = time.perf_counter()
            for start in range(0, len(person_ids), CHUNK):
                chunk = person_ids[start : start + CHUNK]
                persons = list(
                    Person.objects.filter(pk__in=chunk)
                    .exclude(household__status="deregistered")
                    .values(*person_fields)
                )
                numbers = [p["id_number"] for p in persons if p["id_number"]]
                rows_of: dict[str, list[dict[str, Any]]] = {}
                for row in DatasetRow.objects.filter(
                    dataset__current=True,
                    dataset__kind__in=set(KIND_OF.values()),
                    id_number__in=numbers,
                ).values(*row_fields):
                    rows_of.setdefault(row["id_number"], []).append(row)
                batch = []
                for p in persons:
                    age = year - p["birth_date"].year if p["birth_date"] else None
                    record = {
                        "person_id": p["id"],
                        "household_id": p["household_id"],
                        "village_code": p["household__village_id"],
                        "person_name": p["name"],
                        "age": age,
                        "schooling": p["schooling"],
                        "labour": p["labour"],
                    }
                    if (
                        age is not None
                        and age <= 14
                        and p["schooling"] in {"senior", "vocational", "college"}
                    ):
                        batch.append(
                            (
                                by_id["young_in_senior_school"],
                                record,
                                types("young_in_senior_school"),
                            )
                        )
                    if (
                        p["health"] == "healthy"
                        and age is not None
                        and 16 <= age <= 60
                        and p["schooling"] == "none"
                        and p["labour"] in {"lost", "none"}
                    ):
                        batch.append(
                            (
                                by_id["healthy_without_labour"],
                                record,
                                types("healthy_without_labour"),
                            )
                        )
                    for row in rows_of.get(p["id_number"], ()):
                        kind, hit = row["dataset__kind"], None
                        if kind == "deaths" and row["date"] and row["date"] <= year_end:
                            hit = "deceased"
                        elif kind == "payroll" and row["category"] in {
                            "公务员",
                            "参公人员",
                            "事业编制",
                            "其他财政供养",
                        }:
                            hit = "payroll"
                        elif (
                            kind == "vehicles"
                            and row["amount"] is not None
                            and row["amount"] > Decimal(30000)
                        ):
                            hit = "vehicle"
                        elif kind == "businesses" and row["status"] in {"存续", "在业"}:
                            hit = "business"
                        elif (
                            kind == "assistance"
                            and row["category"] == "低保"
                            and row["status"] != "停保"
                            and not p["dibao"]
                        ):
                            hit = "dibao_unmarked"
                        if hit:
                            batch.append(
                                (
                                    by_id[hit],
                                    {**record, **named(row), "row_id": row["id"]},
                                    types(hit),
                                )
                            )
                store(batch)
            person_seconds = time.perf_counter() - started

            started = time.perf_counter()
            for start in range(0, len(assistance_rows), CHUNK):
                chunk = assistance_rows[start : start + CHUNK]
                rows = list(DatasetRow.objects.filter(pk__in=chunk).values(*row_fields))
                numbers = [r["id_number"] for r in rows if r["id_number"]]
                registered = set(
                    Person.objects.filter(id_number__in=numbers)
                    .exclude(household__status="deregistered")
                    .values_list("id_number", flat=True)
                )
                rule = by_id["dibao_not_registered"]
                batch = [
                    (
                        rule,
                        {
                            **named(r),
                            "person_id": None,
                            "row_id": r["id"],
                            "village_code": r["area_code"],
                        },
                        types("dibao_not_registered"),
                    )
                    for r in rows
                    if r["id_number"]
                    and r["id_number"] not in registered
                    and r["amount2"] is not None
                    and r["amount2"] < line
                ]
                store(batch)
            row_seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return person_seconds, row_seconds, found
