"""Import the registry workbook: parse → validate every row → write all of it in one transaction.

Nothing is written unless every row of every sheet is valid. Rows are matched to the database by
natural key (户编号, 证件号码, household + year, …) and compared first, so re-importing the same
file writes nothing. Members present in the database but absent from the file are kept.

This module runs the steps: `reading.read_rows` → `checks.Importer` → `planning` → `writing.write`;
only the last holds a transaction.
"""

from __future__ import annotations

import datetime
import io
import uuid
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.workbook import SYSTEM, RowError
from jingzhun.workbook.progress import CHECKING, READING, WRITING, Clock, Progress

from ..validation import MIN_YEAR
from .checks import Importer, ImportResult
from .columns import BY_TITLE, HELPERS, HOUSEHOLDS, INCOMES, MEASURES, PERSONS
from .planning import Plan, plan_children, plan_households, plan_persons
from .reading import Row, read_rows
from .writing import prepare, write

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
    progress: Progress | None = None,
) -> ImportResult:
    """Validate the whole workbook; unless `dry_run` or an error, write it in one transaction.

    `year` is the data year (数据年度) age-dependent checks use; None: the workbook's latest
    income year, else the current year (`data_year`). `progress(step)` is told each step as it
    starts (STEPS).

    Reading, checking and planning run outside any transaction: on SQLite a write transaction
    locks the whole database, and a county's file takes tens of seconds to check. Only the
    write holds the lock (benchmarks/import_concurrency.py). It first asks the audit trail what
    was written since the check began; if any of it touched what the check read (`_stale`), the
    file is checked again inside the transaction, so what was checked is what is written (and a
    check's errors that a concurrent change may have caused are checked again too). A key of
    the file registered meanwhile elsewhere fails the write's unique constraint: rolled back,
    checked again inside the lock, written.
    """
    if acting_user is None or not acting_user.can_edit():
        raise PermissionDenied(_("您没有修改建档立卡数据的权限"))
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    if not name:
        name = Path(source).name if isinstance(source, str | Path) else "upload.xlsx"
    today = timezone.localdate()
    if year is not None and not MIN_YEAR <= year <= today.year + 1:
        imp = Importer(acting_user, today)
        imp.errors.add(
            "",
            0,
            "",
            _("数据年度应在{low}至{high}之间，实际为「{value}」").format(
                low=MIN_YEAR, high=today.year + 1, value=year
            ),
        )
        imp.result.errors = list(imp.errors)
        imp.result.dry_run = dry_run
        return imp.result
    step = progress or (lambda _step: None)
    clock = Clock()
    mark = audit.change_mark()
    imp, rows, plan = _check(source, acting_user, today, year, dry_run, clock, step)
    if (plan is None or dry_run) and not _stale(imp, mark):
        imp.result.timings = clock.laps
        return imp.result
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                if attempt == 2 or _stale(imp, mark):
                    # Written meanwhile: what was read may mix before and after (even its
                    # errors), so check again, holding the lock this time.
                    imp, rows, plan = _check(
                        source, acting_user, today, year, dry_run, clock, step, again=True
                    )
                    imp.result.rechecked = True
                    if plan is None or dry_run:
                        break
                step(WRITING)
                imp.result.batch = uuid.uuid4()
                message = _("命令行") if imp.user is SYSTEM else ""
                write(imp, plan, imp.result.batch, name, message)
            clock.lap("write")
            break
        except IntegrityError:
            if attempt == 2:
                raise
            # A household number or ID number of the file was registered meanwhile (in a
            # household the check had no reason to read): rolled back; check again, locked.
            imp.result.batch = None
    imp.result.timings = clock.laps
    return imp.result


def _stale(imp: Importer, mark: int) -> bool:
    """Whether a write since `mark` may have changed what the check read: a change to a
    household it read (or to its members, incomes …), any deletion or import, any change to
    areas or to a record without a household. Edits elsewhere in the county (the common case
    while a county's file is checked) leave it valid. A new household or person with a key of
    the file is not listed here: the write's unique constraints catch it."""
    read = imp.households_read()
    for household_id, action, model in audit.changes_since(mark):
        if action in (Action.DELETE, Action.IMPORT) or household_id in read:
            return True
        if household_id is None and model.split(".")[0] in ("registry", "areas"):
            return True
    return False


def _check(
    source: str | Path | IO[bytes],
    acting_user: Any,
    today: datetime.date,
    year: int | None,
    dry_run: bool,
    clock: Clock,
    step: Progress,
    again: bool = False,
) -> tuple[Importer, dict[str, list[Row]], Plan | None]:
    """Read, check and plan `source` afresh: the plan, or None with the errors in the result."""
    if again and hasattr(source, "seek"):
        source.seek(0)
    step(READING)
    imp = Importer(acting_user, today)
    rows = read_rows(source, imp.errors)
    imp.year, imp.result.year_source = data_year(rows, year, imp.today)
    imp.result.year = imp.year
    imp.result.dry_run = dry_run
    clock.lap("read")
    step(CHECKING)
    _validate(imp, rows)
    clock.lap("check")
    if imp.result.errors:
        return imp, rows, None
    plan = Plan()
    plan_households(imp, plan)
    plan_persons(imp, plan, rows[PERSONS.title])
    for sheet in (INCOMES, HELPERS, MEASURES):
        plan_children(imp, plan, sheet, rows[sheet.title])
    if not dry_run:
        prepare(plan)
    clock.lap("plan")
    return imp, rows, plan


def _validate(imp: Importer, rows: dict[str, list[Row]]) -> None:
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
    imp.result.errors = sorted(imp.errors, key=_error_order)
