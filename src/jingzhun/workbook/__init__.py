"""Spreadsheet machinery every workbook shares (the registry's, the areas'): no domain in here.

It imports Django, openpyxl and python-calamine only, never a domain app; the apps' workbooks
(`registry/excel/`, `areas/excel/`) build on it.

columns.py   `Column`, `model_column` (a column from a model field), the example-row marker
cells.py     cell parsers and formatters (pure), `shown` (a value echoed in a message)
report.py    `RowError`, `SheetCounts`: what an import reports
actors.py    `SYSTEM` (the command line without --user), `resolve_user`
styles.py    header cells, example rows, fills and fonts
annotate.py  `annotate_errors`: the user's own file with an 错误信息 column
safe.py      `append_row`, `safe_cell`: every written value as text or a number, never a formula
web.py       the import pages' error file kept for its uploader, the .xlsx response
guard.py     `check_workbook`: an upload's size, zip bomb, DOCTYPE, rows, refused before parsing
commands.py  `report_import`: an import command's outcome, the error file beside FILE
"""

from .actors import SYSTEM, SystemActor, resolve_user
from .annotate import annotate_errors
from .report import RowError, SheetCounts

__all__ = ["SYSTEM", "RowError", "SheetCounts", "SystemActor", "annotate_errors", "resolve_user"]
