"""The registry workbook (户, 成员, 收入, 帮扶责任人, 帮扶措施): template, import and export.

columns.py  the layout, derived from the models
cells.py    cell parsers and formatters (pure)
importer.py parse → validate every row → write in one transaction (`import_workbook`)
writer.py   template, export (`export_workbook`) and the annotated error copy of a user's file
"""

from .importer import SYSTEM, ImportResult, RowError, SheetCounts, SystemActor, import_workbook
from .writer import annotate_errors, export_workbook, template_workbook

__all__ = [
    "SYSTEM",
    "ImportResult",
    "RowError",
    "SheetCounts",
    "SystemActor",
    "annotate_errors",
    "export_workbook",
    "import_workbook",
    "template_workbook",
]
