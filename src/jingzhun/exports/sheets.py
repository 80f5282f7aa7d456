"""A list page as a workbook: one sheet per table of the page, the page's columns with their
readable headers (in the page's language), numbers as numbers, one audit entry per download.

The layout is the assessment reports' (assessment/excel.py): a styled, frozen header row first,
no title row; sheet titles stay Chinese in every language (other tools look sheets up by name).
Rows go through `workbook.safe.append_row`: a value is never written as a formula.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from jingzhun.audit import services as audit
from jingzhun.audit.models import Action
from jingzhun.workbook.safe import append_row
from jingzhun.workbook.web import xlsx_response

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass
class Table:
    """One sheet: `title` (Chinese, ≤ 31 characters), headers as (text, width), the rows."""

    title: str
    headers: Sequence[tuple[str, int]]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)
    # Column index (0-based) → number format, e.g. a rate's "0.00" (rates.RATE_NUMBER_FORMAT).
    number_formats: Mapping[int, str] = field(default_factory=dict)


def _cell(sheet: Any, value: Any, number_format: str | None = None) -> Any:
    """Dates as dates (shown as on the page); aware times in the server's local time (Excel
    has no time zones); everything else as it is (numbers stay numbers)."""
    if number_format and value is not None:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def write_tables(tables: Sequence[Table]) -> tuple[bytes, dict[str, int]]:
    """The workbook of `tables` (write-only) and the rows written per sheet."""
    book = Workbook(write_only=True)
    counts: dict[str, int] = {}
    for table in tables:
        sheet = book.create_sheet(table.title[:31])
        sheet.freeze_panes = "A2"
        for index, (_text, width) in enumerate(table.headers, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        header = []
        for text, _width in table.headers:
            cell = WriteOnlyCell(sheet, value=str(text))
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            header.append(cell)
        append_row(sheet, header)
        written = 0
        for row in table.rows:
            formats = table.number_formats
            append_row(sheet, [_cell(sheet, v, formats.get(i)) for i, v in enumerate(row)])
            written += 1
        counts[table.title] = written
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), counts


def list_export_response(
    tables: Sequence[Table],
    *,
    acting_user: Any,
    report: str,
    file_prefix: str,
    filters: dict[str, Any],
    message: str,
    area_code: str | None = None,
) -> HttpResponse:
    """The workbook of `tables` as a download, audited as `acting_user` exporting `report`
    (e.g. "procedures.board") with the page's filter and the rows per sheet."""
    content, counts = write_tables(tables)
    with transaction.atomic():
        audit.record(
            actor=acting_user,
            action=Action.EXPORT,
            model=report,
            object_repr=message[:200],
            changes={"report": report, "filter": filters, "counts": counts},
            area_code=(acting_user.scope_prefix() or "") if area_code is None else area_code,
            message=message,
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(content, f"{file_prefix}-{stamp}.xlsx")
