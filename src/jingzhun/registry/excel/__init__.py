"""The registry workbook (户, 成员, 收入, 帮扶责任人, 帮扶措施): template, import and export.

Built on `jingzhun.workbook` (the domain-free machinery: Column, cell parsers, RowError, SYSTEM,
styles, the annotated error copy of a user's file).

columns.py  the layout (Sheet, the sheets and their columns), derived from the models
importer.py `import_workbook`: read → check → plan outside any transaction → write in one:
  reading.py   the rows of the known sheets, parsed cell by cell
  checks.py    every row validated (shared validation, references, scope, members)
  planning.py  what changed: instances to create, fields to update, their audit diffs
  writing.py   the set-based write and its audit entries
writer.py   template and export (`export_workbook`, `write_export`)
jobs.py     the runner of an import job (`imports` app: the page's uploads)
"""

from .checks import ImportResult
from .importer import import_workbook
from .writer import export_workbook, template_workbook

__all__ = ["ImportResult", "export_workbook", "import_workbook", "template_workbook"]
