"""Baselines for the assessment benchmark: the yunnan-2018 rules written by hand, three ways.

* `duckdb_sql`: hand-written DuckDB SQL over the Parquet snapshot, all three levels (the floor).
* `pandas_rules`: the same rules in pandas over the same snapshot (read included).
* `orm_loop`: record-at-a-time eligibility through the Django ORM, one household after another
  (query its members, income and measures, compute, save a verdict row), on a sample.

Each returns per level the entities, the entities meeting every indicator and, per indicator,
the entities meeting it, so `run.py` can assert they compute what the engine computes. The
rules mirror `engine/inputs.py` and `standards/rulesets/yunnan-2018.toml` for 2018 (poverty line
2,995 yuan, incidence < 3 %, collective income ≥ 20,000 yuan); NULL means "not met" except the
county's exited-village share (no poor villages = met).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

YEAR = 2018
POVERTY_LINE = 2995
INCIDENCE_MAX = 3
COLLECTIVE_INCOME_MIN = 20000
COMPULSORY = ("primary", "junior", "senior", "vocational")
POOR = ("registered", "relapsed")
REGISTERED = ("registered", "exited", "relapsed", "monitored")
UNSAFE = ("C", "D")

HOUSEHOLD = ["income", "education", "medical", "housing", "pension", "measures"]
VILLAGE = [
    "incidence",
    "road",
    "power",
    "radio_tv",
    "broadband",
    "clinic",
    "water",
    "housing",
    "public_space",
    "collective_income",
]
COUNTY = ["incidence", "income_growth", "exited_villages", "measure_coverage", "education_balance"]
INDICATORS = {"household": HOUSEHOLD, "village": VILLAGE, "county": COUNTY}
Counts = dict[str, dict[str, Any]]

SQL = f"""
CREATE OR REPLACE TEMP TABLE b_household AS
WITH p AS (
    SELECT household_id,
        count(*) FILTER (WHERE {YEAR} - year(birth_date) BETWEEN 6 AND 15
                         AND schooling NOT IN {COMPULSORY}) AS dropouts,
        count(*) FILTER (WHERE NOT medical_insured)
          + count(*) FILTER (WHERE NOT serious_illness_insured) AS medical_uninsured,
        count(*) FILTER (WHERE {YEAR} - year(birth_date) >= 16 AND schooling = 'none'
                         AND NOT pension_insured) AS pension_uninsured
    FROM registry_person GROUP BY household_id
), m AS (
    SELECT household_id, count(*) AS measures FROM registry_measure
    WHERE year <= {YEAR} GROUP BY household_id
), i AS (
    SELECT household_id, income_per_capita FROM registry_income WHERE year = {YEAR}
)
SELECT h.id AS household_id,
    coalesce(i.income_per_capita > {POVERTY_LINE}, false) AS income,
    coalesce(p.dropouts, 0) = 0 AS education,
    coalesce(p.medical_uninsured, 0) = 0 AS medical,
    coalesce(h.housing_grade NOT IN {UNSAFE}, false) AS housing,
    coalesce(p.pension_uninsured, 0) = 0 AS pension,
    coalesce(m.measures, 0) >= 1 AS measures
FROM registry_household h
LEFT JOIN p ON p.household_id = h.id
LEFT JOIN i ON i.household_id = h.id
LEFT JOIN m ON m.household_id = h.id
WHERE h.status <> 'deregistered';

CREATE OR REPLACE TEMP TABLE b_village_input AS
WITH poor AS (
    SELECT id, village_id, housing_grade FROM registry_household WHERE status IN {POOR}
), pp AS (
    SELECT poor.village_id, count(*) AS n
    FROM registry_person p JOIN poor ON p.household_id = poor.id GROUP BY 1
), uh AS (
    SELECT village_id, count(*) AS n FROM poor WHERE housing_grade IN {UNSAFE} GROUP BY 1
)
SELECT a.*, coalesce(pp.n, 0) AS poor_persons, coalesce(uh.n, 0) AS unsafe_houses
FROM areas_area a LEFT JOIN pp ON pp.village_id = a.code LEFT JOIN uh ON uh.village_id = a.code
WHERE a.level = 'village';

