"""Read the registry workbook: every non-empty data row of the known sheets, parsed cell by cell.

A sheet whose columns are wrong (a required one missing, one twice) is not read: one error per
column, and `Errors.layout` tells the checks to skip what needs every sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from jingzhun.workbook import RowError, cells
from jingzhun.workbook.columns import is_example
from jingzhun.workbook.guard import NotAnXlsx, WorkbookRejected, check_workbook

from .columns import BY_TITLE, HOUSEHOLDS, Sheet


@dataclass
class Row:
    sheet: Sheet
    number: int  # Excel row number
    values: dict[str, Any]


class Errors(list):
    layout = False  # a sheet's columns are wrong: its rows are not read, cross-sheet checks skipped

    def add(self, sheet: Sheet | str, row: int, column: str, message: str) -> None:
        title = sheet if isinstance(sheet, str) else sheet.title
        self.append(RowError(title, row, column, message))


def read_rows(source: str | Path | IO[bytes], errors: Errors) -> dict[str, list[Row]]:
    """Every non-empty data row of the known sheets, parsed; cell problems go to `errors`."""
    try:
        check_workbook(source)  # size, zip bomb, DOCTYPE, rows: before calamine opens it
    except NotAnXlsx:  # no zip, no xl/workbook.xml (an .xls or .csv renamed): never opened
        errors.add("", 0, "", _("无法读取文件,请上传 Excel (.xlsx) 格式的登记表"))
        return {}
    except WorkbookRejected as exc:
        errors.add("", 0, "", exc.message)
        return {}
    try:
        if isinstance(source, str | Path):
            book = CalamineWorkbook.from_path(str(source))
        else:
            book = CalamineWorkbook.from_filelike(source)
    except Exception:  # noqa: BLE001 - calamine raises several types for an unreadable file
        errors.add("", 0, "", _("无法读取文件,请上传 Excel (.xlsx) 格式的登记表"))
        return {}
    rows: dict[str, list[Row]] = {title: [] for title in BY_TITLE}
    known = [name for name in book.sheet_names if name.strip() in BY_TITLE]
    if not known:
        errors.add(
            "",
            0,
            "",
            _("文件中没有可导入的工作表(应为:{names})").format(names="、".join(BY_TITLE)),
        )
        return rows
    for name in known:
        sheet = BY_TITLE[name.strip()]
        rows[sheet.title] = _read_sheet(sheet, book.get_sheet_by_name(name).to_python(), errors)
    return rows


def fields_of(sheet: Sheet) -> set[str]:
    return {col.field for col in sheet.columns}


def _read_sheet(sheet: Sheet, data: list[list[Any]], errors: Errors) -> list[Row]:
    if not data:
        return []
    by_header = {col.header: col for col in sheet.importable()}
    positions: dict[str, int] = {}
    for index, value in enumerate(data[0]):
        header = cells.text(value) if not cells.is_blank(value) else ""
        column = by_header.get(header)
        if column is None:
            continue  # read-only, unknown or our own 错误信息 column: ignored
        if column.field in positions:
            errors.add(sheet, 1, header, _("列重复"))
            errors.layout = True
        positions[column.field] = index
    missing = [
        col.header for col in sheet.importable() if col.required and col.field not in positions
    ]
    for header in missing:
        # One error per missing column: the sheet's rows are not read (each would miss it).
        errors.add(
            sheet,
            1,
            header,
            _("工作表「{sheet}」缺少必填列「{header}」").format(sheet=sheet.title, header=header),
        )
    if missing:
        errors.layout = True
        return []
    columns = [(sheet.column(name), index) for name, index in positions.items()]
    absent_keys = [f for f in sheet.key if f in fields_of(sheet) and f not in positions]
    lookups = {col.field: cells.choice_lookup(col) for col, _i in columns if col.choices}
    key_column = positions["number" if sheet is HOUSEHOLDS else "household_number"]
    rows = []
    for offset, raw in enumerate(data[1:], start=2):
        if all(cells.is_blank(v) for v in raw):
            continue
        if key_column < len(raw) and is_example(raw[key_column]):
            continue  # the template's example row (户编号 marked 示例), not data
        # A key column left out of the sheet takes its default (a measure without 内容 is "").
        values: dict[str, Any] = {f: sheet.column(f).default for f in absent_keys}
        for column, index in columns:
            value = raw[index] if index < len(raw) else None
            try:
                values[column.field] = cells.parse_cell(value, column, lookups.get(column.field))
            except cells.CellError as exc:
                errors.add(sheet, offset, column.header, str(exc))
                values[column.field] = None
        rows.append(Row(sheet, offset, values))
    return rows
