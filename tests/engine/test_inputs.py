"""Input views on a hand-built registry: exact values on the application database, and the same
rows from DuckDB over a snapshot of it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from jingzhun.engine import inputs
from jingzhun.engine.connect import duckdb_snapshot
from jingzhun.engine.django import app_backend
from jingzhun.engine.inputs import SCHEMAS, input_view
from jingzhun.engine.tables import BASE_TABLES, base_tables
from jingzhun.registry import choices
from jingzhun.standards.vocabulary import KEYS, LEVELS
from tests.engine.conftest import YEAR

pytestmark = pytest.mark.django_db


def rows(expr, key: str) -> dict:
    return {r[key]: r for r in expr.to_pyarrow().to_pylist()}


def household_row(h, **values) -> dict:
    row = {
        "household_id": h.pk,
        "village_code": h.village_id,
        "status": h.status,
        "kind": h.kind,
        "income_per_capita": None,
        "net_income": None,
        "transfer_share": None,
        "has_income": False,
        "food_secure": True,
        "clothing_secure": True,
        "housing_safe": True,
        "water_safe": True,
        "dropouts": 0,
        "medical_uninsured": 0,
        "serious_illness_uninsured": 0,
        "seriously_ill_uninsured": 0,
        "pension_due": 0,
        "pension_uninsured": 0,
        "measures": 0,
    }
    return row | values


def test_views_have_exactly_the_vocabulary_columns():
    for level, fields in LEVELS.items():
        assert list(SCHEMAS[level]) == list(fields)
        assert KEYS[level] in SCHEMAS[level]


def test_engine_constants_mirror_the_registry_choices():
    assert tuple(choices.COMPULSORY_SCHOOLING) == inputs.COMPULSORY_SCHOOLING
    assert tuple(choices.COMPULSORY_AGE) == inputs.COMPULSORY_AGE
    assert tuple(choices.POOR_STATUSES) == inputs.POOR_STATUSES
    assert tuple(choices.UNSAFE_HOUSING_GRADES) == inputs.UNSAFE_HOUSING_GRADES


def test_household_view(registry):
    h1, h2, h3, h4, h5, h6, h7 = registry["h"]
    got = rows(input_view(base_tables(app_backend()), "household", YEAR), "household_id")
    assert h4.pk not in got  # deregistered
    assert got == {
        h1.pk: household_row(
            h1,
            members=5,
            income_per_capita=Decimal("2000.01"),
            net_income=Decimal("10000.07"),
            transfer_share=1500 / 10000.07,
            has_income=True,
            dropouts=1,
            medical_uninsured=1,
            serious_illness_uninsured=1,
            seriously_ill_uninsured=1,
            pension_due=3,
            pension_uninsured=1,
            measures=2,
        ),
        h2.pk: household_row(h2, members=2, housing_safe=False, pension_due=2),
        h3.pk: household_row(
            h3,
            members=1,
            income_per_capita=Decimal("0.00"),
            net_income=Decimal("0.00"),
            has_income=True,
            housing_safe=False,
            water_safe=False,
            pension_due=1,
            pension_uninsured=1,
        ),
        h5.pk: household_row(
            h5, members=1, food_secure=False, pension_due=1, pension_uninsured=1, measures=1
        ),
        h6.pk: household_row(h6, members=2, pension_due=2, pension_uninsured=2),
        h7.pk: household_row(h7, members=1, pension_due=1, pension_uninsured=1),
    }


def test_household_ages_follow_the_year(registry):
    h1 = registry["h"][0]
    # In 2019 the 15-year-old turns 16: no longer a dropout, now due for pension insurance.
    got = rows(input_view(base_tables(app_backend()), "household", YEAR + 1), "household_id")
    assert (got[h1.pk]["dropouts"], got[h1.pk]["pension_due"]) == (0, 4)
    assert (got[h1.pk]["has_income"], got[h1.pk]["measures"]) == (False, 3)


def test_village_view(registry):
    v1, v2, v3, vb = registry["v"]
    got = rows(input_view(base_tables(app_backend()), "village", YEAR), "village_code")
    blank = dict.fromkeys(
        [
            "hardened_road",
            "grid_power",
            "radio_tv",
            "broadband",
            "clinic_with_doctor",
            "safe_water",
            "public_space",
            "collective_income",
            "exited_year",
            "planned_exit_year",
        ]
    )
    assert got == {
        v1.code: blank
        | {
            "village_code": v1.code,
            "county_code": "532527000000",
            "poor_village": True,
            "exited_year": 2018,
            "planned_exit_year": 2018,
            "rural_population": 1000,
            "poor_persons": 7,
            "incidence": 0.7,
            "hardened_road": True,
            "grid_power": True,
            "safe_water": False,
            "unsafe_houses": 1,
            "collective_income": Decimal("50000.10"),
        },
        v2.code: blank
        | {
            "village_code": v2.code,
            "county_code": "532527000000",
            "poor_village": True,
            "planned_exit_year": 2019,
            "rural_population": 0,
            "poor_persons": 2,
            "incidence": None,
            "unsafe_houses": 0,
        },
        v3.code: blank
        | {
            "village_code": v3.code,
            "county_code": "532527000000",
            "poor_village": False,
            "rural_population": None,
            "poor_persons": 0,
            "incidence": None,
            "unsafe_houses": 0,
        },
        vb.code: blank
        | {
            "village_code": vb.code,
            "county_code": "522301000000",
            "poor_village": False,
            "rural_population": 500,
            "poor_persons": 1,
            "incidence": 0.2,
            "unsafe_houses": 0,
        },
    }


def test_county_view(registry):
    got = rows(input_view(base_tables(app_backend()), "county", YEAR), "county_code")
    assert got == {
        "532527000000": {
            "county_code": "532527000000",
            "rural_population": 1000,
            "poor_persons": 9,
            "incidence": 0.9,
            "rural_income_growth": Decimal("10.32"),
            "province_income_growth": Decimal("9.20"),
            "poor_villages": 2,
            "exited_poor_villages": 1,
            "exited_village_share": 50.0,
            "registered_households": 5,
            "households_with_measures": 2,
            "measure_coverage": 40.0,
            "education_balance_year": 2016,
        },
        "522301000000": {
            "county_code": "522301000000",
            "rural_population": 500,
            "poor_persons": 1,
            "incidence": 0.2,
            "rural_income_growth": None,
            "province_income_growth": None,
            "poor_villages": 0,
            "exited_poor_villages": 0,
            "exited_village_share": None,
            "registered_households": 1,
            "households_with_measures": 0,
            "measure_coverage": 0.0,
            "education_balance_year": None,
        },
    }
    # 2017: V1 had not exited yet, and only measures up to 2017 count.
    earlier = rows(input_view(base_tables(app_backend()), "county", YEAR - 1), "county_code")
    county = earlier["532527000000"]
    assert (county["exited_poor_villages"], county["exited_village_share"]) == (0, 0.0)
    assert (county["households_with_measures"], county["measure_coverage"]) == (2, 40.0)


def test_views_scoped_to_an_area_prefix(registry):
    tables = base_tables(app_backend())
    h5, h6 = registry["h"][4:6]
    households = rows(input_view(tables, "household", YEAR, "532527101"), "household_id")
    assert set(households) == {h5.pk, h6.pk}
    villages = rows(input_view(tables, "village", YEAR, "532527101"), "village_code")
    assert list(villages) == ["532527101202"]
    counties = rows(input_view(tables, "county", YEAR, "522301"), "county_code")
    assert list(counties) == ["522301000000"]


def declared_types(tables: dict) -> dict:
    """Column types as declared in BASE_TABLES (NOT NULL and varchar(n) are not part of it)."""

    def loose(dtype) -> str:
        return "string" if dtype.is_string() else str(dtype.copy(nullable=True))

    return {
        name: {col: loose(dtype) for col, dtype in table.schema().items()}
        for name, table in tables.items()
    }


def sorted_table(expr, key: str):
    return expr.to_pyarrow().sort_by(key)


def test_duckdb_over_snapshot_matches_the_app_database(registry, tmp_path):
    # The command reads this test's uncommitted rows through Django's own connection.
    call_command("snapshot", str(tmp_path))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["rows"] == {
        "areas_area": 13,  # 2 provinces, 2 cities, 2 counties, 3 townships, 4 villages
        "registry_household": 7,
        "registry_person": 13,
        "registry_income": 3,
        "registry_measure": 5,
    }
    assert (manifest["format"], manifest["vendor"], manifest["area_prefix"]) == (
        1,
        connection.vendor,
        "",
    )
    app = base_tables(app_backend())
    duck = base_tables(duckdb_snapshot(tmp_path))
    assert declared_types(app) == declared_types(duck) == BASE_TABLES
    for year in (YEAR - 1, YEAR):
        for level, key in KEYS.items():
            a = sorted_table(input_view(app, level, year), key)
            d = sorted_table(input_view(duck, level, year), key)
            assert a.schema == d.schema
            assert a.num_rows > 0
            assert a.to_pylist() == d.to_pylist()


def test_snapshot_leaves_the_transaction_open(registry, tmp_path):
    # Ibis must not commit Django's transaction (this test's rows would leak into the next).
    call_command("snapshot", str(tmp_path))
    assert connection.in_atomic_block
    if connection.vendor == "sqlite":
        assert connection.connection.in_transaction
        like = connection.connection.execute("SELECT 'A' LIKE 'a'").fetchone()[0]
        assert like == 1  # case-insensitive LIKE, as Django expects on SQLite


def test_snapshot_of_an_area(registry, tmp_path):
    call_command("snapshot", str(tmp_path), "--area", "532527101000")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["area_prefix"] == "532527101"
    assert manifest["rows"]["registry_household"] == 2
    assert manifest["rows"]["registry_person"] == 3
    duck = base_tables(duckdb_snapshot(tmp_path))
    got = rows(input_view(duck, "village", YEAR), "village_code")
    assert got["532527101202"]["poor_persons"] == 2
    assert list(got) == ["532527101202"]


@pytest.mark.parametrize("prefix", ["", "532527", "532527101", "522301"])
def test_village_and_county_inputs_summed_from_households_match(registry, tmp_path, prefix):
    """A run sums the village and county aggregates from its evaluated households (their
    HOUSEHOLD_AGGREGATES columns) instead of reading every person again: identical rows, on the
    application database and on DuckDB, for every year's measures and within an area."""
    call_command("snapshot", str(tmp_path))
    for backend in (app_backend(), duckdb_snapshot(tmp_path)):
        tables = base_tables(backend)
        for year in (YEAR - 1, YEAR):
            households = input_view(tables, "household", year, prefix).select(
                *inputs.HOUSEHOLD_AGGREGATES
            )
            for level in ("village", "county"):
                direct = sorted_table(input_view(tables, level, year, prefix), KEYS[level])
                summed = sorted_table(
                    input_view(tables, level, year, prefix, households=households), KEYS[level]
                )
                assert direct.num_rows > 0 or len(prefix) > 6  # no county inside a township
                assert summed.to_pylist() == direct.to_pylist(), (backend.name, year, level)
