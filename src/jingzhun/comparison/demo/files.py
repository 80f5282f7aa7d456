"""The demo county's department files: one .csv per kind, written in memory and loaded like any
upload."""

from __future__ import annotations

import csv
import datetime
import io
import random
from collections.abc import Callable, Iterable
from typing import Any

from jingzhun import areacodes
from jingzhun.standards import dataset_kinds
from jingzhun.standards.dataset_kinds import DatasetKind
from jingzhun.workbook import SYSTEM

from ..loading import load_dataset
from .assets import _businesses, _property, _vehicles
from .civil import _assistance, _deaths, _payroll
from .county import (
    DEFAULT_SEED,
    County,
    DatasetPlan,
    Row,
    Strangers,
    read_county,
)
from .services import _disability, _enrolment, _insurance

Draw = Callable[[County, DatasetPlan, random.Random, Strangers], list[Row]]
DRAWS: dict[str, Draw] = {
    "deaths": _deaths,
    "payroll": _payroll,
    "vehicles": _vehicles,
    "businesses": _businesses,
    "property": _property,
    "assistance": _assistance,
    "insurance": _insurance,
    "enrolment": _enrolment,
    "disability": _disability,
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def to_csv(kind: DatasetKind, rows: Iterable[Row]) -> bytes:
    """The rows as a department's .csv: the kind's headers, UTF-8 with a BOM (Excel opens it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in kind.columns])
    for row in rows:
        writer.writerow([_cell(row.get(column.name)) for column in kind.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def demo_files(
    county_code: str, year: int, seed: int = DEFAULT_SEED, plan: DatasetPlan | None = None
) -> dict[str, tuple[str, bytes]]:
    """kind → (file name, .csv content) of every shipped kind this module draws, for the
    county's registry as it stands. Deterministic: each kind has its own generator seeded with
    `seed` and the kind, so the same registry and seed give the same bytes."""
    plan = plan or DatasetPlan()
    county = read_county(county_code, year)
    strangers = Strangers(county)
    kinds = dataset_kinds.available()
    files: dict[str, tuple[str, bytes]] = {}
    for kind_id, draw in DRAWS.items():
        if kind_id not in kinds:
            continue
        kind = kinds[kind_id]
        rows = draw(county, plan, random.Random(f"{seed}:{kind_id}"), strangers)
        files[kind_id] = (f"{kind.name}{year}.csv", to_csv(kind, rows))
    return files


def load_demo_datasets(
    county_code: str, year: int, seed: int = DEFAULT_SEED, plan: DatasetPlan | None = None
) -> dict[str, int]:
    """Draw the county's department files (`demo_files`) and load each as the command line for
    the county, received on 31 March after the year; kind → rows loaded. Loading the same files
    again changes nothing. A file the loader refuses is a bug of this module: RuntimeError."""
    code = areacodes.pad(county_code)
    received = datetime.date(year + 1, 3, 31)
    loaded: dict[str, int] = {}
    for kind_id, (name, content) in demo_files(code, year, seed, plan).items():
        result = load_dataset(
            content,
            kind=kind_id,
            year=year,
            acting_user=SYSTEM,
            name=name,
            area_code=code,
            received_on=received,
        )
        if not result.ok:
            shown = "; ".join(f"{e.row} {e.column} {e.message}" for e in result.errors[:5])
            raise RuntimeError(f"demo dataset {kind_id} refused: {shown}")
        loaded[kind_id] = result.row_count
    return loaded
