"""The comparison benchmark's two baselines for the rules of `national-2016`:

* `duckdb_sql`: the floor — the tables the rules read exported to Parquet, then every rule as
  hand-written DuckDB SQL, the findings written to Parquet (floor.py; re-exported here);
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
import time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import translation

from benchmarks.compare.floor import COLUMNS, FLOOR_RULES, Key, duckdb_sql, export, floor_rules
from jingzhun import povertylines
from jingzhun.audit import services as audit
from jingzhun.comparison import rendering
from jingzhun.comparison.models import DatasetRow, Finding
from jingzhun.registry.models import Person
from jingzhun.standards import dataset_kinds, rules

# The floor's names, where run.py and the tests read them.
__all__ = ["COLUMNS", "FLOOR_RULES", "Key", "duckdb_sql", "export", "floor_rules", "orm_batched"]

# --- (c) batched ORM -------------------------------------------------------------------------


def _written(rule: Any, record: dict[str, Any], types: dict[str, str]) -> tuple[dict, str, str]:
    """One finding's values and its sentences in both languages, written as the app writes
    them (`comparison.rendering.shown`), one finding at a time."""
    values = {name: rendering.plain_value(record.get(name)) for name in rule.fields}
    written = []
    english = rule.sentence_en or rule.sentence
    for language, template in (("zh-hans", rule.sentence), ("en", english)):
        with translation.override(language):
            shown = {n: rendering.shown(n, v, types.get(n, "")) for n, v in values.items()}
            written.append(template.format(label=rule.label, **shown))
    return values, written[0], written[1]


CHUNK = 2000
# The kinds the person rules join (every shipped kind: each has a rule of national-2016).
KINDS = tuple(sorted(dataset_kinds.available()))
PAYROLL = {"公务员", "参公人员", "事业编制", "其他财政供养"}
PROPERTY = {"商品房", "商铺", "办公用房"}


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
        "medical_insured",
        "disability_grade",
        "household__village_id",
        "household__kind",
    )
    row_fields = (
        "id",
        "id_number",
        "id_token",
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

    def ymd(value: datetime.date | None) -> int | None:
        return None if value is None else value.year * 10000 + value.month * 100 + value.day

    def named(row: dict[str, Any]) -> dict[str, Any]:
        """The row under its kind's column names (dates as YYYYMMDD, as the rules see them)
        and its identity (`_finding` reads the row_key_* of a row's finding)."""
        out = {
            "row_key_number": row["id_number"],
            "row_key_token": row["id_token"],
            "row_key_category": row["category"],
            "row_key_detail": row["detail"],
            "row_key_date": ymd(row["date"]),
            "row_key_year": row["year"],
        }
        for column in kinds[row["dataset__kind"]].columns:
            value = row[column.slot]
            out[column.name] = ymd(value) if column.type == "date" else value
        return out

    def row_hits(kind: str, row: dict[str, Any], p: dict[str, Any], age: int | None) -> list[str]:
        """The person rules a department row of `kind` meets for the person `p` (a NULL
        condition is not met: every comparison checks for None first)."""
        hits = []
        grade, insured = p["disability_grade"], p["medical_insured"]
        this_year = row["year"] == year
        by_year_end = row["date"] is not None and row["date"] <= year_end
        if kind == "deaths" and by_year_end:
            hits.append("deceased")
        elif kind == "payroll" and row["category"] in PAYROLL:
            hits.append("payroll")
        elif kind == "vehicles" and row["amount"] is not None and row["amount"] > Decimal(30000):
            hits.append("vehicle")
        elif kind == "businesses" and row["status"] in {"存续", "在业"}:
            hits.append("business")
        elif kind == "property" and row["category"] in PROPERTY and by_year_end:
            hits.append("property")
        elif kind == "assistance" and row["category"] == "低保":
            if row["status"] not in {"停保", None} and p["dibao"] is False:
                hits.append("dibao_unmarked")
        elif kind == "insurance" and this_year:
            if row["flag"] is True and insured is False:
                hits.append("insured_unmarked")
            if row["flag"] is False and insured is True:
                hits.append("uninsured_marked_insured")
        elif kind == "enrolment" and this_year:
            if row["status"] == "在读" and p["schooling"] == "none":
                hits.append("enrolled_not_in_school")
            if row["status"] == "辍学" and age is not None and 6 <= age <= 15:
                hits.append("dropout")
        elif kind == "disability":
            if row["count"] is not None and grade is not None and row["count"] != grade:
                hits.append("disability_grade_mismatch")
            if grade is None:
                hits.append("disabled_unmarked")
        return hits

    def store(batch: list[tuple[Any, dict[str, Any], dict[str, Any]]]) -> None:
        objects = []
        for rule, record, kind_types in batch:
            values, sentence, sentence_en = _written(rule, record, kind_types)
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
                    values={k: audit.plain(v) for k, v in values.items()},
                    sentence=sentence[:500],
                    sentence_en=sentence_en[:500],
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
                    dataset__kind__in=KINDS,
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
                        "relation": p["relation"],
                        "age": age,
                        "health": p["health"],
                        "disability_grade": p["disability_grade"],
                        "schooling": p["schooling"],
                        "labour": p["labour"],
                        "dibao": p["dibao"],
                        "medical_insured": p["medical_insured"],
                        "household_kind": p["household__kind"],
                    }
                    hits = []
                    if (
                        age is not None
                        and age <= 14
                        and p["schooling"] in {"senior", "vocational", "college"}
                    ):
                        hits.append("young_in_senior_school")
                    if (
                        p["health"] == "healthy"
                        and age is not None
                        and 16 <= age <= 60
                        and p["schooling"] == "none"
                        and p["labour"] in {"lost", "none"}
                    ):
                        hits.append("healthy_without_labour")
                    if p["dibao"] is True and p["household__kind"] == "ordinary":
                        hits.append("dibao_in_ordinary_household")
                    batch += [(by_id[hit], record, types(hit)) for hit in hits]
                    for row in rows_of.get(p["id_number"], ()):
                        with_row = {**record, **named(row), "row_id": row["id"]}
                        for hit in row_hits(row["dataset__kind"], row, p, age):
                            batch.append((by_id[hit], with_row, types(hit)))
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
