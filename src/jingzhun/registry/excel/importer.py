"""Import the registry workbook: parse → validate every row → write all of it in one transaction.

Nothing is written unless every row of every sheet is valid. Rows are matched to the database by
natural key (户编号, 证件号码, household + year, …) and compared first, so re-importing the same
file writes nothing. Members present in the database but absent from the file are kept.

This module runs the steps: `reading.read_rows` → `checks.Importer` → `planning` → `writing.write`.
"""

from __future__ import annotations

import datetime
import io
import uuid
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.workbook import SYSTEM, RowError

from ..validation import MIN_YEAR
from .checks import Importer, ImportResult
from .columns import BY_TITLE, HELPERS, HOUSEHOLDS, INCOMES, MEASURES, PERSONS
from .planning import Plan, plan_children, plan_households, plan_persons
from .reading import Row, read_rows
from .writing import write

__all__ = ["ImportResult", "data_year", "import_workbook"]


def _error_order(error: RowError) -> tuple[int, int, int]:
    """Sheet order, then row, then the column's place in the template."""
    titles = list(BY_TITLE)
    if error.sheet not in BY_TITLE:
        return (-1, error.row, 0)
    headers = [col.header for col in BY_TITLE[error.sheet].columns]
    column = headers.index(error.column) if error.column in headers else len(headers)
    return (titles.index(error.sheet), error.row, column)


# Entry point -------------------------------------------------------------------------------------


def data_year(
    rows: dict[str, list[Row]], given: int | None, today: datetime.date
) -> tuple[int, str]:
    """The 数据年度 the rows describe, and where it came from.

    Given (`--year`, the form's field) it is used as is; else the latest income year the workbook
    states (an export of 2018 data has 2018 incomes); else the current year.
    """
    if given:
        return given, "given"
    years = [r.values.get("year") for r in rows.get(INCOMES.title, [])]
    years = [y for y in years if isinstance(y, int) and MIN_YEAR <= y <= today.year + 1]
    if years:
        return max(years), "incomes"
    return today.year, "current"


def import_workbook(
    source: str | Path | IO[bytes] | bytes,
    *,
    acting_user: Any,
    dry_run: bool = False,
    name: str = "",
    year: int | None = None,
) -> ImportResult:
    """Validate the whole workbook; unless `dry_run` or an error, write it in one transaction.

    `year` is the data year (数据年度) age-dependent checks use; None: the workbook's latest
    income year, else the current year (`data_year`).
    """
    if acting_user is None or not acting_user.can_edit():
        raise PermissionDenied(_("您没有修改建档立卡数据的权限"))
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    if not name:
        name = Path(source).name if isinstance(source, str | Path) else "upload.xlsx"
    imp = Importer(acting_user, timezone.localdate())
    if year is not None and not MIN_YEAR <= year <= imp.today.year + 1:
        imp.errors.add(
            "",
            0,
            "",
            _("数据年度应在{low}至{high}之间，实际为「{value}」").format(
                low=MIN_YEAR, high=imp.today.year + 1, value=year
            ),
        )
        imp.result.errors = list(imp.errors)
        imp.result.dry_run = dry_run
        return imp.result
    rows = read_rows(source, imp.errors)
    imp.year, imp.result.year_source = data_year(rows, year, imp.today)
    imp.result.year = imp.year
    # Validation and writing share one transaction: what was checked is what gets written.
    with transaction.atomic():
        _run(imp, rows, dry_run, name)
    return imp.result


def _run(imp: Importer, rows: dict[str, list[Row]], dry_run: bool, name: str) -> None:
    if rows and not imp.errors.layout:
        children = {s.title: rows[s.title] for s in (PERSONS, INCOMES, HELPERS, MEASURES)}
        imp.households(rows[HOUSEHOLDS.title])
        imp.persons(rows[PERSONS.title])
        imp.resolve_households(children)
        imp.members(rows[PERSONS.title])
        for sheet in (INCOMES, HELPERS, MEASURES):
            imp.values(sheet, rows[sheet.title])
        imp.unique_rows(INCOMES, rows[INCOMES.title], ("household_number", "year"))
        imp.unique_rows(HELPERS, rows[HELPERS.title], ("household_number", "name", "unit"))
        imp.unique_rows(
            MEASURES, rows[MEASURES.title], ("household_number", "kind", "year", "description")
        )
    result = imp.result
    result.dry_run = dry_run
    result.errors = sorted(imp.errors, key=_error_order)
    if result.errors:
        return
    plan = Plan()
    plan_households(imp, plan)
    plan_persons(imp, plan, rows[PERSONS.title])
    for sheet in (INCOMES, HELPERS, MEASURES):
        plan_children(imp, plan, sheet, rows[sheet.title])
    if dry_run:
        return
    result.batch = uuid.uuid4()
    message = _("命令行") if imp.user is SYSTEM else ""
    write(imp, plan, result.batch, name, message)