CREATE OR REPLACE TEMP TABLE b_village AS
SELECT code,
    coalesce(round(CASE WHEN rural_population > 0
                        THEN poor_persons * 100.0 / rural_population END * 10000)
             < {INCIDENCE_MAX * 10000}, false) AS incidence,
    coalesce(hardened_road, false) AS road,
    coalesce(grid_power, false) AS power,
    coalesce(radio_tv, false) AS radio_tv,
    coalesce(broadband, false) AS broadband,
    coalesce(clinic_with_doctor, false) AS clinic,
    coalesce(safe_water, false) AS water,
    unsafe_houses = 0 AS housing,
    coalesce(public_space, false) AS public_space,
    coalesce(collective_income >= {COLLECTIVE_INCOME_MIN}, false) AS collective_income
FROM b_village_input;

CREATE OR REPLACE TEMP TABLE b_county AS
WITH v AS (
    SELECT substr(code, 1, 6) || '000000' AS county,
        sum(rural_population) AS rural, sum(poor_persons) AS poor_persons,
        count(*) FILTER (WHERE poor_village) AS poor_villages,
        count(*) FILTER (WHERE poor_village AND poor_village_exited_on < '{YEAR + 1}-01-01')
            AS exited
    FROM b_village_input GROUP BY 1
), reached AS (
    SELECT DISTINCT household_id FROM registry_measure WHERE year <= {YEAR}
), h AS (
    SELECT substr(h.village_id, 1, 6) || '000000' AS county, count(*) AS registered,
        count(r.household_id) AS reached
    FROM registry_household h LEFT JOIN reached r ON r.household_id = h.id
    WHERE h.status IN {REGISTERED} GROUP BY 1
)
SELECT a.code,
    coalesce(round(CASE WHEN coalesce(v.rural, 0) > 0
                        THEN coalesce(v.poor_persons, 0) * 100.0 / v.rural END * 10000)
             < {INCIDENCE_MAX * 10000}, false) AS incidence,
    coalesce(a.rural_income_growth - a.province_income_growth > 0, false) AS income_growth,
    coalesce(round(CASE WHEN coalesce(v.poor_villages, 0) > 0
                        THEN v.exited * 100.0 / v.poor_villages END * 10000) >= 900000,
             true) AS exited_villages,
    coalesce(round(CASE WHEN coalesce(h.registered, 0) > 0
                        THEN h.reached * 100.0 / h.registered END * 10000) >= 1000000,
             false) AS measure_coverage,
    coalesce(a.education_balance_year <= {YEAR}, false) AS education_balance
FROM areas_area a LEFT JOIN v ON v.county = a.code LEFT JOIN h ON h.county = a.code
WHERE a.level = 'county';
"""


def _count_sql(level: str) -> str:
    indicators = INDICATORS[level]
    every = " AND ".join(indicators)
    per = ", ".join(f"count(*) FILTER (WHERE {i}) AS {i}" for i in indicators)
    return (
        f"SELECT count(*) AS entities, count(*) FILTER (WHERE {every}) AS met, {per} FROM b_{level}"  # noqa: S608, E501
    )


def duckdb_connection(snapshot: Path, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with one view per base table over the snapshot (like duckdb_snapshot)."""
    con = duckdb.connect(config={"threads": threads} if threads else {})
    for path in sorted(snapshot.glob("*.parquet")):
        con.execute(f"CREATE VIEW {path.stem} AS SELECT * FROM read_parquet('{path}')")
    return con


def duckdb_sql(snapshot: Path, threads: int | None = None) -> tuple[float, Counts]:
    """Seconds to evaluate every level into temporary tables and count them; the counts."""
    con = duckdb_connection(snapshot, threads)
    started = time.perf_counter()
    con.execute(SQL)
    counts = {}
    for level, indicators in INDICATORS.items():
        row = con.execute(_count_sql(level)).fetchone()
        counts[level] = {
            "entities": row[0],
            "met": row[1],
            "indicators": dict(zip(indicators, row[2:], strict=True)),
        }
    seconds = time.perf_counter() - started
    con.close()
    return seconds, counts


def _frame_counts(frame: pd.DataFrame, indicators: list[str]) -> dict[str, Any]:
    flags = frame[indicators].astype(bool)
    return {
        "entities": len(frame),
        "met": int(flags.all(axis=1).sum()),
        "indicators": {i: int(flags[i].sum()) for i in indicators},
    }


