"""The error file: a copy of the user's own workbook, an 错误信息 column added, bad cells in red."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from .columns import ERROR_HEADER
from .guard import check_workbook
from .report import RowError
from .safe import safe_cell
from .styles import ERROR_FILL, REQUIRED_FONT


def annotate_errors(
    source: str | Path | IO[bytes] | bytes, errors: list[RowError], target: str | Path | IO[bytes]
) -> None:
    """A copy of the user's own workbook with an 错误信息 column per sheet and bad cells in red."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        check_workbook(source)  # a refused file is never opened: the errors go in a new workbook
        book = load_workbook(source)
    except Exception:  # noqa: BLE001 - not a workbook: give the errors in a new one
        book = Workbook()
        book.active.title = _("错误")
    by_sheet: dict[str, dict[int, list[RowError]]] = {}
    for error in errors:
        title = error.sheet if error.sheet in book.sheetnames else book.sheetnames[0]
        by_sheet.setdefault(title, {}).setdefault(max(error.row, 1), []).append(error)
    for title, rows in by_sheet.items():
        sheet = book[title]
        headers = {
            str(cell.value).strip(): cell.column
            for cell in sheet[1]
            if cell.value is not None and str(cell.value).strip()
        }
        target_col = headers.get(ERROR_HEADER) or sheet.max_column + 1
        if ERROR_HEADER in headers:  # a re-upload of an annotated file: start the column afresh
            for (cell,) in sheet.iter_rows(min_row=2, min_col=target_col, max_col=target_col):
                cell.value = None
        head = sheet.cell(row=1, column=target_col, value=ERROR_HEADER)
        head.font = REQUIRED_FONT
        head.fill = ERROR_FILL
        sheet.column_dimensions[get_column_letter(target_col)].width = 60
        for row_number, row_errors in rows.items():
            messages = []
            for error in row_errors:
                # The column named first, as the brief asks: 工资性收入：应为数字，实际为「三千」.
                messages.append(
                    f"{error.column}：{error.message}"
                    if error.column and not error.message.startswith(error.column)
                    else error.message
                )
                column = headers.get(error.column)
                if column:
                    sheet.cell(row=row_number, column=column).fill = ERROR_FILL
            # Header-level problems (a missing column, an unreadable file) sit beside the
            # 错误信息 header of row 1, which stays the header.
            at = target_col + 1 if row_number == 1 else target_col
            # A message may echo the user's text first: written as text, never a formula.
            cell = safe_cell(
                sheet, sheet.cell(row=row_number, column=at, value="；".join(messages))
            )
            cell.fill = ERROR_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(target)
