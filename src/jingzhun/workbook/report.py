"""What an import reports: its problems (sheet, row, column, message) and its counts per sheet."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    """One problem: sheet title, Excel row number (1 = header), column header, Chinese message."""

    sheet: str
    row: int
    column: str
    message: str


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
