"""Base tables: the registry tables as Django created them, reduced to the columns the input
views need and cast to stable types. This is the ONE place types are normalised: SQLite returns
decimals as REAL, dates as text and booleans as 0/1; after these casts SQLite, PostgreSQL and
DuckDB-over-Parquet all present decimal(14,2) money, date dates, boolean flags and int64 ids.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

MONEY = "decimal(14, 2)"

# name → column → Ibis type. Column names are Django's (foreign keys end in _id).
BASE_TABLES: dict[str, dict[str, str]] = {
    "areas_area": {
        "code": "string",
        "level": "string",
        "rural_population": "int64",
        "poor_village": "boolean",
        "poor_village_exited_on": "date",
        "poor_village_planned_exit_year": "int64",
        "hardened_road": "boolean",
        "safe_water": "boolean",
        "grid_power": "boolean",
        "broadband": "boolean",
        "radio_tv": "boolean",
        "clinic_with_doctor": "boolean",
        "public_space": "boolean",
        "collective_income": MONEY,
        "rural_income_growth": MONEY,
        "province_income_growth": MONEY,
        "education_balance_year": "int64",
    },
    "registry_household": {
        "id": "int64",
        "village_id": "string",
        "status": "string",
        "kind": "string",
        "housing_grade": "string",
        "water_safe": "boolean",
        "food_secure": "boolean",
        "clothing_secure": "boolean",
    },
    "registry_person": {
        "id": "int64",
        "household_id": "int64",
        "birth_date": "date",
        "schooling": "string",
        "health": "string",
        "medical_insured": "boolean",
        "serious_illness_insured": "boolean",
        "pension_insured": "boolean",
    },
    "registry_income": {
        "id": "int64",
        "household_id": "int64",
        "year": "int64",
        "net_income": MONEY,
        "transfer_income": MONEY,
        "income_per_capita": MONEY,
    },
    "registry_measure": {
        "id": "int64",
        "household_id": "int64",
        "year": "int64",
    },
}


def code_range(column: ir.StringValue, prefix: str) -> ir.BooleanValue:
    """Codes under `prefix` as a range on the 12-digit code (an index range scan, not LIKE)."""
    return (column >= prefix.ljust(12, "0")) & (column <= prefix.ljust(12, "9"))


def normalise(table: ir.Table, columns: dict[str, str]) -> ir.Table:
    """Select `columns` cast to their stable types (a no-op cast where already right)."""
    exprs = {}
    for name, type_ in columns.items():
        col = table[name]
        have, want = col.type().copy(nullable=True), ibis.dtype(type_)
        # varchar(n) is a string already; casting it would defeat the code index on SQLite.
        same = have == want or (have.is_string() and want.is_string())
        exprs[name] = col if same else col.cast(type_)
    return table.select(**exprs)


def base_tables(backend: BaseBackend, prefix: str = "") -> dict[str, ir.Table]:
    """The normalised base tables of `backend`, limited to the area code `prefix` if given."""
    tables = {name: normalise(backend.table(name), cols) for name, cols in BASE_TABLES.items()}
    return scope(tables, prefix)


def scope(tables: dict[str, ir.Table], prefix: str) -> dict[str, ir.Table]:
    """Limit base tables to the areas under `prefix`: households by village code, their rows by
    household (semi-joins), areas by code."""
    if not prefix:
        return tables
    area = tables["areas_area"]
    household = tables["registry_household"]
    household = household.filter(code_range(household.village_id, prefix))
    scoped = {
        "areas_area": area.filter(code_range(area.code, prefix)),
        "registry_household": household,
    }
    for name in ("registry_person", "registry_income", "registry_measure"):
        t = tables[name]
        scoped[name] = t.semi_join(household, t.household_id == household.id)
    return scoped