def _share(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator × 100 ÷ denominator scaled to 1/10,000 and rounded (NaN when ≤ 0)."""
    denominator = denominator.astype("float64")
    share = numerator.astype("float64") * 100.0 / denominator.where(denominator > 0)
    return (share * 10000).round()


def pandas_rules(snapshot: Path) -> tuple[float, float, Counts]:
    """(seconds reading the Parquet files, seconds computing, counts)."""
    started = time.perf_counter()

    def read(name: str, columns: list[str]) -> pd.DataFrame:
        return pd.read_parquet(snapshot / f"{name}.parquet", columns=columns)

    person = read(
        "registry_person",
        [
            "household_id",
            "birth_date",
            "schooling",
            "medical_insured",
            "serious_illness_insured",
            "pension_insured",
        ],
    )
    household = read("registry_household", ["id", "village_id", "status", "housing_grade"])
    income = read("registry_income", ["household_id", "year", "income_per_capita"])
    measure = read("registry_measure", ["household_id", "year"])
    area = read(
        "areas_area",
        [
            "code",
            "level",
            "rural_population",
            "poor_village",
            "poor_village_exited_on",
            "hardened_road",
            "grid_power",
            "radio_tv",
            "broadband",
            "clinic_with_doctor",
            "safe_water",
            "public_space",
            "collective_income",
            "rural_income_growth",
            "province_income_growth",
            "education_balance_year",
        ],
    )
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()

    # Household level. A NULL flag (pandas NA) counts as "not true", like SQL's NOT NULL.
    age = YEAR - pd.to_datetime(person["birth_date"]).dt.year
    schooling = person["schooling"]

    def no(column: str) -> pd.Series:
        return person[column].eq(False).fillna(False).astype("int64")

    flags = pd.DataFrame(
        {
            "household_id": person["household_id"],
            "dropouts": (age.between(6, 15) & schooling.notna() & ~schooling.isin(COMPULSORY))
            .fillna(False)
            .astype("int64"),
            "medical_uninsured": no("medical_insured") + no("serious_illness_insured"),
            "pension_uninsured": (
                (age >= 16)
                & schooling.eq("none").fillna(False)
                & person["pension_insured"].eq(False)
            )
            .fillna(False)
            .astype("int64"),
        }
    )
    members = flags.groupby("household_id").sum()
    measures = measure.loc[measure["year"] <= YEAR].groupby("household_id").size()
    line = income.loc[income["year"] == YEAR].set_index("household_id")["income_per_capita"]
    h = household.loc[household["status"] != "deregistered"].set_index("id")
    m = members.reindex(h.index).fillna(0)
    grade = h["housing_grade"]
    hh = pd.DataFrame(
        {
            "income": line.reindex(h.index).astype("float64").gt(POVERTY_LINE),
            "education": m["dropouts"].eq(0),
            "medical": m["medical_uninsured"].eq(0),
            "housing": grade.notna() & ~grade.isin(UNSAFE),
            "pension": m["pension_uninsured"].eq(0),
            "measures": measures.reindex(h.index).fillna(0).ge(1),
        }
    )

    # Village level.
    poor = household.loc[household["status"].isin(POOR)]
    poor_persons = (
        person[["household_id"]]
        .merge(poor[["id", "village_id"]], left_on="household_id", right_on="id")
        .groupby("village_id")
        .size()
    )
    unsafe = poor.loc[poor["housing_grade"].isin(UNSAFE)].groupby("village_id").size()
    v = area.loc[area["level"] == "village"].set_index("code")
    v_poor = poor_persons.reindex(v.index).fillna(0)
    incidence = _share(v_poor, v["rural_population"].fillna(0))

    def true(series: pd.Series) -> pd.Series:
        return series.eq(True).fillna(False).astype(bool)

    village = pd.DataFrame(
        {
            "incidence": incidence.lt(INCIDENCE_MAX * 10000),
            "road": true(v["hardened_road"]),
            "power": true(v["grid_power"]),
            "radio_tv": true(v["radio_tv"]),
            "broadband": true(v["broadband"]),
            "clinic": true(v["clinic_with_doctor"]),
            "water": true(v["safe_water"]),
            "housing": unsafe.reindex(v.index).fillna(0).eq(0),
            "public_space": true(v["public_space"]),
            "collective_income": v["collective_income"]
            .astype("float64")
            .ge(COLLECTIVE_INCOME_MIN)
            .fillna(False)
            .astype(bool),
        }
    )

    # County level.
    county_of = v.index.str[:6] + "000000"
    poor_village = true(v["poor_village"])
    exit_year = pd.to_datetime(v["poor_village_exited_on"]).dt.year
    per_county = (
        pd.DataFrame(
            {
                "county": county_of,
                "rural": v["rural_population"].fillna(0).astype("int64"),
                "poor_persons": v_poor.astype("int64"),
                "poor_villages": poor_village.astype("int64"),
                "exited": (poor_village & exit_year.le(YEAR).fillna(False).astype(bool)).astype(
                    "int64"
                ),
            }
        )
        .groupby("county")[["rural", "poor_persons", "poor_villages", "exited"]]
        .sum()
    )
    reached = set(measure.loc[measure["year"] <= YEAR, "household_id"].unique())
    registered = household.loc[household["status"].isin(REGISTERED)]
    by_county = (
        pd.DataFrame(
            {
                "county": registered["village_id"].str[:6] + "000000",
                "registered": 1,
                "reached": registered["id"].isin(reached).astype("int64"),
            }
        )
        .groupby("county")[["registered", "reached"]]
        .sum()
    )
    c = area.loc[area["level"] == "county"].set_index("code")
    vc = per_county.reindex(c.index).fillna(0)
    hc = by_county.reindex(c.index).fillna(0)
    growth = c["rural_income_growth"].astype("float64") - c["province_income_growth"].astype(
        "float64"
    )
    exited_share = _share(vc["exited"], vc["poor_villages"])
    balance = c["education_balance_year"]
    county = pd.DataFrame(
        {
            "incidence": _share(vc["poor_persons"], vc["rural"]).lt(INCIDENCE_MAX * 10000),
            "income_growth": growth.round(4).gt(0).fillna(False).astype(bool),
            "exited_villages": exited_share.ge(900000) | exited_share.isna(),
            "measure_coverage": _share(hc["reached"], hc["registered"]).ge(1000000),
            "education_balance": balance.le(YEAR).fillna(False).astype(bool),
        }
    )
    counts = {
        "household": _frame_counts(hh, HOUSEHOLD),
        "village": _frame_counts(village, VILLAGE),
        "county": _frame_counts(county, COUNTY),
    }
    return read_seconds, time.perf_counter() - started, counts


def orm_loop(sample_ids: list[int]) -> tuple[float, dict[int, dict[str, bool]]]:
    """Record-at-a-time: for each sampled household, read it, its members, its income and its
    measures through the ORM, compute the six indicators in Python and save one Verdict row.
    Runs in a transaction that is rolled back (nothing stays). Returns (seconds, flags per
    household)."""
    from django.db import transaction

    from jingzhun.assessment.models import AssessmentRun, Verdict
    from jingzhun.registry.models import Household, Income, Measure

    flags: dict[int, dict[str, bool]] = {}
    with transaction.atomic():
        run = AssessmentRun.objects.create(
            standard_id="orm-loop-baseline", standard_version="1", year=YEAR, engine="db"
        )
        started = time.perf_counter()
        for pk in sample_ids:
            household = Household.objects.get(pk=pk)
            members = list(household.members.all())
            income = Income.objects.filter(household=household, year=YEAR).first()
            measures = Measure.objects.filter(household=household, year__lte=YEAR).count()
            dropouts = medical = pension = 0
            for person in members:
                age = YEAR - person.birth_date.year
                if 6 <= age <= 15 and person.schooling not in COMPULSORY:
                    dropouts += 1
                medical += (not person.medical_insured) + (not person.serious_illness_insured)
                if age >= 16 and person.schooling == "none" and not person.pension_insured:
                    pension += 1
            result = {
                "income": income is not None
                and income.income_per_capita is not None
                and income.income_per_capita > POVERTY_LINE,
                "education": dropouts == 0,
                "medical": medical == 0,
                "housing": household.housing_grade not in UNSAFE,
                "pension": pension == 0,
                "measures": measures >= 1,
            }
            unmet = [i for i in HOUSEHOLD if not result[i]]
            Verdict.objects.create(
                run=run,
                level="household",
                entity=str(household.pk),
                household=household,
                area_code=household.village_id,
                met=not unmet,
                unmet=",".join(unmet),
            )
            flags[pk] = result
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds, flags
