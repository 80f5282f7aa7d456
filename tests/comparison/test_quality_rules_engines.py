"""The data-quality checks (`quality-2016`) on the engines, over Ibis memtables of the comparison
tables: what an imported snapshot may hold and the app database refuses (two heads, an empty
birth date) is found on DuckDB, and Spark finds every check's rows as DuckDB does (the household
input is a plain group-by and join)."""

from __future__ import annotations

import datetime

from tests.engine.conftest import spark  # noqa: F401  (the shared local Spark session)

YEAR = 2019


def born(age: int) -> datetime.date:
    """Aged `age` on 31 December of YEAR."""
    return datetime.date(YEAR - age, 6, 1)


def _snapshot() -> dict:
    """The comparison tables as Ibis memtables: what an imported snapshot may hold and the app
    database refuses — two heads (a unique constraint) and an empty birth date (NOT NULL) — and
    a hit of each household check."""
    import ibis

    from jingzhun.engine.comparison import COMPARISON_TABLES

    def person(pk: int, household: int, relation: str, birth: datetime.date | None, **f) -> dict:
        return {
            "id": pk, "household_id": household, "name": "王五", "id_number": f"{pk:018d}",
            "sex": "male", "birth_date": birth, "relation": relation, "health": "healthy",
            "disability_grade": None, "schooling": "none", "labour": "ordinary",
            "work_status": "none", "work_months": 0, "dibao": False, "destitute": False,
            "medical_insured": True, **f,
        }  # fmt: skip

    def household(pk: int, kind: str = "ordinary", cause: str = "land") -> dict:
        return {"id": pk, "village_id": "532527100201", "status": "registered", "kind": kind,
                "main_cause": cause, "entry_year": 2015, "exit_year": None}  # fmt: skip

    households = [household(1), household(2), household(3, "dibao", "illness"),
                  household(4, "destitute", "disability")]  # fmt: skip
    persons = [
        person(11, 1, "head", born(50)),
        person(12, 1, "head", born(48)),  # two heads
        person(21, 2, "head", born(40)),
        person(22, 2, "son", None),  # no birth date
        person(31, 3, "head", born(45), sex="female"),
        person(32, 3, "spouse", born(44), sex="female", work_status="in_county"),
        person(41, 4, "head", born(70), labour="lost", work_status="out_of_province",
               work_months=13),
        person(42, 4, "daughter", born(30)),
    ]  # fmt: skip
    incomes = [{"household_id": 4, "year": YEAR, "income_per_capita": -5.5}]
    data = {
        "registry_household": households,
        "registry_person": persons,
        "registry_income": incomes,
    }
    return {
        name: ibis.memtable(data.get(name, []), schema=ibis.schema(schema))
        for name, schema in COMPARISON_TABLES.items()
    }


def _plain(value: object) -> object:
    """NULL as None on every engine (pandas gives Spark's as NaN), numbers as Python's."""
    if value is None or value != value:
        return None
    return value.item() if hasattr(value, "item") else value


def _quality_rows(con) -> dict[str, list[tuple]]:
    from jingzhun.engine.comparison import person_input
    from jingzhun.standards import rules
    from jingzhun.standards.compiler import rule_findings

    ruleset = rules.load("quality-2016")
    people = person_input(_snapshot(), YEAR)
    found = {}
    for rule in ruleset.rules:
        expression = rule_findings(ruleset, rule, people, None, YEAR)
        frame = con.execute(expression.order_by(["household_id", "person_id"]))
        found[rule.id] = [
            tuple(_plain(r[name]) for name in ("household_id", "person_id", *rule.fields))
            for r in frame.to_dict("records")
        ]
    return found


def test_what_the_database_cannot_hold_is_found_on_duckdb():
    import ibis

    found = _quality_rows(ibis.duckdb.connect())
    assert found["head_count"] == [(1, 11, 2, "王五", 2)]  # heads, person_name, members
    assert [row[:2] for row in found["birth_date_missing"]] == [(2, 22)]
    assert [row[:2] for row in found["same_sex_spouse"]] == [(3, 31)]
    assert [row[:2] for row in found["illness_cause_without_sick"]] == [(3, 31)]
    assert [row[:2] for row in found["dibao_household_without_dibao_member"]] == [(3, 31)]
    assert [row[:2] for row in found["destitute_household_with_labourer"]] == [(4, 41)]
    assert [row[:2] for row in found["work_without_months"]] == [(3, 32)]
    assert [row[:2] for row in found["migrant_without_labour"]] == [(4, 41)]
    assert [row[:2] for row in found["work_months_out_of_range"]] == [(4, 41)]
    assert [row[:2] for row in found["income_negative"]] == [(4, 41)]
    assert [row[:2] for row in found["income_missing"]] == [(1, 11), (2, 21), (3, 31)]


def test_spark_finds_what_duckdb_finds(spark):  # noqa: F811
    """The household input and every check on Spark: the same rows as on DuckDB."""
    import ibis

    assert _quality_rows(ibis.pyspark.connect(spark)) == _quality_rows(ibis.duckdb.connect())
