"""Input views of the data comparison (数据比对), without Django: registered persons with their
household's facts (`person_input`, columns = `standards.vocabulary.PERSON`), and the current rows
of one department dataset kind under the kind's own column names (`dataset_view`).

Dates become numbers YYYYMMDD on every engine (year × 10,000 + month × 100 + day): the rule
language compares numbers, order and equality hold, and no engine's date arithmetic is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from .inputs import DEREGISTERED
from .tables import MONEY, code_range, normalise

if TYPE_CHECKING:
    from jingzhun.standards.dataset_kinds import DatasetKind

Tables = dict[str, ir.Table]
# Relations that name a sex (registry codes): 之子 registered female is a data-quality finding.
MALE_RELATIONS = ["son", "son_in_law", "grandson"]
FEMALE_RELATIONS = ["daughter", "daughter_in_law", "granddaughter"]

# The income items of the year a data-quality check may read (same names in the person input).
INCOME_ITEMS = (
    "wage_income", "operating_income", "operating_expenses", "dibao_income", "destitute_income",
)  # fmt: skip

# A department row's own identity, carried to each finding (`comparison.runs._key`): its
# number, token, category, detail, date (YYYYMMDD) and year — not its row number or file.
ROW_KEY = {
    "row_key_number": "id_number",
    "row_key_token": "id_token",
    "row_key_category": "category",
    "row_key_detail": "detail",
    "row_key_date": "date",
    "row_key_year": "year",
}

COMPARISON_TABLES: dict[str, dict[str, str]] = {
    "registry_household": {
        "id": "int64",
        "village_id": "string",
        "status": "string",
        "kind": "string",
        "main_cause": "string",
        "other_causes": "string",
        "entry_year": "int64",
        "exit_year": "int64",
    },
    "registry_person": {
        "id": "int64",
        "household_id": "int64",
        "name": "string",
        "id_number": "string",
        "sex": "string",
        "birth_date": "date",
        "relation": "string",
        "health": "string",
        "disability_grade": "int64",
        "schooling": "string",
        "ethnicity": "string",
        "education": "string",
        "labour": "string",
        "work_status": "string",
        "work_months": "int64",
        "dibao": "boolean",
        "destitute": "boolean",
        "medical_insured": "boolean",
    },
    "registry_income": {
        "household_id": "int64",
        "year": "int64",
        "income_per_capita": MONEY,
        # The items the data-quality checks compare (§4.4 items 5, 7 and 8).
        "wage_income": MONEY,
        "operating_income": MONEY,
        "operating_expenses": MONEY,
        "dibao_income": MONEY,
        "destitute_income": MONEY,
    },
    "comparison_dataset": {
        "id": "int64",
        "kind": "string",
        "year": "int64",
        "area_id": "string",
        "current": "boolean",
        "tokens_linked": "boolean",
    },
    "comparison_datasetrow": {
        "id": "int64",
        "dataset_id": "int64",
        "row": "int64",
        "id_number": "string",
        "id_token": "string",
        "id_valid": "boolean",
        "name": "string",
        "birth_date": "date",
        "area_code": "string",
        "category": "string",
        "status": "string",
        "detail": "string",
        "flag": "boolean",
        "amount": MONEY,
        "amount2": MONEY,
        "count": "int64",
        "date": "date",
        "date2": "date",
        "year": "int64",
    },
    # Links of department rows to persons other than the raw ID join (comparison/linkage):
    # tokens and confirmed fuzzy matches; only confirmed ones are read.
    "comparison_rowlink": {
        "dataset_row_id": "int64",
        "person_id": "int64",
        "status": "string",
    },
}


def comparison_tables(backend: BaseBackend) -> Tables:
    """The normalised tables the comparison reads from `backend`."""
    return {name: normalise(backend.table(name), cols) for name, cols in COMPARISON_TABLES.items()}


def comparison_scope(tables: Tables, prefix: str = "", kinds: Iterable[str] = ()) -> Tables:
    """The comparison tables limited to what a comparison under `prefix` reads (what a snapshot
    of it holds): households under the prefix and their persons and incomes (semi-joins); the
    current datasets (of `kinds`, if given) loaded for an area inside the prefix or above it,
    and their rows. The views (`person_input`, `dataset_view`) filter the same way again, so
    they give the same rows on the scoped tables as on the whole ones."""
    datasets = current_datasets(tables, kinds, prefix)
    r = tables["comparison_datasetrow"]
    scoped = {
        "comparison_dataset": datasets,
        "comparison_datasetrow": r.semi_join(datasets, r.dataset_id == datasets.id),
    }
    links = tables["comparison_rowlink"]
    links = links.filter(links.status == "confirmed")  # the only ones a rule reads
    rows = scoped["comparison_datasetrow"]
    scoped["comparison_rowlink"] = links.semi_join(rows, links.dataset_row_id == rows.id)
    household = tables["registry_household"]
    if prefix:
        household = household.filter(code_range(household.village_id, prefix))
    scoped["registry_household"] = household
    for name in ("registry_person", "registry_income"):
        t = tables[name]
        scoped[name] = t.semi_join(household, t.household_id == household.id) if prefix else t
    return {name: scoped[name] for name in COMPARISON_TABLES}


def as_number(date: ir.DateValue) -> ir.IntegerValue:
    """A date as YYYYMMDD (NULL stays NULL)."""
    return (date.year().cast("int64") * 10000 + date.month().cast("int64") * 100 + date.day()).cast(
        "int64"
    )


def person_input(tables: Tables, year: int, prefix: str = "") -> ir.Table:
    """Every member of a household not deregistered (under the area `prefix`), with the
    household's status, type, years, causes and the income of `year` (per capita and the
    items the data-quality checks read). Ages on 31 December of `year`, never today's. Carries
    `id_number` for the exact join (never shown: findings name the person)."""
    h = tables["registry_household"]
    h = h.filter(h.status != DEREGISTERED)
    if prefix:
        h = h.filter(code_range(h.village_id, prefix))
    p = tables["registry_person"]
    i = tables["registry_income"]
    income = i.filter(i.year == year).select(
        *INCOME_ITEMS, iid=i.household_id, ipc=i.income_per_capita
    )
    j = p.inner_join(h, p.household_id == h.id).left_join(income, p.household_id == income.iid)
    return j.select(
        person_id=j.id,
        household_id=j.household_id,
        village_code=j.village_id,
        person_name=j.name,
        id_number=j.id_number,
        relation=j.relation,
        sex=j.sex,
        age=(ibis.literal(year) - j.birth_date.year()).cast("int64"),
        health=j.health,
        disability_grade=j.disability_grade,
        schooling=j.schooling,
        ethnicity=j.ethnicity,
        education=j.education,
        labour=j.labour,
        dibao=j.dibao,
        destitute=j.destitute,
        medical_insured=j.medical_insured,
        household_status=j.status,
        household_kind=j.kind,
        entry_year=j.entry_year,
        exit_year=j.exit_year,
        income_per_capita=j.ipc,
        birth_date=as_number(j.birth_date),
        id_length=ibis.coalesce(j.id_number.strip().length(), 0).cast("int64"),
        main_cause=j.main_cause,
        other_causes=j.other_causes,
        **{name: j[name] for name in INCOME_ITEMS},
        work_status=j.work_status,
        work_months=j.work_months,
        relation_sex_conflict=(
            (j.relation.isin(MALE_RELATIONS) & (j.sex == "female"))
            | (j.relation.isin(FEMALE_RELATIONS) & (j.sex == "male"))
        ).fill_null(False),
    )


def areas_above(prefix: str) -> list[str]:
    """The 12-digit codes of the areas containing `prefix` (province … itself): a list loaded
    for one of them serves a comparison under the prefix."""
    return [prefix[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12) if n <= len(prefix)]


def current_datasets(tables: Tables, kinds: Iterable[str] = (), prefix: str = "") -> ir.Table:
    """The current datasets (of `kinds`, or of every kind) loaded for an area inside `prefix`,
    or for one above it (a county's list serves the comparison of one of its townships)."""
    d = tables["comparison_dataset"]
    current = d.filter(d.current)
    if kinds:
        current = current.filter(current.kind.isin(sorted(set(kinds))))
    if prefix:
        current = current.filter(
            code_range(current.area_id, prefix) | current.area_id.isin(areas_above(prefix))
        )
    return current


def linked_kinds(tables: Tables, kinds: Iterable[str] = (), prefix: str = "") -> set[str]:
    """The kinds (of `kinds`, or any) whose current datasets under `prefix` have a row with a
    confirmed link (a token, a confirmed fuzzy match): one query for all of them. A kind
    without one is read by `dataset_view(links=False)`, the same rows with a plainer plan: one
    join on the number, not a union of two (the database then materialised the rows, 1.8 M
    vehicles, and misjudged how many a condition keeps)."""
    current = current_datasets(tables, kinds, prefix)
    current = current.select(current_id=current.id, current_kind=current.kind)
    rows = tables["comparison_datasetrow"]
    link = tables["comparison_rowlink"]
    link = link.filter(link.status == "confirmed").select(link_row_id=link.dataset_row_id)
    linked = link.inner_join(rows, link.link_row_id == rows.id)
    linked = linked.inner_join(current, linked.dataset_id == current.current_id)
    found = linked.select("current_kind").distinct().to_pyarrow()
    return set(found["current_kind"].to_pylist())


def dataset_view(
    tables: Tables, kind: DatasetKind, prefix: str = "", *, links: bool = True
) -> ir.Table:
    """The rows of the current datasets of `kind` loaded for an area inside `prefix` (or above
    it: a county's list serves its townships), under the kind's column names: `row_id`,
    `dataset_id`, the key (`id_number` normalised, `id_token`, `id_valid`), `linked_person_id`
    (a token or confirmed fuzzy link, else NULL; left out when `links` is false: the kind has
    none, `linked_kinds`), `keyed` (a number, a compared token or a link: the row can be said to
    match nobody), the row's identity (`ROW_KEY`) and its list's area (`row_area`), and one
    column per declared column (dates as YYYYMMDD)."""
    current = current_datasets(tables, [kind.id], prefix)
    r = tables["comparison_datasetrow"]
    current = current.select(
        current_id=current.id, tokens_linked=current.tokens_linked, row_area=current.area_id
    )
    rows = r.inner_join(current, r.dataset_id == current.current_id)
    # Whether "matches no registered person" can be said of the row: it has a number, or a
    # token the registry's tokens were compared with, or a link.
    keyed = (rows.id_number != "") | ((rows.id_token != "") & rows.tokens_linked)
    if links:
        # The person a row is linked to by its token or a confirmed fuzzy match (at most one).
        link = tables["comparison_rowlink"]
        link = link.filter(link.status == "confirmed").select(
            link_row_id=link.dataset_row_id, linked_person_id=link.person_id
        )
        rows = rows.left_join(link, rows.id == link.link_row_id)
        keyed = keyed | rows.linked_person_id.notnull()
    columns: dict[str, ir.Value] = {
        "row_id": rows.id,
        "dataset_id": rows.dataset_id,
        "id_number": rows.id_number,
        "id_token": rows.id_token,
        "id_valid": rows.id_valid,
        **({"linked_person_id": rows.linked_person_id} if links else {}),
        "keyed": keyed,
        # What makes a row the same cause in a later file (`ROW_KEY`), and its list's area.
        **{name: rows[slot] for name, slot in ROW_KEY.items() if slot != "date"},
        "row_key_date": as_number(rows.date),
        "row_area": rows.row_area,
    }
    for column in kind.columns:
        if column.slot == "id_number":
            continue
        value = rows[column.slot]
        columns[column.name] = as_number(value) if column.type == "date" else value
    return rows.select(**columns)
