"""The data-quality checks (`quality-2016`) on the engines, over Ibis memtables of the comparison
tables: what an imported snapshot may hold and the app database refuses (two heads, an empty
birth date, NULL or blank codes) is found on DuckDB, and SQLite, PostgreSQL (when the tests run
on it) and Spark find every check's rows as DuckDB does: the household input is a plain group-by
and join, a list's `contains` one substring test. Every check finds a row here, so the equality
says something of each."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

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
    from jingzhun.engine.tables import MONEY, normalise

    def person(pk: int, household: int, relation: str, birth: datetime.date | None, **f) -> dict:
        return {
            "id": pk, "household_id": household, "name": "王五", "id_number": f"{pk:018d}",
            "sex": "male", "birth_date": birth, "relation": relation, "health": "healthy",
            "disability_grade": None, "schooling": "none", "labour": "ordinary",
            "work_status": "none", "work_months": 0, "dibao": False, "destitute": False,
            "medical_insured": True, "ethnicity": "汉族", "education": "junior", **f,
        }  # fmt: skip

    def household(pk: int, kind: str = "ordinary", cause: str | None = "land", other: str = ""):
        return {"id": pk, "village_id": "532527100201", "status": "registered", "kind": kind,
                "main_cause": cause, "other_causes": other, "entry_year": 2015,
                "exit_year": None}  # fmt: skip

    def income(household: int, per_capita: float, **items: int) -> dict:
        zero = {"wage_income": 0, "operating_income": 0, "operating_expenses": 0,
                "dibao_income": 0, "destitute_income": 0}  # fmt: skip
        return {"household_id": household, "year": YEAR,
                "income_per_capita": per_capita, **zero, **items}  # fmt: skip

    households = [household(1), household(2), household(3, "dibao", "illness"),
                  household(4, "destitute", "disability"),
                  household(5, "ordinary", "labour", "capital, labour"),
                  household(6, "dibao", None), household(7, "destitute", "  "),
                  household(8, "ordinary", "schooling", "illness")]  # fmt: skip
    persons = [
        person(11, 1, "head", born(50)),
        person(12, 1, "head", born(48)),  # two heads
        person(21, 2, "head", born(40)),
        person(22, 2, "son", None),  # no birth date
        person(31, 3, "head", born(45), sex="female"),
        person(32, 3, "spouse", born(44), sex="female", work_status="in_county"),
        person(41, 4, "head", born(70), labour="lost", work_status="out_of_province",
               work_months=13),
        person(42, 4, "daughter", born(30), ethnicity="  "),  # blank 民族
        person(51, 5, "head", born(50), health=None),  # NULL health
        person(52, 5, "son", born(16), labour="  "),  # blank labour
        person(53, 5, "son", born(6), schooling=None),
        person(54, 5, "son", born(14), schooling="senior"),
        person(55, 5, "son", born(20), schooling="primary"),
        person(56, 5, "son", born(30), dibao=True),
        person(57, 5, "son", born(40), labour="none"),
        person(58, 5, "son", born(23), sex="female", id_number="", work_months=3),
        person(61, 6, "head", born(50), dibao=True, work_status="in_county", work_months=6),
        person(71, 7, "head", born(70), labour="lost", destitute=True),
        person(81, 8, "head", born(45), education=None),  # NULL 文化程度, not in school
    ]  # fmt: skip
    incomes = [
        income(4, -5.5),
        income(5, 3200, wage_income=6000, operating_income=3000, dibao_income=600),
        income(6, 100, destitute_income=300),
        income(7, 100000.01, dibao_income=100),
        income(8, 0, dibao_income=100, destitute_income=100, operating_expenses=200),
    ]
    data = {
        "registry_household": households,
        "registry_person": persons,
        "registry_income": incomes,
    }
    # Money as floats (as SQLite stores it: its driver takes no Decimal), cast to decimal(14, 2)
    # by each engine as the app's tables are (`engine.tables.normalise`).
    return {
        name: normalise(
            ibis.memtable(
                data.get(name, []),
                schema=ibis.schema({c: "float64" if t == MONEY else t for c, t in schema.items()}),
            ),
            schema,
        )
        for name, schema in COMPARISON_TABLES.items()
    }


def _plain(value: object) -> object:
    """NULL as None on every engine (pandas gives Spark's as NaN), numbers as Python's (a
    decimal as the float SQLite's REAL gives)."""
    if value is None or value != value:
        return None
    if isinstance(value, Decimal):
        return float(value)
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
    # NULL and blank codes are empty; a list with spaces holds the main cause.
    assert [row[:2] for row in found["health_missing"]] == [(5, 51)]
    assert [row[:2] for row in found["labour_missing"]] == [(5, 52)]
    assert [row[:2] for row in found["schooling_missing"]] == [(5, 53)]
    assert [row[:2] for row in found["main_cause_missing"]] == [(6, 61), (7, 71)]
    assert [row[:2] for row in found["ethnicity_missing"]] == [(4, 42)]
    assert [row[:2] for row in found["education_missing"]] == [(8, 81)]
    assert [row[:2] for row in found["secondary_cause_same_as_main"]] == [(5, 51)]
    assert [row[:2] for row in found["young_in_senior_school"]] == [(5, 54)]
    assert [row[:2] for row in found["old_in_primary_school"]] == [(5, 55)]
    assert [row[:2] for row in found["healthy_working_age_without_labour"]] == [(5, 57)]
    assert [row[:2] for row in found["ordinary_household_with_dibao_member"]] == [(5, 51)]
    assert [row[:2] for row in found["wage_income_without_worker"]] == [(5, 51)]
    assert [row[:2] for row in found["operating_income_without_expenses"]] == [(5, 51)]
    assert [row[:2] for row in found["worker_without_wage_income"]] == [(4, 41), (6, 61)]
    assert [row[:2] for row in found["dibao_household_without_dibao_income"]] == [(6, 61)]
    assert [row[:2] for row in found["destitute_household_without_destitute_income"]] == [
        (4, 41),
        (7, 71),
    ]
    assert [row[:2] for row in found["ordinary_household_with_assistance_income"]] == [
        (5, 51),
        (8, 81),
    ]
    assert [row[:2] for row in found["dibao_and_destitute_income"]] == [(8, 81)]
    assert [row[:2] for row in found["income_zero"]] == [(8, 81)]
    assert [row[:2] for row in found["income_too_high"]] == [(7, 71)]
    assert [name for name, rows in found.items() if not rows] == []  # every check finds a row


def test_sqlite_and_postgresql_find_what_duckdb_finds():
    """The same rows through Ibis on SQLite and, when the tests run on it, PostgreSQL."""
    import ibis

    expected = _quality_rows(ibis.duckdb.connect())
    assert _quality_rows(ibis.sqlite.connect()) == expected
    url = os.environ.get("JINGZHUN_DATABASE_URL", "")
    if url.startswith("postgres"):
        assert _quality_rows(ibis.connect(url)) == expected


def test_spark_finds_what_duckdb_finds(spark):  # noqa: F811
    """The household input and every check on Spark: the same rows as on DuckDB."""
    import ibis

    assert _quality_rows(ibis.pyspark.connect(spark)) == _quality_rows(ibis.duckdb.connect())
