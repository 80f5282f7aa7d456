"""How every workbook looks: header cells (required in red bold, read-only in grey), the example
rows of a template (grey italic, key marked 【示例】), the red of an error."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from .columns import EXAMPLE_MARK, Column

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
READONLY_FILL = PatternFill("solid", fgColor="EDEDED")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
EXAMPLE_FONT = Font(italic=True, color="808080")
MAX_ROWS = 1_048_576  # an Excel sheet's last row: list validations cover every data row


def header_cell(sheet: Any, col: Column) -> WriteOnlyCell:
    """The header cell of `col` for a write-only sheet."""
    cell = WriteOnlyCell(sheet, value=col.header)
    cell.font = REQUIRED_FONT if col.required else HEADER_FONT
    cell.fill = READONLY_FILL if col.readonly else HEADER_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if col.readonly:
        cell.comment = Comment(_("只读:导出供查看,导入时忽略(由系统计算)"), "精准")
    return cell


def example_row(
    sheet: Any, columns: Iterable[Column], values: Iterable[Any], marked: set[str]
) -> list[WriteOnlyCell]:
    """A template's example row (grey, italic): the cells of the `marked` fields (the key the
    import reads) start with 【示例】, so the import skips the row until the marker is deleted."""
    row = []
    for col, value in zip(columns, values, strict=True):
        if col.field in marked:
            value = EXAMPLE_MARK + str(value)
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = EXAMPLE_FONT
        row.append(cell)
    return row
